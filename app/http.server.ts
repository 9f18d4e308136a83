/**
 * Adds origins to the frame-ancestors directive the Shopify library set, for admin frames other
 * than Shopify's own (the offline store emulator): FRAME_ANCESTORS_EXTRA="http://127.0.0.1:3100".
 */
export function extendFrameAncestors(headers: Headers, extra: string | undefined): void {
  const csp = headers.get("Content-Security-Policy");
  if (!extra || !csp) return;
  headers.set(
    "Content-Security-Policy",
    csp.replace(/frame-ancestors ([^;]*)/, (_, list: string) => `frame-ancestors ${list} ${extra}`),
  );
}
