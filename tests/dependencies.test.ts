// Every package the code imports is declared in package.json: a package that is only there
// because something else pulled it in (as @shopify/shopify-api and esbuild once were) can vanish
// with that something's next release. The app's own imports must be runtime dependencies.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return name === "node_modules" ? [] : sources(rel);
    return /\.(ts|tsx|mjs|js|cjs)$/.test(name) ? [rel] : [];
  });
}

const SPECIFIER =
  /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bimport\(\s*|\brequire\(\s*|\bexport\s+(?:type\s+)?[\w*{}\s,$]+?\s+from\s+)["']([^"']+)["']/g;

/** The packages a file imports (by package name), leaving out relative paths, aliases and Node's own. */
export function importedPackages(source: string): string[] {
  const names = new Set<string>();
  for (const [, spec] of source.matchAll(SPECIFIER)) {
    if (/^(\.|\/|~\/|node:|virtual:)/.test(spec!)) continue;
    const parts = spec!.split("/");
    const name = spec!.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
    if (builtinModules.includes(name)) continue;
    names.add(name);
  }
  return [...names];
}

function undeclared(files: string[], declared: Set<string>) {
  return files.flatMap((file) =>
    importedPackages(readFileSync(path.join(root, file), "utf8"))
      .filter((name) => !declared.has(name))
      .map((name) => `${file}: ${name}`),
  );
}

describe("declared dependencies", () => {
  const all = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);

  it("finds imports the way the code writes them", () => {
    expect(
      importedPackages(
        `import a from "pg";\nimport type { B } from "@scope/pkg/sub";\nimport "side-effect";\n` +
          `const c = await import("dyn");\nimport { x } from "./local";\nimport fs from "node:fs";\nimport os from "os";\n` +
          `export { y } from "re-export";\nimport {\n  z,\n} from "multi-line";`,
      ).sort(),
    ).toEqual(["@scope/pkg", "dyn", "multi-line", "pg", "re-export", "side-effect"]);
  });

  it("declares every package the tests and scripts import", () => {
    const files = [...sources("tests"), ...sources("scripts")].filter((f) => f !== "tests/dependencies.test.ts"); // its samples
    expect(files.length).toBeGreaterThan(40);
    expect(undeclared(files, all)).toEqual([]);
  });

  it("declares every package the app and server import, as a runtime dependency where the build needs it", () => {
    const files = [...sources("app").filter((f) => !f.endsWith(".test.ts")), "server.mjs"];
    expect(undeclared(files, all)).toEqual([]);
    // The server build keeps these external: `npm ci --omit=dev` must install them (the Dockerfile does).
    const runtime = new Set(Object.keys(pkg.dependencies));
    // vite: only `npm run dev` loads it (server.mjs imports it when NODE_ENV=development).
    expect(undeclared(files, runtime).filter((f) => !f.endsWith(": vite"))).toEqual([]);
  });
});
