-- Referrals keep when the friend's first order was paid (the order's time), so that the Analytics
-- page reads a period's referred first orders by an index range instead of every referral of the
-- shop and its order; and by when they were decided, for the referral stats.
ALTER TABLE "Referral" ADD COLUMN "paidAt" DATETIME;
UPDATE "Referral" SET "paidAt" = (SELECT "o"."paidAt" FROM "OrderFact" "o"
  WHERE "o"."shopId" = "Referral"."shopId" AND "o"."orderId" = "Referral"."orderId");
CREATE INDEX "Referral_shopId_paidAt_idx" ON "Referral"("shopId", "paidAt");
CREATE INDEX "Referral_shopId_createdAt_idx" ON "Referral"("shopId", "createdAt");
