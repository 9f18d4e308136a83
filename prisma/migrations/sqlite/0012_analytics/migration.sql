-- Analytics: figures pre-aggregated per quarter hour (UTC), kept exact by triggers on the tables
-- every writer already fills (ADR 0015). A trigger appends a signed delta row (no row is ever
-- updated by two writers); foldAnalytics moves deltas into the slots. Readers add both.
-- Quarter hours: every time zone's day starts on one, so any shop's day is a whole number of slots.

-- Program settings for analytics: the holdout's share of customers and the gross margin for ROI.
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
    PRIMARY KEY ("shopId", "slot")
) WITHOUT ROWID;

-- Each shop's points outstanding over everything folded so far (the fold adds to it), so a
-- period's running balance needs only the slots from its start on.
CREATE TABLE "AnalyticsTotal" (
    "shopId" TEXT NOT NULL,
    "pointsNet" BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY ("shopId")
);

CREATE TABLE "AnalyticsDelta" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopId" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "netMinor" BIGINT NOT NULL DEFAULT 0,
    "memberOrders" INTEGER NOT NULL DEFAULT 0,
    "memberNetMinor" BIGINT NOT NULL DEFAULT 0,
    "pointsIssued" BIGINT NOT NULL DEFAULT 0,
    "pointsNet" BIGINT NOT NULL DEFAULT 0,
    "pointsExpired" BIGINT NOT NULL DEFAULT 0,
    "joined" INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX "AnalyticsDelta_shopId_slot_idx" ON "AnalyticsDelta"("shopId", "slot");

-- The discount each code took off a paid order (shop currency, minor units), as the order said it.
CREATE TABLE "OrderDiscount" (
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "paidAt" DATETIME NOT NULL,
    PRIMARY KEY ("shopId", "orderId", "code")
);
CREATE INDEX "OrderDiscount_shopId_paidAt_idx" ON "OrderDiscount"("shopId", "paidAt");

-- Period scans (customers with orders, repeat rates) read only this index.
CREATE INDEX "OrderFact_analytics_idx" ON "OrderFact"("shopId", "paidAt", "customerId", "earnedPoints", "paid", "cancelled", "subtotalMinor", "refundedMinor", "memberId");
CREATE INDEX "Redemption_shopId_createdAt_idx" ON "Redemption"("shopId", "createdAt");
CREATE INDEX "Member_shopId_enrolledAt_idx" ON "Member"("shopId", "enrolledAt");

-- An order counts from when it is paid, until it is cancelled: its subtotal less refunds; a member order earned points.
CREATE TRIGGER "OrderFact_analytics_insert" AFTER INSERT ON "OrderFact"
WHEN NEW."paid" AND NOT NEW."cancelled" AND NEW."paidAt" IS NOT NULL AND NEW."subtotalMinor" IS NOT NULL
BEGIN
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "orders", "netMinor", "memberOrders", "memberNetMinor")
  VALUES (NEW."shopId", CAST(strftime('%s', NEW."paidAt") AS INTEGER) / 900, 1, NEW."subtotalMinor" - NEW."refundedMinor",
    NEW."earnedPoints" > 0, CASE WHEN NEW."earnedPoints" > 0 THEN NEW."subtotalMinor" - NEW."refundedMinor" ELSE 0 END);
END;

CREATE TRIGGER "OrderFact_analytics_update" AFTER UPDATE ON "OrderFact"
WHEN NOT (OLD."paid" IS NEW."paid" AND OLD."cancelled" IS NEW."cancelled" AND OLD."paidAt" IS NEW."paidAt"
  AND OLD."subtotalMinor" IS NEW."subtotalMinor" AND OLD."refundedMinor" IS NEW."refundedMinor"
  AND (OLD."earnedPoints" > 0) IS (NEW."earnedPoints" > 0) AND OLD."shopId" IS NEW."shopId")
