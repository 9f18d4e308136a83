// Calling Admin GraphQL with a shop's client (passed in, so tests use the store emulator's):
// throttled answers (HTTP 200 with a Throttled error, or 429) and server errors are retried with
// backoff; a refusal (GraphQL errors) is final. Calls also pace themselves on the leaky bucket
// Shopify reports (extensions.cost.throttleStatus), so a long job never runs the budget dry.

export type AdminGraphql = (
  query: string,
  variables?: Record<string, unknown>,
) => Promise<{ data?: unknown; errors?: unknown; extensions?: unknown }>;

export class ShopifyUnavailableError extends Error {
  readonly code = "shopify_unavailable";
}
export class ShopifyRejectedError extends Error {
  readonly code = "discount_rejected";
}
/** The app holds no offline session for the shop: it was uninstalled (perhaps a moment ago). */
export class ShopNotConnectedError extends Error {
  readonly code = "shop_not_connected";
  constructor(readonly shop: string) {
    super(`no offline session for ${shop}: the app is not installed there`);
  }
}

interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

function throttled(body: { errors?: unknown }): boolean {
  return Array.isArray(body.errors) && body.errors.some((e) => /throttled/i.test(String((e as { message?: string }).message)));
}

/** How long to wait before a call of `cost` points, given what the bucket held after the last one. */
export function throttleWaitMs(status: ThrottleStatus | undefined, cost: number): number {
  if (!status || status.restoreRate <= 0 || status.currentlyAvailable >= cost) return 0;
  return Math.ceil(((cost - status.currentlyAvailable) / status.restoreRate) * 1000);
}

export interface CallOptions {
  attempts?: number;
  /** the cost to keep in the bucket before calling (the query's requested cost) */
  cost?: number;
  sleep?: (ms: number) => Promise<void>;
}

const lastStatus = new WeakMap<AdminGraphql, ThrottleStatus>();
const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function adminCall(
  graphql: AdminGraphql,
  query: string,
  variables: Record<string, unknown>,
  options: CallOptions = {},
): Promise<Record<string, unknown>> {
  const attempts = options.attempts ?? 3;
  const sleep = options.sleep ?? pause;
  let lastError = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const wait = throttleWaitMs(lastStatus.get(graphql), options.cost ?? 0);
    if (wait > 0) await sleep(Math.min(wait, 10_000));
    try {
      const body = await graphql(query, variables);
      const status = (body.extensions as { cost?: { throttleStatus?: ThrottleStatus } } | undefined)?.cost?.throttleStatus;
      if (status) lastStatus.set(graphql, status);
      if (!throttled(body)) {
        if (body.errors)
          throw new ShopifyRejectedError(`Shopify refused the request: ${JSON.stringify(body.errors).slice(0, 300)}`);
        return body.data as Record<string, unknown>;
      }
      lastError = "throttled";
    } catch (error) {
      if (error instanceof ShopifyRejectedError) throw error;
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (attempt < attempts) await sleep(150 * 2 ** (attempt - 1));
  }
  throw new ShopifyUnavailableError(`Shopify did not answer (${lastError})`);
}
