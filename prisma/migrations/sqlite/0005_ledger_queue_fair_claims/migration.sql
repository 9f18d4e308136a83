-- Idempotency keys keep a hash of what they posted; pending points wait in a queue beside the
-- (append-only) ledger; jobs are indexed for fair claims.
ALTER TABLE "LedgerEntry" ADD COLUMN "requestHash" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Redemption" ADD COLUMN "requestHash" TEXT NOT NULL DEFAULT '';

CREATE TABLE "PendingRelease" (
    "entryId" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "dueAt" DATETIME NOT NULL
);
CREATE INDEX "PendingRelease_dueAt_idx" ON "PendingRelease"("dueAt");
CREATE INDEX "PendingRelease_shopId_idx" ON "PendingRelease"("shopId");

-- Entries still pending were never released (releases used to flip the status).
INSERT INTO "PendingRelease" ("entryId", "shopId", "memberId", "points", "dueAt")
SELECT "id", "shopId", "memberId", "points", "availableAt" FROM "LedgerEntry" WHERE "status" = 'pending';
DROP INDEX "LedgerEntry_status_availableAt_idx";

DROP INDEX "WebhookJob_status_runAt_idx";
CREATE INDEX "WebhookJob_status_shopId_id_idx" ON "WebhookJob"("status", "shopId", "id");
CREATE INDEX "WebhookJob_status_topic_id_idx" ON "WebhookJob"("status", "topic", "id");
CREATE INDEX "WebhookJob_status_lockedUntil_idx" ON "WebhookJob"("status", "lockedUntil");
