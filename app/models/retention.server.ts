// How long the app keeps what it must not keep for ever (docs/data-protection.md).
import type { Db } from "~/db.server";

/** A dead letter keeps its payload this long for the merchant's Retry, then only its outline. */
export const DEAD_LETTER_PAYLOAD_DAYS = 30;

/**
 * Clears the payload of dead letters that failed more than 30 days ago (the row stays: topic,
 * webhook id, error, dates). Retry then marks it dead again with "no payload". Returns how many.
 */
export async function expireDeadLetterPayloads(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - DEAD_LETTER_PAYLOAD_DAYS * 86_400_000);
  const { count } = await db.webhookJob.updateMany({
    where: {
      status: "dead",
      payload: { not: null },
      OR: [{ processedAt: { lt: cutoff } }, { processedAt: null, receivedAt: { lt: cutoff } }],
    },
    data: { payload: null, customerId: null },
  });
  return count;
}
