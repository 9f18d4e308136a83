import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    // The points engine stays pure: no framework, platform or storage.
    files: ["app/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
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
