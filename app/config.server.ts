// Start-up checks of the environment: settings that would quietly weaken a production server are
// refused before it takes a request, with one message naming each of them (server.mjs prints it
// and exits non-zero). Called where the configuration is first used (shopify.server.ts), which is
// when the server build loads.

/** Stand-ins for the offline store emulator: harmless in the demo and tests, a hole in production. */
const DEMO_ONLY = {
  APP_BRIDGE_URL: "loads App Bridge from somewhere other than Shopify's CDN",
  FRAME_ANCESTORS_EXTRA: "lets another origin frame the embedded admin",
  SHOP_CUSTOM_DOMAIN: "accepts shop domains other than *.myshopify.com",
} as const;

export class StartupConfigError extends Error {
  override readonly name = "StartupConfigError";
}

export function startupConfigProblems(env: Record<string, string | undefined>): string[] {
  if (env.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  // With an empty secret anyone can compute a "valid" webhook HMAC or app-proxy signature.
  if (!env.SHOPIFY_API_SECRET) problems.push("SHOPIFY_API_SECRET is empty: no webhook or storefront signature could be trusted");
  if (env.LOYALTY_DEMO !== "1") {
    for (const [name, risk] of Object.entries(DEMO_ONLY)) {
      if (env[name]) problems.push(`${name} is set: it ${risk} (offline demo only; LOYALTY_DEMO=1 allows it)`);
    }
  }
  return problems;
}

export function assertStartupConfig(env: Record<string, string | undefined> = process.env): void {
  const problems = startupConfigProblems(env);
  if (problems.length) {
    throw new StartupConfigError(`Loyalty Club will not start in production:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
