// Requests Shopify Flow sends the app (the trigger lifecycle callback, action runs): signed like
// webhooks (X-Shopify-Hmac-SHA256, base64 HMAC-SHA256 of the raw body with the API secret).
import { z } from "zod";
import { validWebhookHmac } from "~/webhooks/ingest.server";

export const flowError = (status: number, error: string, message: string) => Response.json({ error, message }, { status });

/** The verified JSON body of a Flow request, or the 4xx Response to answer. */
export async function flowBody(request: Request): Promise<unknown> {
  if (request.method !== "POST") throw flowError(405, "method_not_allowed", "POST only");
  const raw = Buffer.from(await request.arrayBuffer());
  const hmac = request.headers.get("X-Shopify-Hmac-Sha256");
  const secret = process.env.SHOPIFY_API_SECRET ?? "";
  if (!hmac) throw flowError(401, "missing_hmac", "X-Shopify-Hmac-SHA256 is required");
  if (!secret || !validWebhookHmac(raw, hmac, secret)) throw flowError(401, "invalid_hmac", "HMAC does not match the body");
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw flowError(400, "invalid_json", "the body is not JSON");
  }
}

const SHOP_DOMAIN = z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/);

export const LifecycleCallback = z.object({
  flow_trigger_definition_id: z.string().min(1),
  has_enabled_flow: z.boolean(),
  shopify_domain: SHOP_DOMAIN,
  timestamp: z.string().datetime({ offset: true }).optional(),
});

export const AdjustPointsRun = z.object({
  shopify_domain: SHOP_DOMAIN,
  action_run_id: z.string().min(1).max(200),
  properties: z.object({
    customer_id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform(String),
    Points: z
      .number()
      .int()
      .refine((n) => n !== 0 && Number.isSafeInteger(n), "Points must be a whole number other than 0"),
    Reason: z.string().trim().min(1, "Reason is required").max(200),
  }),
});
