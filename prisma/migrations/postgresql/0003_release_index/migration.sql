-- DropIndex
DROP INDEX "LedgerEntry_shopId_status_availableAt_idx";

-- CreateIndex
CREATE INDEX "LedgerEntry_status_availableAt_idx" ON "LedgerEntry"("status", "availableAt");

