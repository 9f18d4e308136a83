// After the admin changed what decides tiers (the program's tiers, a member's points), the members
// whose Shopify tag no longer matches are queued at once (durably, in the request), and this
// process starts working through the queue in the background, after the answer. Failures are
// retried on a timer here, and by the job thread's periodic run (app/models/tier-tags.server.ts).
import db from "~/db.server";
import { nextTierTagRetry, queueTierTags, syncTierTags } from "~/models/tier-tags.server";
import { adminGraphqlFor } from "~/shopify/admin.server";
import { errorText, log } from "~/log.server";

let draining: Promise<void> | null = null;
let again = false;
let retry: ReturnType<typeof setTimeout> | null = null;

function drain() {
  if (draining) {
    again = true;
    return;
  }
  draining = (async () => {
    do {
      again = false;
      await syncTierTags(db, adminGraphqlFor);
    } while (again);
    const next = await nextTierTagRetry(db);
    if (next) {
      if (retry) clearTimeout(retry);
      retry = setTimeout(drain, Math.min(Math.max(next.getTime() - Date.now(), 1_000), 3_600_000));
      retry.unref();
    }
  })()
    .catch((error) => log("warn", "tier tags: sync failed", { error: errorText(error) }))
    .finally(() => {
      draining = null;
    });
}

/** Queues the shop's members (or one customer's) whose tier tag is out of date, and starts syncing. */
export async function tierTagsMayHaveChanged(shopId: string, options: { customerId?: string } = {}) {
  try {
    const queued = await queueTierTags(db, shopId, options);
    if (queued > 0) drain();
  } catch (error) {
    // The change itself is saved; the periodic sweep queues what this missed.
    log("warn", "tier tags: queueing failed", { shop: shopId, error: errorText(error) });
  }
}
