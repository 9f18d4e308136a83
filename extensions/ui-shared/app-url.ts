// Where the extensions reach the app: shopify.app.toml's application_url (tests/extensions.test.ts
// keeps the two equal; `shopify app config link` sets both for a real app).
export const APP_URL = "https://example.com";
