// The admin home's setup guide: its steps, in the order a merchant takes them, and the theme
// editor link that switches the storefront launcher on.
export const SETUP_STEPS = ["program", "rewards", "tiers", "members", "embed", "pilot", "launch"] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

/** The launcher's app embed: its block file in extensions/loyalty-theme/blocks/, without `.liquid`. */
export const LAUNCHER_EMBED_HANDLE = "launcher";

/**
 * Shopify's deep link into the theme editor that opens the App embeds panel with the app's embed
 * switched on (the merchant still saves the theme): `activateAppId` is the app's API key (client
 * id) and the embed's handle.
 */
export function appEmbedDeepLink(shopDomain: string, apiKey: string, handle = LAUNCHER_EMBED_HANDLE): string {
  const activate = `${encodeURIComponent(apiKey)}/${encodeURIComponent(handle)}`;
  return `https://${shopDomain}/admin/themes/current/editor?context=apps&template=index&activateAppId=${activate}`;
}

/** A customer tag as a pilot takes it: trimmed, Shopify's 255-character limit. */
export function pilotTagProblem(tag: string): string | null {
  const t = tag.trim();
  if (t === "") return "Choose the customer tag of the customers who try the club first.";
  if (t.length > 255) return "A tag has at most 255 characters.";
  if (t.includes(",")) return "One tag, without commas.";
  return null;
}