BEGIN
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "orders", "netMinor", "memberOrders", "memberNetMinor")
  SELECT OLD."shopId", CAST(strftime('%s', OLD."paidAt") AS INTEGER) / 900, -1, OLD."refundedMinor" - OLD."subtotalMinor",
    -(OLD."earnedPoints" > 0), CASE WHEN OLD."earnedPoints" > 0 THEN OLD."refundedMinor" - OLD."subtotalMinor" ELSE 0 END
  WHERE OLD."paid" AND NOT OLD."cancelled" AND OLD."paidAt" IS NOT NULL AND OLD."subtotalMinor" IS NOT NULL;
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "orders", "netMinor", "memberOrders", "memberNetMinor")
  SELECT NEW."shopId", CAST(strftime('%s', NEW."paidAt") AS INTEGER) / 900, 1, NEW."subtotalMinor" - NEW."refundedMinor",
    NEW."earnedPoints" > 0, CASE WHEN NEW."earnedPoints" > 0 THEN NEW."subtotalMinor" - NEW."refundedMinor" ELSE 0 END
  WHERE NEW."paid" AND NOT NEW."cancelled" AND NEW."paidAt" IS NOT NULL AND NEW."subtotalMinor" IS NOT NULL;
END;

-- Entries are append-only: points issued (earn, bonus, referral, positive adjustment or import),
-- every balance move (release only moves pending to available), points expired.
CREATE TRIGGER "LedgerEntry_analytics_insert" AFTER INSERT ON "LedgerEntry"
WHEN NEW."kind" <> 'release'
BEGIN
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "pointsIssued", "pointsNet", "pointsExpired")
  VALUES (NEW."shopId", CAST(strftime('%s', NEW."createdAt") AS INTEGER) / 900,
    CASE WHEN NEW."kind" IN ('earn', 'bonus', 'referral') OR (NEW."kind" IN ('adjustment', 'import') AND NEW."points" > 0)
      THEN NEW."points" ELSE 0 END,
    NEW."points",
    CASE WHEN NEW."kind" = 'expiry' THEN -NEW."points" ELSE 0 END);
END;

CREATE TRIGGER "Member_analytics_insert" AFTER INSERT ON "Member"
WHEN NEW."state" = 'active'
BEGIN
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "joined")
  VALUES (NEW."shopId", CAST(strftime('%s', NEW."enrolledAt") AS INTEGER) / 900, 1);
END;

-- What the app already holds, folded in once.
INSERT INTO "AnalyticsDelta" ("shopId", "slot", "orders", "netMinor", "memberOrders", "memberNetMinor")
SELECT "shopId", CAST(strftime('%s', "paidAt") AS INTEGER) / 900, 1, "subtotalMinor" - "refundedMinor",
  "earnedPoints" > 0, CASE WHEN "earnedPoints" > 0 THEN "subtotalMinor" - "refundedMinor" ELSE 0 END
FROM "OrderFact" WHERE "paid" AND NOT "cancelled" AND "paidAt" IS NOT NULL AND "subtotalMinor" IS NOT NULL;
INSERT INTO "AnalyticsDelta" ("shopId", "slot", "pointsIssued", "pointsNet", "pointsExpired")
SELECT "shopId", CAST(strftime('%s', "createdAt") AS INTEGER) / 900,
  CASE WHEN "kind" IN ('earn', 'bonus', 'referral') OR ("kind" IN ('adjustment', 'import') AND "points" > 0) THEN "points" ELSE 0 END,
  "points", CASE WHEN "kind" = 'expiry' THEN -"points" ELSE 0 END
FROM "LedgerEntry" WHERE "kind" <> 'release';
INSERT INTO "AnalyticsDelta" ("shopId", "slot", "joined")
SELECT "shopId", CAST(strftime('%s', "enrolledAt") AS INTEGER) / 900, 1 FROM "Member" WHERE "state" = 'active';

-- Customers the holdout keeps out of the club (recorded when one of their orders is decided), for
-- the comparison with members. Personal data: customers/redact deletes the row.
CREATE TABLE "HoldoutCustomer" (
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    PRIMARY KEY ("shopId", "customerId")
);

-- The weekly summary, one event per shop and week (Monday to Sunday in the shop's zone), for
-- the shop's email or Flow to pick up: deliveredAt is for whoever delivers it.
CREATE TABLE "AnalyticsSummary" (
    "shopId" TEXT NOT NULL,
    "weekStart" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" DATETIME,
    PRIMARY KEY ("shopId", "weekStart")
);
CREATE INDEX "AnalyticsSummary_deliveredAt_idx" ON "AnalyticsSummary"("deliveredAt");
