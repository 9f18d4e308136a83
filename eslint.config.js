import js from "@eslint/js";
import tseslint from "typescript-eslint";

// What app/ must not import. The store emulator and the test helpers stand in for Shopify in
// tests and the demo only; the production build must never depend on them. Extensions are
// built by the Shopify CLI from their own folders: app/ reads the discount Function's settings
// type through app/shopify/reward-settings.ts alone (ADR 0012).
const NOT_THE_EMULATOR = {
  group: ["**/tests/**", "**/tests"],
  message: "app/ never imports the store emulator or test helpers (tests/**): they stand in for Shopify in tests only.",
};
const NOT_AN_EXTENSION = {
  group: ["**/extensions/**", "**/extensions"],
  message: "app/ reaches into extensions/ only through app/shopify/reward-settings.ts (ADR 0012).",
};
// Flat config does not merge a rule's options across objects: each object below lists all that apply.
const restrict = (...patterns) => ["error", { patterns }];

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", ".cache/**", "extensions/**/dist/**", "test-results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        performance: "readonly",
        fetch: "readonly",
        Response: "readonly",
        Request: "readonly",
        Headers: "readonly",
        window: "readonly",
        document: "readonly",
        location: "readonly",
        customElements: "readonly",
        HTMLElement: "readonly",
        CustomEvent: "readonly",
        sessionStorage: "readonly",
        addEventListener: "readonly",
        queueMicrotask: "readonly",
        URLSearchParams: "readonly",
        SharedArrayBuffer: "readonly",
        Atomics: "readonly",
        navigator: "readonly",
        crypto: "readonly",
        PerformanceObserver: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["app/**/*.{ts,tsx,js,mjs}"],
    rules: { "no-restricted-imports": restrict(NOT_THE_EMULATOR, NOT_AN_EXTENSION) },
  },
  {
    // The one module that re-exports the discount Function's contract.
    files: ["app/shopify/reward-settings.ts"],
    rules: { "no-restricted-imports": restrict(NOT_THE_EMULATOR) },
  },
  {
    // Tests beside the code are not part of the build; they may use the emulator's payloads.
    files: ["app/**/*.test.ts"],
    rules: { "no-restricted-imports": restrict(NOT_AN_EXTENSION) },
  },
  {
    // The points engine stays pure: no framework, platform or storage.
    files: ["app/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            NOT_THE_EMULATOR,
            NOT_AN_EXTENSION,
            {
              group: [
                "react",
                "react-*",
                "@remix-run/*",
                "@shopify/*",
                "@prisma/*",
                "prisma",
                "pg",
                "better-sqlite3",
                "node:*",
                "~/*",
                "../*",
              ],
              message: "app/domain is pure: no framework, Shopify, database or Node imports.",
            },
          ],
        },
      ],
    },
  },
);
