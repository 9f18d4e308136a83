import "@shopify/ui-extensions";

declare module "./src/Checkout.tsx" {
  const shopify: import("@shopify/ui-extensions/purchase.checkout.reductions.render-after").Api;
  const globalThis: { shopify: typeof shopify };
}
