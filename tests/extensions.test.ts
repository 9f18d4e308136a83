// The extensions pass Shopify's own tooling offline: theme check and `shopify app build` for the
// theme app extension (whose translations must be complete and whose script must stay small),
// `shopify app build` and a type check for the checkout and customer-account UI extensions,
// and, for the discount Function, what can be checked without Javy (which the CLI downloads
// to compile Functions to WebAssembly): it bundles as the CLI bundles it and runs in a bare
// JavaScript context, with no Node.js and only Shopify's readInput/writeOutput, as in Javy.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { build } from "esbuild";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { appEmbedDeepLink, LAUNCHER_EMBED_HANDLE } from "~/domain/setup";
import { earningSubtotal } from "../extensions/ui-shared/shopify";
import { buildWithCli } from "./emulator/extension-host.ts";
import { themeTextFiles } from "../scripts/theme-locales.mjs";
import { appEmbeds } from "./emulator/theme-editor.ts";

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
    // The app as the CLI sees it, minus the Function (its build needs Javy from GitHub).
    const app = mkdtempSync(path.join(os.tmpdir(), "lc-app-build-"));
    try {
      for (const file of ["shopify.app.toml", "package.json"]) cpSync(path.join(root, file), path.join(app, file));
      cpSync(theme, path.join(app, "extensions/loyalty-theme"), { recursive: true });
      // The Flow triggers and the Flow action (app/domain/flow.ts, app/routes/flow.actions.adjust-points.ts).
      for (const flow of readdirSync(path.join(root, "extensions")).filter((name) => name.startsWith("loyalty-flow-")))
        cpSync(path.join(root, "extensions", flow), path.join(app, "extensions", flow), { recursive: true });
      symlinkSync(path.join(root, "node_modules"), path.join(app, "node_modules"));
      const { stdout, stderr } = await run(
        process.execPath,
        [cli, "app", "build", "--path", app, "--skip-dependencies-installation"],
        { env, cwd: app, maxBuffer: 1 << 24 },
      );
      expect(stdout + stderr).toContain("built!");
      expect(stdout + stderr).not.toContain("[error]");
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
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
    const used = ["blocks", "snippets"].flatMap((dir) =>
      readdirSync(path.join(theme, dir)).flatMap((f) =>
        [...readFileSync(path.join(theme, dir, f), "utf8").matchAll(/'(loyalty\.[a-z_.]+)' \| t/g)].map((m) => m[1]!),
      ),
    );
    expect(used.length).toBeGreaterThan(10);
    // A key is there as a string, or as plural forms (`one`, `other`) chosen by `count`.
    const english = locales["en.default.json"]!;
    for (const key of used) expect(english.includes(key) || english.includes(`${key}.other`), key).toBe(true);
  });

  it("has its texts generated from the app's one catalogue (npm run theme:locales)", () => {
    for (const [file, content] of Object.entries(themeTextFiles())) {
      expect(readFileSync(path.join(root, file), "utf8"), `${file} is stale: run npm run theme:locales`).toBe(content);
    }
  });

  it("keeps the launcher script within its 12 KB gzipped budget", () => {
    const size = gzipSync(readFileSync(path.join(theme, "assets/launcher.js")), { level: 9 }).length;
    expect(size).toBeLessThanOrEqual(12 * 1024);
  });
});

describe("the setup guide's theme editor link", () => {
  it("names the launcher, an app embed of this extension, with the app's key", () => {
    const embeds = appEmbeds();
    expect(embeds.map((e) => e.handle)).toContain(LAUNCHER_EMBED_HANDLE);
    expect(embeds.find((e) => e.handle === LAUNCHER_EMBED_HANDLE)).toMatchObject({ target: "body", name: "Loyalty launcher" });
    const link = new URL(appEmbedDeepLink("shop-1.myshopify.com", "abc123"));
    expect(`${link.origin}${link.pathname}`).toBe("https://shop-1.myshopify.com/admin/themes/current/editor");
    expect(Object.fromEntries(link.searchParams)).toEqual({
      context: "apps",
      template: "index",
      activateAppId: `abc123/${LAUNCHER_EMBED_HANDLE}`,
    });
  });
});

