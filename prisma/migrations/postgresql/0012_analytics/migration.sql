-- Analytics: figures pre-aggregated per quarter hour (UTC), kept exact by triggers on the tables
-- every writer already fills (ADR 0015). A trigger appends a signed delta row (no row is ever
-- updated by two writers, so no lock is contended); foldAnalytics moves deltas into the slots.
-- Readers add both. Every time zone's day starts on a quarter hour.

ALTER TABLE "ProgramVersion" ADD COLUMN "holdoutPercent" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "ProgramVersion" ADD COLUMN "grossMarginPercent" INTEGER NOT NULL DEFAULT 50;

CREATE TABLE "AnalyticsSlot" (
    "shopId" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "netMinor" BIGINT NOT NULL DEFAULT 0,
    "memberOrders" INTEGER NOT NULL DEFAULT 0,
    "memberNetMinor" BIGINT NOT NULL DEFAULT 0,
    "pointsIssued" BIGINT NOT NULL DEFAULT 0,
    "pointsNet" BIGINT NOT NULL DEFAULT 0,
    "pointsExpired" BIGINT NOT NULL DEFAULT 0,
    "joined" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "AnalyticsSlot_pkey" PRIMARY KEY ("shopId", "slot")
);

-- Each shop's points outstanding over everything folded so far (the fold adds to it), so a
-- period's running balance needs only the slots from its start on.
CREATE TABLE "AnalyticsTotal" (
    "shopId" TEXT NOT NULL,
    "pointsNet" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "AnalyticsTotal_pkey" PRIMARY KEY ("shopId")
);

CREATE TABLE "AnalyticsDelta" (
    "id" SERIAL NOT NULL,
    "shopId" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "netMinor" BIGINT NOT NULL DEFAULT 0,
    "memberOrders" INTEGER NOT NULL DEFAULT 0,
    "memberNetMinor" BIGINT NOT NULL DEFAULT 0,
    "pointsIssued" BIGINT NOT NULL DEFAULT 0,
    "pointsNet" BIGINT NOT NULL DEFAULT 0,
    "pointsExpired" BIGINT NOT NULL DEFAULT 0,
    "joined" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "AnalyticsDelta_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "AnalyticsDelta_shopId_slot_idx" ON "AnalyticsDelta"("shopId", "slot");

CREATE TABLE "OrderDiscount" (
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "paidAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "OrderDiscount_pkey" PRIMARY KEY ("shopId", "orderId", "code")
);
CREATE INDEX "OrderDiscount_shopId_paidAt_idx" ON "OrderDiscount"("shopId", "paidAt");

CREATE INDEX "OrderFact_analytics_idx" ON "OrderFact"("shopId", "paidAt") INCLUDE ("customerId", "earnedPoints", "paid", "cancelled", "subtotalMinor", "refundedMinor", "memberId");
CREATE INDEX "Redemption_shopId_createdAt_idx" ON "Redemption"("shopId", "createdAt");
CREATE INDEX "Member_shopId_enrolledAt_idx" ON "Member"("shopId", "enrolledAt");

CREATE FUNCTION "analytics_slot"(ts TIMESTAMP) RETURNS INTEGER AS $$
  SELECT floor(extract(epoch FROM ts) / 900)::INTEGER
$$ LANGUAGE SQL IMMUTABLE;

CREATE FUNCTION "analytics_order_delta"() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."paid" IS NOT DISTINCT FROM NEW."paid" AND OLD."cancelled" IS NOT DISTINCT FROM NEW."cancelled"
     AND OLD."paidAt" IS NOT DISTINCT FROM NEW."paidAt" AND OLD."subtotalMinor" IS NOT DISTINCT FROM NEW."subtotalMinor"
     AND OLD."refundedMinor" IS NOT DISTINCT FROM NEW."refundedMinor" AND (OLD."earnedPoints" > 0) = (NEW."earnedPoints" > 0)
     AND OLD."shopId" = NEW."shopId" THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD."paid" AND NOT OLD."cancelled" AND OLD."paidAt" IS NOT NULL AND OLD."subtotalMinor" IS NOT NULL THEN
    INSERT INTO "AnalyticsDelta" ("shopId", "slot", "orders", "netMinor", "memberOrders", "memberNetMinor")
    VALUES (OLD."shopId", "analytics_slot"(OLD."paidAt"), -1, OLD."refundedMinor" - OLD."subtotalMinor",
      CASE WHEN OLD."earnedPoints" > 0 THEN -1 ELSE 0 END,
      CASE WHEN OLD."earnedPoints" > 0 THEN OLD."refundedMinor" - OLD."subtotalMinor" ELSE 0 END);
  END IF;
  IF NEW."paid" AND NOT NEW."cancelled" AND NEW."paidAt" IS NOT NULL AND NEW."subtotalMinor" IS NOT NULL THEN
    INSERT INTO "AnalyticsDelta" ("shopId", "slot", "orders", "netMinor", "memberOrders", "memberNetMinor")
    VALUES (NEW."shopId", "analytics_slot"(NEW."paidAt"), 1, NEW."subtotalMinor" - NEW."refundedMinor",
      CASE WHEN NEW."earnedPoints" > 0 THEN 1 ELSE 0 END,
      CASE WHEN NEW."earnedPoints" > 0 THEN NEW."subtotalMinor" - NEW."refundedMinor" ELSE 0 END);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "OrderFact_analytics" AFTER INSERT OR UPDATE ON "OrderFact"
FOR EACH ROW EXECUTE FUNCTION "analytics_order_delta"();

CREATE FUNCTION "analytics_entry_delta"() RETURNS TRIGGER AS $$
BEGIN
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "pointsIssued", "pointsNet", "pointsExpired")
  VALUES (NEW."shopId", "analytics_slot"(NEW."createdAt"),
    CASE WHEN NEW."kind" IN ('earn', 'bonus', 'referral') OR (NEW."kind" IN ('adjustment', 'import') AND NEW."points" > 0)
      THEN NEW."points" ELSE 0 END,
    NEW."points",
    CASE WHEN NEW."kind" = 'expiry' THEN -NEW."points" ELSE 0 END);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "LedgerEntry_analytics" AFTER INSERT ON "LedgerEntry"
