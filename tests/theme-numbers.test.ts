// The theme's Liquid writes numbers as the launcher script does (Intl.NumberFormat with the
// shopper's locale): the same digits and grouping in "Earn N points" and in the launcher.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Liquid, type Context } from "liquidjs";
import { describe, expect, it } from "vitest";

const theme = path.resolve(import.meta.dirname, "../extensions/loyalty-theme");
const liquid = new Liquid({ partials: [path.join(theme, "snippets")], extname: ".liquid" });
liquid.registerFilter("t", function (this: { context: Context }, key: string) {
  let value: unknown = (this.context.globals as { strings: unknown }).strings;
  for (const part of key.split(".")) value = (value as Record<string, unknown>)[part];
  return value;
});
const strings = (locale: string) =>
  JSON.parse(readFileSync(path.join(theme, "locales", locale === "en" ? "en.default.json" : `${locale}.json`), "utf8"));

describe("numbers in the theme's Liquid", () => {
  it("match Intl.NumberFormat in English, German and Persian", async () => {
    for (const locale of ["en", "de", "fa"]) {
      for (const n of [0, 7, 42, 189, 999, 1000, 1250, 65_536, 1_234_567]) {
        const out = await liquid.parseAndRender(
          "{% render 'loyalty-number', n: n %}",
          { n },
          { globals: { strings: strings(locale) } },
        );
        expect(out.trim(), `${n} in ${locale}`).toBe(new Intl.NumberFormat(locale).format(n));
      }
    }
  });
});
