-- Reconciliation with Shopify: one row per shop (lease, how far it has compared, the last report).
CREATE TABLE "Reconciliation" (
    "shopId" TEXT NOT NULL PRIMARY KEY,
    "lockedUntil" DATETIME,
    "checkedUntil" DATETIME,
    "lastRunAt" DATETIME,
    "lastReport" TEXT
);