describe("discount Function", () => {
  const fn = path.join(root, "extensions/loyalty-reward-discount");

  it("bundles to one dependency-free module and runs where only ShopifyFunction exists", async () => {
    // The entry the CLI generates: read the input, call the export, write the output.
    const bundle = await build({
      stdin: {
        contents: `import { cartLinesDiscountsGenerateRun } from "./src/index.ts";
          export function run() { ShopifyFunction.writeOutput(cartLinesDiscountsGenerateRun(ShopifyFunction.readInput())); }
          globalThis.__run = run;`,
        resolveDir: fn,
        loader: "ts",
      },
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      target: "es2022",
    });
    const code = bundle.outputFiles[0]!.text.replace(/^export\s*\{[^}]*\};?\s*$/m, "");
    expect(code).not.toMatch(/\brequire\(|from\s+["']node:/);

    const written: unknown[] = [];
    const input = {
      presentmentCurrencyRate: "1.0",
      cart: { cost: { subtotalAmount: { amount: "300.00" } }, lines: [] },
      discount: {
        discountClasses: ["ORDER"],
        metafield: { jsonValue: { type: "percentage", percent: 10, cap: "25.00", minimumSubtotal: null, message: "10% off" } },
      },
    };
    const sandbox = vm.createContext({
      ShopifyFunction: { readInput: () => input, writeOutput: (o: unknown) => written.push(o) },
    });
    vm.runInContext(`${code}; __run();`, sandbox);
    expect(JSON.parse(JSON.stringify(written))).toEqual([
      {
        operations: [
          {
            orderDiscountsAdd: {
              selectionStrategy: "FIRST",
              candidates: [
                {
                  message: "10% off",
                  targets: [{ orderSubtotal: { excludedCartLineIds: [] } }],
                  value: { fixedAmount: { amount: "25.00" } },
                },
              ],
            },
          },
        ],
      },
    ]);
  });

  it("declares the library the CLI builds it with", () => {
    const pkg = JSON.parse(readFileSync(path.join(fn, "package.json"), "utf8"));
    expect(pkg.dependencies["@shopify/shopify_function"]).toMatch(/^2\./);
  });
});

describe("checkout, thank-you and customer-account UI extensions", () => {
  const handles = ["loyalty-checkout", "loyalty-thank-you", "loyalty-account"] as const;
  const dir = (handle: string) => path.join(root, "extensions", handle);
  const sources = (handle: string) =>
    [path.join(dir(handle), "src"), path.join(root, "extensions/ui-shared")].flatMap((d) =>
      readdirSync(d).map((f) => readFileSync(path.join(d, f), "utf8")),
    );

  it("build with `shopify app build`, each within Shopify's 64 KB compressed limit", async () => {
    const built = await buildWithCli();
    for (const handle of handles) {
      const js = built.get(handle)!.js;
      const compressed = gzipSync(js, { level: 9 }).length;
      // Printed for the record: what each bundle weighs against the limit.
      console.log(`${handle}: ${(js.length / 1024).toFixed(1)} KB, ${(compressed / 1024).toFixed(1)} KB gzipped (limit 64 KB)`);
      expect(compressed).toBeLessThanOrEqual(64 * 1024);
      // The CLI's bundle registers every target the extension's toml names.
      const toml = readFileSync(path.join(dir(handle), "shopify.extension.toml"), "utf8");
      for (const [, target] of toml.matchAll(/target = "([^"]+)"/g)) expect(js).toContain(`shopify.extend("${target}"`);
    }
  }, 240_000);

  it("type-check against @shopify/ui-extensions 2026.10", async () => {
    const tsc = path.join(root, "node_modules/typescript/bin/tsc");
    for (const handle of handles) await run(process.execPath, [tsc, "-p", dir(handle)], { cwd: root });
    for (const handle of handles) {
      const pkg = JSON.parse(readFileSync(path.join(dir(handle), "package.json"), "utf8"));
      expect(pkg.dependencies["@shopify/ui-extensions"]).toMatch(/^2026\.10\./);
      expect(readFileSync(path.join(dir(handle), "shopify.extension.toml"), "utf8")).toContain('api_version = "2026-10"');
    }
  }, 120_000);

  it("have every string in English, German and Persian", () => {
    for (const handle of handles) {
      const read = (f: string) => keys(JSON.parse(readFileSync(path.join(dir(handle), "locales", f), "utf8"))).sort();
      const english = read("en.default.json");
      expect(read("de.json"), handle).toEqual(english);
      expect(read("fa.json"), handle).toEqual(english);
      // Every key-shaped literal in the sources this extension bundles that its locales should have.
      const used = new Set(sources(handle).flatMap((text) => [...text.matchAll(/"([a-z_]+(?:\.[a-z_]+)+)"/g)].map((m) => m[1]!)));
      const prefixes = new Set(english.map((k) => k.split(".")[0]));
      const own = [...used].filter((k) => prefixes.has(k.split(".")[0]!));
      expect(own.length, handle).toBeGreaterThan(3);
      for (const key of own) expect(english.includes(key) || english.includes(`${key}.other`), `${handle}: ${key}`).toBe(true);
    }
    // History lines are translated from their stable type.
    const account = keys(JSON.parse(readFileSync(path.join(dir("loyalty-account"), "locales/en.default.json"), "utf8")));
    for (const type of [
      "earn",
      "redeem",
      "reversal",
      "adjustment",
      "expiry",
      "bonus",
      "referral",
      "refund_of_redemption",
      "import",
      "draw_entry",
      "draw_refund",
    ]) {
      expect(account).toContain(`history.${type}`);
    }
  });

  it("estimate points on the subtotal less the order's discounts, in the order's currency", () => {
    const usd = (amount: number) => ({ amount, currencyCode: "USD" });
    expect(earningSubtotal(usd(32), [])).toBe(32);
    expect(earningSubtotal(usd(32), [{ discountedAmount: usd(5) }])).toBe(27);
    expect(earningSubtotal(usd(32.1), [{ discountedAmount: usd(0.1) }, { discountedAmount: usd(2) }])).toBe(30);
    expect(earningSubtotal(usd(32), [{ discountedAmount: { amount: 5, currencyCode: "EUR" } }])).toBe(32);
    expect(earningSubtotal(usd(10), [{ discountedAmount: usd(25) }])).toBe(0);
  });

  it("call the app where shopify.app.toml says it is", () => {
    const toml = readFileSync(path.join(root, "shopify.app.toml"), "utf8");
    const appUrl = /^application_url\s*=\s*"([^"]+)"/m.exec(toml)![1];
    expect(readFileSync(path.join(root, "extensions/ui-shared/app-url.ts"), "utf8")).toContain(`APP_URL = "${appUrl}"`);
  });
});

