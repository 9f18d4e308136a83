// The theme app extension passes Shopify's own tooling (theme check, `shopify app build`, both
// offline), its translations are complete in every language, and its script stays small.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const theme = path.join(root, "extensions/loyalty-theme");
const run = promisify(execFile);
const cli = path.join(root, "node_modules/@shopify/cli/bin/run.js");
const env = { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1", CI: "1", FORCE_COLOR: "0" };

function keys(obj: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === "object" && v !== null ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe("theme app extension", () => {
  it("passes theme check with no offenses", async () => {
    const { stdout } = await run(
      process.execPath,
      [cli, "theme", "check", "--path", theme, "--fail-level", "suggestion", "--output", "json"],
      { env, cwd: root, maxBuffer: 1 << 24 },
    );
    const report = JSON.parse(stdout.slice(stdout.indexOf("[")));
    expect(report.flatMap((file: { offenses: unknown[] }) => file.offenses)).toEqual([]);
  }, 180_000);

  it("builds with `shopify app build`", async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [cli, "app", "build", "--path", root, "--skip-dependencies-installation"],
      { env, cwd: root, maxBuffer: 1 << 24 },
    );
    expect(stdout + stderr).toContain("built!");
    expect(stdout + stderr).not.toContain("[error]");
  }, 180_000);

  it("has every storefront string in English, German and Persian", () => {
    const locales = Object.fromEntries(
      readdirSync(path.join(theme, "locales"))
        .filter((f) => !f.includes(".schema."))
        .map((f) => [f, keys(JSON.parse(readFileSync(path.join(theme, "locales", f), "utf8"))).sort()]),
    );
    expect(Object.keys(locales).sort()).toEqual(["de.json", "en.default.json", "fa.json"]);
    expect(locales["de.json"]).toEqual(locales["en.default.json"]);
    expect(locales["fa.json"]).toEqual(locales["en.default.json"]);
    const used = readdirSync(path.join(theme, "blocks")).flatMap((f) =>
      [...readFileSync(path.join(theme, "blocks", f), "utf8").matchAll(/'(loyalty\.[a-z_.]+)' \| t/g)].map((m) => m[1]!),
    );
    expect(used.length).toBeGreaterThan(10);
    for (const key of used) expect(locales["en.default.json"]).toContain(key);
  });

  it("keeps the launcher script within its 12 KB gzipped budget", () => {
    const size = gzipSync(readFileSync(path.join(theme, "assets/launcher.js")), { level: 9 }).length;
    expect(size).toBeLessThanOrEqual(12 * 1024);
  });
});
