import { describe, expect, it } from "vitest";
import { assertStartupConfig, StartupConfigError, startupConfigProblems } from "./config.server";

const production = { NODE_ENV: "production", SHOPIFY_API_SECRET: "s3cret" };

describe("start-up configuration", () => {
  it("accepts a production configuration without the offline stand-ins", () => {
    expect(startupConfigProblems(production)).toEqual([]);
    expect(() => assertStartupConfig(production)).not.toThrow();
  });

  it("refuses an empty secret in production", () => {
    expect(startupConfigProblems({ ...production, SHOPIFY_API_SECRET: "" })).toEqual([
      expect.stringContaining("SHOPIFY_API_SECRET is empty"),
    ]);
  });

  it("refuses each offline stand-in in production unless LOYALTY_DEMO=1", () => {
    const standIns = { APP_BRIDGE_URL: "http://x/ab.js", FRAME_ANCESTORS_EXTRA: "http://x", SHOP_CUSTOM_DOMAIN: "x.com" };
    const problems = startupConfigProblems({ ...production, ...standIns });
    expect(problems).toHaveLength(3);
    for (const name of Object.keys(standIns)) expect(problems.some((p) => p.startsWith(`${name} is set`))).toBe(true);
    expect(startupConfigProblems({ ...production, ...standIns, LOYALTY_DEMO: "1" })).toEqual([]);
    expect(() => assertStartupConfig({ ...production, ...standIns })).toThrow(StartupConfigError);
  });

  it("leaves development and tests alone", () => {
    expect(startupConfigProblems({ NODE_ENV: "development", APP_BRIDGE_URL: "http://x" })).toEqual([]);
    expect(startupConfigProblems({ NODE_ENV: "test" })).toEqual([]);
  });
});
