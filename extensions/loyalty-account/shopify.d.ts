import "@shopify/ui-extensions";

declare module "./src/AccountPage.tsx" {
  const shopify: import("@shopify/ui-extensions/customer-account.page.render").Api;
  const globalThis: { shopify: typeof shopify };
}

declare module "./src/OrderIndexBlock.tsx" {
  const shopify: import("@shopify/ui-extensions/customer-account.order-index.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}