FOR EACH ROW WHEN (NEW."kind" <> 'release') EXECUTE FUNCTION "analytics_entry_delta"();

CREATE FUNCTION "analytics_member_delta"() RETURNS TRIGGER AS $$
BEGIN
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "joined") VALUES (NEW."shopId", "analytics_slot"(NEW."enrolledAt"), 1);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Member_analytics" AFTER INSERT ON "Member"
FOR EACH ROW WHEN (NEW."state" = 'active') EXECUTE FUNCTION "analytics_member_delta"();

INSERT INTO "AnalyticsDelta" ("shopId", "slot", "orders", "netMinor", "memberOrders", "memberNetMinor")
SELECT "shopId", "analytics_slot"("paidAt"), 1, "subtotalMinor" - "refundedMinor",
  CASE WHEN "earnedPoints" > 0 THEN 1 ELSE 0 END, CASE WHEN "earnedPoints" > 0 THEN "subtotalMinor" - "refundedMinor" ELSE 0 END
FROM "OrderFact" WHERE "paid" AND NOT "cancelled" AND "paidAt" IS NOT NULL AND "subtotalMinor" IS NOT NULL;
INSERT INTO "AnalyticsDelta" ("shopId", "slot", "pointsIssued", "pointsNet", "pointsExpired")
SELECT "shopId", "analytics_slot"("createdAt"),
  CASE WHEN "kind" IN ('earn', 'bonus', 'referral') OR ("kind" IN ('adjustment', 'import') AND "points" > 0) THEN "points" ELSE 0 END,
  "points", CASE WHEN "kind" = 'expiry' THEN -"points" ELSE 0 END
FROM "LedgerEntry" WHERE "kind" <> 'release';
INSERT INTO "AnalyticsDelta" ("shopId", "slot", "joined")
SELECT "shopId", "analytics_slot"("enrolledAt"), 1 FROM "Member" WHERE "state" = 'active';

-- Customers the holdout keeps out of the club (recorded when one of their orders is decided), for
-- the comparison with members. Personal data: customers/redact deletes the row.
CREATE TABLE "HoldoutCustomer" (
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    PRIMARY KEY ("shopId", "customerId")
);

CREATE TABLE "AnalyticsSummary" (
    "shopId" TEXT NOT NULL,
    "weekStart" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    CONSTRAINT "AnalyticsSummary_pkey" PRIMARY KEY ("shopId", "weekStart")
);
CREATE INDEX "AnalyticsSummary_deliveredAt_idx" ON "AnalyticsSummary"("deliveredAt");
