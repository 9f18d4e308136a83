-- A shop's orders by customer, covering what the Analytics page's per-customer figures read, in
-- place of the (shop, customer) index it extends (the same index as on SQLite, ADR 0015; the
-- PostgreSQL planner hashes a period's customers instead and may read either).
DROP INDEX "OrderFact_shopId_customerId_idx";
CREATE INDEX "OrderFact_customer_idx" ON "OrderFact"("shopId", "customerId", "paidAt") INCLUDE ("earnedPoints", "paid", "cancelled", "subtotalMinor", "refundedMinor");
