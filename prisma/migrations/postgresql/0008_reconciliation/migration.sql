-- Reconciliation with Shopify: one row per shop (lease, how far it has compared, the last report).
CREATE TABLE "Reconciliation" (
    "shopId" TEXT NOT NULL,
    "lockedUntil" TIMESTAMP(3),
    "checkedUntil" TIMESTAMP(3),
    "lastRunAt" TIMESTAMP(3),
    "lastReport" TEXT,
    CONSTRAINT "Reconciliation_pkey" PRIMARY KEY ("shopId")
);
