// The webhook door: verify → persist in the inbox → answer. Work happens later (worker.server.ts).
// It runs as a plain Node handler in server.mjs, ahead of Remix, because this is the hottest
// path of the app (docs/decisions/0004-webhook-pipeline.md).
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Db } from "~/db.server";
import type { InboxWriter } from "./inbox.server";
import { customerOf, PayloadError, ShopMismatchError } from "./payloads";
import { TOPIC_HANDLERS } from "./topics.server";

export interface RawWebhook {
  path: string;
  /** header names in lower case, as node:http gives them */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface IngestAnswer {
  status: number;
  body: { ok: true } | { error: string; message: string };
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

function header(raw: RawWebhook, name: string): string | undefined {
  const value = raw.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body under the app's secret. */
export function validWebhookHmac(body: Buffer, hmac: string, secret: string): boolean {
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(hmac, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const fail = (status: number, error: string, message: string): IngestAnswer => ({ status, body: { error, message } });

export async function ingestWebhook(
  db: Db,
  inbox: InboxWriter,
  raw: RawWebhook,
  secret: string,
  onStored: () => void,
): Promise<IngestAnswer> {
  const topic = raw.path.replace(/^\/webhooks\//, "").replace(/\/$/, "");
  const handler = TOPIC_HANDLERS.get(topic);
  if (!handler) return fail(404, "unknown_topic", `no webhook route for ${topic}`);

  const hmac = header(raw, "x-shopify-hmac-sha256");
  if (!hmac) return fail(401, "missing_hmac", "X-Shopify-Hmac-Sha256 is required");
  if (!secret || !validWebhookHmac(raw.body, hmac, secret)) return fail(401, "invalid_hmac", "HMAC does not match the body");

  const shopId = header(raw, "x-shopify-shop-domain");
  const headerTopic = header(raw, "x-shopify-topic");
  const webhookId = header(raw, "x-shopify-webhook-id");
  if (!shopId || !headerTopic || !webhookId) {
    return fail(400, "missing_header", "X-Shopify-Shop-Domain, X-Shopify-Topic and X-Shopify-Webhook-Id are required");
  }
  if (!SHOP_DOMAIN.test(shopId)) return fail(400, "invalid_shop", "X-Shopify-Shop-Domain is not a myshopify.com domain");
  if (headerTopic !== topic) return fail(400, "topic_mismatch", `X-Shopify-Topic ${headerTopic} sent to /webhooks/${topic}`);

  let body: unknown;
  try {
    body = JSON.parse(raw.body.toString("utf8"));
  } catch {
    return fail(400, "invalid_json", "body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return fail(400, "invalid_json", "body is not a JSON object");
  }
  // A body that names another shop is refused and nothing is kept. A body the app cannot use is
  // kept as a dead letter under its stable code (not the message, which may quote the body).
  let deadLetter: string | null = null;
  try {
    handler.validate(body, shopId);
  } catch (error) {
    if (error instanceof ShopMismatchError) return fail(400, error.code, error.message);
    if (!(error instanceof PayloadError)) throw error;
    deadLetter = error.code;
  }

  if (handler.inline && !deadLetter) {
    await handler.process(db, shopId, body, `webhook:${webhookId}`);
    return { status: 200, body: { ok: true } };
  }

  const stored = await inbox.store({
    shopId,
    topic,
    webhookId,
    eventId: header(raw, "x-shopify-event-id") ?? null,
    customerId: customerOf(topic, body),
    payload: handler.minimise(body),
    afterUninstall: handler.afterUninstall === true,
    deadLetter,
  });
  if (stored && !deadLetter) onStored();
  // A repeat, or a shop that is not installed: acknowledged, nothing written.
  return { status: 200, body: { ok: true } };
}