describe("members-only validation Function", () => {
  it("bundles to one dependency-free module and runs where only ShopifyFunction exists", async () => {
    const bundle = await build({
      stdin: {
        contents: `import { cartValidationsGenerateRun } from "./src/index.ts";
          globalThis.__run = () => ShopifyFunction.writeOutput(cartValidationsGenerateRun(ShopifyFunction.readInput()));`,
        resolveDir: path.join(root, "extensions/loyalty-members-only"),
        loader: "ts",
      },
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      target: "es2022",
    });
    const code = bundle.outputFiles[0]!.text;
    expect(code).not.toMatch(/\brequire\(|from\s+["']node:/);
    const written: unknown[] = [];
    const input = {
      localization: { language: { isoCode: "EN" } },
      shop: { localTime: { date: "2026-12-01" } },
      cart: {
        buyerIdentity: null,
        lines: [
          {
            id: "l1",
            merchandise: { __typename: "ProductVariant", product: { title: "Cap", hasTags: [{ tag: "vip", hasTag: true }] } },
          },
        ],
      },
      validation: {
        metafield: {
          jsonValue: { productTags: ["vip"], tierTags: [], tiers: [], rules: [{ tag: "vip", minTier: null, until: null }] },
        },
      },
    };
    const sandbox = vm.createContext({
      ShopifyFunction: { readInput: () => input, writeOutput: (o: unknown) => written.push(o) },
    });
    vm.runInContext(`${code}; __run();`, sandbox);
    expect(JSON.parse(JSON.stringify(written))).toEqual([
      {
        operations: [
          {
            validationAdd: {
              errors: [{ message: "Cap is for loyalty club members. Join the club to buy it.", target: "$.cart" }],
            },
          },
        ],
      },
    ]);
  });
});
