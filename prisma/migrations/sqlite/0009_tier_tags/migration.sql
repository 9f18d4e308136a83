-- Tier tags on Shopify customers: what the app last wrote, and a queue of members to bring in line.
-- AlterTable
ALTER TABLE "Member" ADD COLUMN "tierTag" TEXT;

-- CreateTable
CREATE TABLE "TierTagJob" (
    "memberId" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" DATETIME,
    "lastError" TEXT
);

-- CreateIndex
CREATE INDEX "TierTagJob_runAt_idx" ON "TierTagJob"("runAt");
