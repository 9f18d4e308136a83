// The job thread's bundle (build/server/jobs.mjs): app/background.server.ts and what it imports,
// dependencies left to node_modules. The server build carries the admin's React and Polaris too;
// the job thread needs none of it (ADR 0010).
import path from "node:path";
import { build } from "esbuild";

// The app's own `~/…` imports (tsconfig paths) are bundled; packages stay external.
const appAlias = {
  name: "app-alias",
  setup(b) {
    b.onResolve({ filter: /^~\// }, (args) =>
      b.resolve(`./${args.path.slice(2)}`, { resolveDir: path.resolve("app"), kind: args.kind }),
    );
  },
};

await build({
  entryPoints: ["app/background.server.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  packages: "external",
  plugins: [appAlias],
  outfile: "build/server/jobs.mjs",
  logLevel: "warning",
});
