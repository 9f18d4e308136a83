// Hosts the app's checkout and customer-account UI extensions on the emulated storefront, as
// Shopify's checkout, thank-you and account pages do: the bundles `shopify app build` makes, each
// target in a frame of its own with a stand-in for the `shopify` global (extension-host/shopify.js)
// and for the Polaris web components (extension-host/polaris.js). Tests and the demo only.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const root = path.resolve(import.meta.dirname, "../..");
const HOST = path.join(import.meta.dirname, "extension-host");
export const UI_EXTENSIONS = ["loyalty-checkout", "loyalty-thank-you", "loyalty-account"] as const;
export type UiExtension = (typeof UI_EXTENSIONS)[number];

export interface BuiltExtension {
  handle: UiExtension;
  /** the bundle as `shopify app build` wrote it */
  js: string;
  /** the extension's translations by language */
  locales: Record<string, Record<string, unknown>>;
}

let built: Promise<Map<UiExtension, BuiltExtension>> | null = null;

/** Builds the UI extensions once per process with the Shopify CLI, offline, in a copy of the app. */
export function uiExtensions(): Promise<Map<UiExtension, BuiltExtension>> {
  built ??= buildWithCli();
  return built;
}

export async function buildWithCli(): Promise<Map<UiExtension, BuiltExtension>> {
  const app = mkdtempSync(path.join(os.tmpdir(), "lc-ui-build-"));
  try {
    for (const file of ["shopify.app.toml", "package.json"]) cpSync(path.join(root, file), path.join(app, file));
    for (const dir of [...UI_EXTENSIONS, "ui-shared"]) {
      cpSync(path.join(root, "extensions", dir), path.join(app, "extensions", dir), {
        recursive: true,
        filter: (src) => !src.includes(`${path.sep}dist`),
      });
    }
    symlinkSync(path.join(root, "node_modules"), path.join(app, "node_modules"));
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        path.join(root, "node_modules/@shopify/cli/bin/run.js"),
        "app",
        "build",
        "--path",
        app,
        "--skip-dependencies-installation",
      ],
      { env: { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1", CI: "1", FORCE_COLOR: "0" }, cwd: app, maxBuffer: 1 << 24 },
    );
    if (!(stdout + stderr).includes("built!")) throw new Error(`shopify app build failed:\n${stdout}${stderr}`);
    const result = new Map<UiExtension, BuiltExtension>();
    for (const handle of UI_EXTENSIONS) {
      const dir = path.join(root, "extensions", handle, "locales");
      const locales = Object.fromEntries(
        readdirSync(dir).map((f) => [f.split(".")[0]!, JSON.parse(readFileSync(path.join(dir, f), "utf8"))]),
      );
      result.set(handle, {
        handle,
        js: readFileSync(path.join(app, "extensions", handle, "dist", `${handle}.js`), "utf8"),
        locales,
      });
    }
    return result;
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}

/** What Shopify knows in the page that hosts an extension. */
export interface FrameContext {
  frameId: string;
  target: string;
  surface: "checkout" | "customer-account";
  language: string;
  currency: string;
  /** merchandise subtotal, a number as the checkout API gives it */
  subtotal: number;
  customerId: number | null;
  discountCodes: string[];
  /** the order-level discounts of those codes, in the shop's currency */
  discountAllocations: Array<{ code: string; amount: number }>;
  canUpdateDiscountCodes: boolean;
  orderId: number | null;
  orderName: string | null;
  /** where the app really runs (the extension's built-in URL is routed here) */
  appUrl: string;
  /** where `extension:` and `shopify:` links lead on this storefront */
  links: Record<string, string>;
}

const builtInAppUrl = () =>
  /^application_url\s*=\s*"([^"]+)"/m.exec(readFileSync(path.join(root, "shopify.app.toml"), "utf8"))![1]!;
const RTL = new Set(["fa", "ar", "he", "ur"]);

/** The document inside an extension's frame. */
export function frameDocument(ext: BuiltExtension, ctx: FrameContext): string {
  const translations = ext.locales[ctx.language] ?? ext.locales.en!;
  const json = JSON.stringify({
    ...ctx,
    builtInAppUrl: builtInAppUrl(),
    translations,
    fallbackTranslations: ext.locales.en,
  }).replace(/</g, "\\u003c");
  return `<!doctype html><html lang="${ctx.language}" dir="${RTL.has(ctx.language) ? "rtl" : "ltr"}"><head><meta charset="utf-8">
<link rel="stylesheet" href="/_ext/host/polaris.css"></head><body>
<script>window.__EXT__ = ${json};</script>
<script src="/_ext/host/polaris.js"></script>
<script src="/_ext/host/shopify.js"></script>
<script src="/_ext/bundle/${ext.handle}.js"></script>
</body></html>`;
}

/** A frame in a host page, growing with its content. */
export function frameTag(id: string, src: string, title: string): string {
  return `<iframe id="${id}" data-extension-frame src="${src}" title="${title}" style="width:100%;border:0;height:0;display:block"></iframe>
<script>addEventListener("message", (e) => { if (e.data?.type === "loyalty-ext:height" && e.data.id === ${JSON.stringify(id)}) document.getElementById(${JSON.stringify(id)}).style.height = e.data.height + "px"; });</script>`;
}

/** The stand-ins' own files (polaris.js, polaris.css, shopify.js). */
export function hostFile(name: string): { type: string; body: Buffer } | null {
  if (!/^[a-z]+\.(js|css)$/.test(name)) return null;
  try {
    return { type: name.endsWith(".js") ? "text/javascript" : "text/css", body: readFileSync(path.join(HOST, name)) };
  } catch {
    return null;
  }
}
