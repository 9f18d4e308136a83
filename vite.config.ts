import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        // The whole route manifest ships with the page (ADR 0011). Lazy discovery asks /__manifest
        // and then reads and writes sessionStorage on every answer, which a browser refuses to a
        // cross-site frame when it blocks third-party storage — the admin's frame, for the app.
        v3_lazyRouteDiscovery: false,
        v3_singleFetch: true,
        v3_routeConfig: false,
      },
    }),
    tsconfigPaths(),
  ],
  build: { assetsInlineLimit: 0 },
  // Polaris ships CSS imports and JSON with import attributes; bundle it into the server build.
  // The Remix package's AppProvider must share that one Polaris instance (React context).
  ssr: { noExternal: [/^@shopify\/polaris/, /^@shopify\/shopify-app-remix/] },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
});
