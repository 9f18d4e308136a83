// Loaded into the app process with `node --import` (tests and the demo only): sends the app's
// calls to https://<shop>.myshopify.com/… to the store emulator instead. It must run before
// @shopify/shopify-app-remix/adapters/node captures globalThis.fetch.
const emulator = process.env.STORE_EMULATOR_URL;
if (!emulator) throw new Error("STORE_EMULATOR_URL is not set");
const nativeFetch = globalThis.fetch;

globalThis.fetch = async function emulatedShopifyFetch(input, init) {
  const url = new URL(typeof input === "string" || input instanceof URL ? String(input) : input.url);
  if (url.hostname.endsWith(".myshopify.com")) {
    const target = `${emulator}/${url.hostname}${url.pathname}${url.search}`;
    if (input instanceof Request) return nativeFetch(new Request(target, input), init);
    return nativeFetch(target, init);
  }
  return nativeFetch(input, init);
};
