// One entry per webhook topic the app subscribes to (shopify.app.toml): how its body is
// checked at the door and what processing it does later, from the inbox.
import type { Db } from "~/db.server";
import { exportCustomer, redactCustomer, syncCustomer } from "~/models/members.server";
import type { OrderEvent } from "~/domain/orders";
import { applyOrderEvent } from "~/models/orders.server";
import { redactShop, uninstallShop } from "~/models/shops.server";
import { forgetProduct, syncProduct } from "~/models/products.server";
import {
  parseComplianceCustomer,
  parseCustomer,
  parseOrderEvent,
  parseProduct,
  parseShopRedact,
  parseShopResource,
  ShopMismatchError,
} from "./payloads";
import { minimisePayload } from "./minimise";
import { log } from "~/log.server";

export interface TopicHandler {
  /**
   * Throws ShopMismatchError when the body names another shop than X-Shopify-Shop-Domain, and
   * PayloadError when the body cannot be used.
   */
  validate(body: unknown, shopId: string): void;
  /** the JSON the inbox stores: only the fields processing reads (app/webhooks/minimise.ts) */
  minimise(body: unknown): string;
  /** processed at once, before answering, instead of through the inbox */
  inline?: boolean;
  /** still accepted after uninstall (Shopify sends these up to 48 hours later) */
  afterUninstall?: boolean;
  /** order topics: the event, so the worker can apply many in one transaction */
  orderEvent?(body: unknown): OrderEvent;
  process(db: Db, shopId: string, body: unknown, actor: string): Promise<void>;
}

// The header is not signed: a genuine body replayed under another shop's domain must not act there.
// Checked before the rest of the body, so a replay is refused even when its body is unusable too;
// a body without the field fails its schema instead.
function sameShop(shopId: string, body: unknown, field: "shop_domain" | "myshopify_domain"): void {
  const named = (body as Record<string, unknown>)[field];
  if (typeof named === "string" && named !== shopId) {
    throw new ShopMismatchError(`${field} names another shop than X-Shopify-Shop-Domain`);
  }
}

const compliance = (body: unknown, shopId: string) => {
  sameShop(shopId, body, "shop_domain");
  return parseComplianceCustomer(body);
};

const shopRedact = (body: unknown, shopId: string) => {
  sameShop(shopId, body, "shop_domain");
  return parseShopRedact(body);
};

const shopResource = (body: unknown, shopId: string) => {
  sameShop(shopId, body, "myshopify_domain");
  return parseShopResource(body);
};

const orderTopic = (topic: string): TopicHandler => ({
  validate: (body) => void parseOrderEvent(topic, body),
  orderEvent: (body) => parseOrderEvent(topic, body),
  minimise: (body) => minimisePayload(topic, body),
  process: async (db, shopId, body, actor) => {
    await applyOrderEvent(db, shopId, parseOrderEvent(topic, body), actor);
  },
});

const customerTopic = (topic: string): TopicHandler => ({
  validate: (body) => void parseCustomer(body),
  minimise: (body) => minimisePayload(topic, body),
  process: (db, shopId, body) => syncCustomer(db, shopId, parseCustomer(body)),
});

// A product's tags decide whether its lines earn (the program may exclude tags).
const productTopic = (topic: string): TopicHandler => ({
  validate: (body) => void parseProduct(body),
  minimise: (body) => minimisePayload(topic, body),
  process: (db, shopId, body) => {
    const product = parseProduct(body);
    return topic === "products/delete" ? forgetProduct(db, shopId, product.productId) : syncProduct(db, shopId, product);
  },
});

const HANDLERS: Array<[string, TopicHandler]> = [
  ["orders/paid", orderTopic("orders/paid")],
  ["orders/cancelled", orderTopic("orders/cancelled")],
  ["refunds/create", orderTopic("refunds/create")],
  ["customers/create", customerTopic("customers/create")],
  ["customers/update", customerTopic("customers/update")],
  ["products/create", productTopic("products/create")],
  ["products/update", productTopic("products/update")],
  ["products/delete", productTopic("products/delete")],
  [
    "app/uninstalled",
    {
      validate: (body, shopId) => void shopResource(body, shopId),
      minimise: (body) => minimisePayload("app/uninstalled", body),
      inline: true,
      process: async (db, shopId, body) => {
        shopResource(body, shopId); // again: a dead letter's Retry comes here without the door
        await uninstallShop(db, shopId);
      },
    },
  ],
  [
    "customers/data_request",
    {
      validate: (body, shopId) => void compliance(body, shopId),
      minimise: (body) => minimisePayload("customers/data_request", body),
      afterUninstall: true,
      process: async (db, shopId, body) => {
        const { customerId, requestId } = compliance(body, shopId);
        await exportCustomer(db, shopId, customerId, requestId ?? `request-${customerId}`);
      },
    },
  ],
  [
    "customers/redact",
    {
      validate: (body, shopId) => void compliance(body, shopId),
      minimise: (body) => minimisePayload("customers/redact", body),
      afterUninstall: true,
      process: async (db, shopId, body) => {
        const { customerId, orderIds } = compliance(body, shopId);
        await redactCustomer(db, shopId, customerId, orderIds);
      },
    },
  ],
  [
    "shop/redact",
    {
      validate: (body, shopId) => void shopRedact(body, shopId),
      minimise: (body) => minimisePayload("shop/redact", body),
      afterUninstall: true,
      process: async (db, shopId, body) => {
        shopRedact(body, shopId);
        // Shopify sends shop/redact 48 hours after an uninstall. For a shop that is installed
        // (it came back, or the request is not what it claims) deleting everything is never right.
        const shop = await db.shop.findUnique({ where: { id: shopId }, select: { uninstalledAt: true } });
        if (shop && shop.uninstalledAt === null) {
          log("warn", "shop/redact skipped: the shop is installed", { shop: shopId });
          return;
        }
        await redactShop(db, shopId);
      },
    },
  ],
];

/** The topic table. A Map, so that a path such as /webhooks/constructor names no handler. */
export const TOPIC_HANDLERS: ReadonlyMap<string, TopicHandler> = new Map(HANDLERS);
