// The theme editor as far as an app's deep link reaches it: `…/themes/current/editor?context=apps
// &activateAppId=<api key>/<embed handle>` opens the App embeds panel with that embed switched on.
// The stand-in reads the app's theme extension, checks that the handle is one of its app embeds
// (a block whose schema targets body, head or compliance_head) and that the key is the app's, and
// says what it would switch on.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const EXTENSION = path.resolve(import.meta.dirname, "../../extensions/loyalty-theme");

export interface AppEmbed {
  handle: string;
  name: string;
  target: string;
}

/** The theme extension's app embeds, with their names as the editor shows them (English). */
export function appEmbeds(): AppEmbed[] {
  const locale = JSON.parse(readFileSync(path.join(EXTENSION, "locales/en.default.schema.json"), "utf8"));
  const translate = (text: string) =>
    text.startsWith("t:")
      ? (text
          .slice(2)
          .split(".")
          .reduce((o, k) => o?.[k], locale) ?? text)
      : text;
  return readdirSync(path.join(EXTENSION, "blocks"))
    .filter((f) => f.endsWith(".liquid"))
    .map((f) => {
      const source = readFileSync(path.join(EXTENSION, "blocks", f), "utf8");
      const schema = JSON.parse(/\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(source)![1]!);
      return {
        handle: f.replace(/\.liquid$/, ""),
        name: String(translate(schema.name)),
        target: String(schema.target ?? "section"),
      };
    })
    .filter((b) => ["body", "head", "compliance_head"].includes(b.target));
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function themeEditorPage(options: {
  shopName: string;
  apiKey: string;
  appName: string;
  params: URLSearchParams;
  record: (activation: string) => void;
}): { status: number; html: string } {
  const { params } = options;
  const activate = params.get("activateAppId") ?? "";
  const [key, handle] = activate.split("/");
  const embeds = appEmbeds();
  let status = 200;
  let message: string;
  if (params.get("context") !== "apps") {
    message = "The editor opened on the theme's sections (no <code>context=apps</code>).";
  } else if (!activate) {
    message = "App embeds are shown; nothing was switched on (no <code>activateAppId</code>).";
  } else if (key !== options.apiKey || !embeds.some((e) => e.handle === handle)) {
    status = 404;
    message = `No app embed <code>${escape(activate)}</code>: the app's key is <code>${escape(options.apiKey)}</code> and its embeds are ${embeds.map((e) => `<code>${e.handle}</code>`).join(", ")}.`;
  } else {
    options.record(activate);
    const embed = embeds.find((e) => e.handle === handle)!;
    message = `<strong id="activated-embed">${escape(embed.name)}</strong> from ${escape(options.appName)} is switched on. Save the theme to keep it.`;
  }
  const rows = embeds
    .map(
      (e) =>
        `<li><span>${escape(e.name)} <small>${escape(options.appName)}</small></span><span class="toggle" data-on="${key === options.apiKey && e.handle === handle}">${key === options.apiKey && e.handle === handle ? "On" : "Off"}</span></li>`,
    )
    .join("");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Customize theme · ${escape(options.shopName)} · Shopify admin (emulated)</title><link rel="icon" href="data:,">
<style>
  body{margin:0;font:13px/1.4 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;background:#f1f1f1;color:#303030}
  header{background:#1a1a1a;color:#e3e3e3;display:flex;align-items:center;gap:12px;padding:0 16px;height:48px}
  header b{color:#fff} main{display:grid;grid-template-columns:320px 1fr;min-height:calc(100vh - 48px)}
  aside{background:#fff;border-right:1px solid #e3e3e3;padding:16px} h1{font-size:14px;margin:0 0 12px}
  ul{list-style:none;padding:0;margin:12px 0} li{display:flex;justify-content:space-between;align-items:center;padding:8px 0;border-top:1px solid #ebebeb}
  small{display:block;color:#616161} .toggle{border-radius:10px;padding:2px 8px;background:#e3e3e3} .toggle[data-on="true"]{background:#29845a;color:#fff}
  .preview{display:grid;place-items:center;color:#616161} p.note{margin:0} code{font-size:12px}
  @media (max-width:700px){main{grid-template-columns:1fr}.preview{display:none}}
</style></head>
<body>
<header><b>Shopify</b><span>theme editor (emulated) · Dawn</span><span style="margin-left:auto">${escape(options.shopName)}</span></header>
<main><aside aria-label="App embeds"><h1>App embeds</h1><p class="note" role="status">${message}</p><ul>${rows}</ul>
<p class="note"><small>Template: ${escape(params.get("template") ?? "index")}</small></p></aside>
<div class="preview">Theme preview</div></main>
</body></html>`;
  return { status, html };
}
