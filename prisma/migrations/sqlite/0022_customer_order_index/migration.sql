-- A shop's orders by customer, covering what the Analytics page's per-customer figures read
-- (participation, repeat rates, the holdout comparison), in place of the (shop, customer) index it
-- extends: a long period (a year of a 1,000,000-order shop) is grouped by customer as the index
-- is read, instead of sorting the period's orders by customer in a temporary B-tree (ADR 0015).
DROP INDEX "OrderFact_shopId_customerId_idx";
CREATE INDEX "OrderFact_customer_idx" ON "OrderFact"("shopId", "customerId", "paidAt", "earnedPoints", "paid", "cancelled", "subtotalMinor", "refundedMinor");
