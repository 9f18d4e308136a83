import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { assertStartupConfig } from "./config.server";
import db from "./db.server";
import { EncryptedSessionStorage } from "./session-storage.server";
import { currentRules, installShop } from "./models/shops.server";
import { publishProgram } from "./shopify/storefront-data.server";
import { SHOP_FOR_PROGRAM, type ShopForProgram } from "./shopify/operations";

function logLevel(name: string | undefined): LogSeverity {
  const levels: Record<string, LogSeverity> = {
    error: LogSeverity.Error,
    warning: LogSeverity.Warning,
    info: LogSeverity.Info,
    debug: LogSeverity.Debug,
  };
  return levels[name ?? ""] ?? (process.env.NODE_ENV === "development" ? LogSeverity.Info : LogSeverity.Warning);
}

// Refuse a weakening configuration before the library takes it (see config.server.ts).
assertStartupConfig();

const shopify = shopifyApp({
  apiKey: process.env.SHOPIFY_API_KEY,
  apiSecretKey: process.env.SHOPIFY_API_SECRET || "",
  apiVersion: ApiVersion.October26,
  scopes: process.env.SCOPES?.split(","),
  appUrl: process.env.SHOPIFY_APP_URL || "",
  authPathPrefix: "/auth",
  sessionStorage: new EncryptedSessionStorage(new PrismaSessionStorage(db)),
  distribution: AppDistribution.AppStore,
  future: { unstable_newEmbeddedAuthStrategy: true },
  // Info-level logs would print a line per storefront and admin request; warnings and errors only
  // unless SHOPIFY_LOG_LEVEL says otherwise (error | warning | info | debug).
  logger: { level: logLevel(process.env.SHOPIFY_LOG_LEVEL) },
  hooks: {
    // Runs once the offline token exists: the first admin request of a new (or returning) shop.
    afterAuth: async ({ session, admin }) => {
      const response = await admin.graphql(SHOP_FOR_PROGRAM);
      const { data } = (await response.json()) as { data: ShopForProgram };
      await installShop(db, {
        id: session.shop,
        name: data.shop.name,
        currency: data.shop.currencyCode,
        timezone: data.shop.ianaTimezone,
      });
      const shop = await db.shop.findUniqueOrThrow({ where: { id: session.shop } });
      await publishProgram(
        async (query, variables) => (await admin.graphql(query, { variables })).json(),
        await currentRules(db, shop.id, shop.programVersion),
      );
    },
  },
  ...(process.env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [process.env.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const apiVersion = ApiVersion.October26;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
