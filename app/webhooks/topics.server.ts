// One entry per webhook topic the app subscribes to (shopify.app.toml): how its body is
// checked at the door and what processing it does later, from the inbox.
import type { Db } from "~/db.server";
import { exportCustomer, redactCustomer, syncCustomer } from "~/models/members.server";
import { applyOrderEvent, type OrderEvent } from "~/models/orders.server";
import { redactShop, uninstallShop } from "~/models/shops.server";
import { parseComplianceCustomer, parseCustomer, parseOrderEvent, parseShopRedact } from "./payloads";

export interface TopicHandler {
  /** throws PayloadError when the body cannot be used */
  validate(body: unknown): void;
  /** processed at once, before answering, instead of through the inbox */
  inline?: boolean;
  /** still accepted after uninstall (Shopify sends these up to 48 hours later) */
  afterUninstall?: boolean;
  /** order topics: the event, so the worker can apply many in one transaction */
  orderEvent?(body: unknown): OrderEvent;
  process(db: Db, shopId: string, body: unknown, actor: string): Promise<void>;
}

const orderTopic = (topic: string): TopicHandler => ({
  validate: (body) => void parseOrderEvent(topic, body),
  orderEvent: (body) => parseOrderEvent(topic, body),
  process: async (db, shopId, body, actor) => {
    await applyOrderEvent(db, shopId, parseOrderEvent(topic, body), actor);
  },
});

const customerTopic: TopicHandler = {
  validate: (body) => void parseCustomer(body),
  process: (db, shopId, body) => syncCustomer(db, shopId, parseCustomer(body)),
};

export const TOPICS: Record<string, TopicHandler> = {
  "orders/paid": orderTopic("orders/paid"),
  "orders/cancelled": orderTopic("orders/cancelled"),
  "refunds/create": orderTopic("refunds/create"),
  "customers/create": customerTopic,
  "customers/update": customerTopic,
  "app/uninstalled": {
    validate: () => {},
    inline: true,
    process: (db, shopId) => uninstallShop(db, shopId),
  },
  "customers/data_request": {
    validate: (body) => void parseComplianceCustomer(body),
    afterUninstall: true,
    process: async (db, shopId, body) => {
      const { customerId, requestId } = parseComplianceCustomer(body);
      await exportCustomer(db, shopId, customerId, requestId ?? `request-${customerId}`);
    },
  },
  "customers/redact": {
    validate: (body) => void parseComplianceCustomer(body),
    afterUninstall: true,
    process: async (db, shopId, body) => {
      const { customerId, orderIds } = parseComplianceCustomer(body);
      await redactCustomer(db, shopId, customerId, orderIds);
    },
  },
  "shop/redact": {
    validate: (body) => void parseShopRedact(body),
    afterUninstall: true,
    process: (db, shopId) => redactShop(db, shopId),
  },
};
