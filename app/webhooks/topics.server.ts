// One entry per webhook topic the app subscribes to (shopify.app.toml): how its body is
// checked at the door and what processing it does later, from the inbox.
import type { Db } from "~/db.server";
import { exportCustomer, isRedactedCustomer, redactCustomer, syncCustomer } from "~/models/members.server";
import { applyOrderEvent } from "~/models/orders.server";
import { redactShop, uninstallShop } from "~/models/shops.server";
import { minimisePayload } from "./minimise";
import { parseComplianceCustomer, parseCustomer, parseOrderEvent, parseShopRedact } from "./payloads";

export interface TopicHandler {
  /** throws PayloadError when the body cannot be used */
  validate(body: unknown): void;
  /** the JSON the inbox stores: only the fields process() reads (app/webhooks/minimise.ts) */
  minimise(body: unknown): string;
  /** processed at once, before answering, instead of through the inbox */
  inline?: boolean;
  /** still accepted after uninstall (Shopify sends these up to 48 hours later) */
  afterUninstall?: boolean;
  process(db: Db, shopId: string, body: unknown, actor: string): Promise<void>;
}

const orderTopic = (topic: string): TopicHandler => ({
  validate: (body) => void parseOrderEvent(topic, body),
  minimise: (body) => minimisePayload(topic, body),
  process: async (db, shopId, body, actor) => {
    const event = parseOrderEvent(topic, body);
    // An order of a customer erased meanwhile (the job was already in the inbox): a guest's order.
    if (
      event.type !== "refund" &&
      event.order.customer &&
      (await isRedactedCustomer(db, shopId, event.order.customer.customerId))
    ) {
      event.order = { ...event.order, customer: null, email: null, shippingAddress: null };
    }
    await applyOrderEvent(db, shopId, event, actor);
  },
});

const customerTopic = (topic: string): TopicHandler => ({
  validate: (body) => void parseCustomer(body),
  minimise: (body) => minimisePayload(topic, body),
  process: (db, shopId, body) => syncCustomer(db, shopId, parseCustomer(body)),
});

export const TOPICS: Record<string, TopicHandler> = {
  "orders/paid": orderTopic("orders/paid"),
  "orders/cancelled": orderTopic("orders/cancelled"),
  "refunds/create": orderTopic("refunds/create"),
  "customers/create": customerTopic("customers/create"),
  "customers/update": customerTopic("customers/update"),
  "app/uninstalled": {
    validate: () => {},
    minimise: (body) => minimisePayload("app/uninstalled", body),
    inline: true,
    process: (db, shopId) => uninstallShop(db, shopId),
  },
  "customers/data_request": {
    minimise: (body) => minimisePayload("customers/data_request", body),
    validate: (body) => void parseComplianceCustomer(body),
    afterUninstall: true,
    process: async (db, shopId, body) => {
      const { customerId, requestId } = parseComplianceCustomer(body);
      await exportCustomer(db, shopId, customerId, requestId ?? `request-${customerId}`);
    },
  },
  "customers/redact": {
    minimise: (body) => minimisePayload("customers/redact", body),
    validate: (body) => void parseComplianceCustomer(body),
    afterUninstall: true,
    process: async (db, shopId, body) => {
      const { customerId, orderIds } = parseComplianceCustomer(body);
      await redactCustomer(db, shopId, customerId, orderIds);
    },
  },
  "shop/redact": {
    minimise: (body) => minimisePayload("shop/redact", body),
    validate: (body) => void parseShopRedact(body),
    afterUninstall: true,
    process: (db, shopId) => redactShop(db, shopId),
  },
};
