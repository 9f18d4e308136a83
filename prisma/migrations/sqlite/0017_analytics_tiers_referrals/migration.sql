-- Analytics (issue 9, ADR 0015): referral activity in the quarter-hour slots, tier changes as
-- rows, and triggers that follow updates too (a member's state or enrolment date, an entry's
-- date), so the aggregates stay exact under corrections and backfills as well as appends.

-- Referrals: referrer rewards (entries of kind referral) from the ledger's trigger; links opened
-- and shared are appended as deltas by the storefront routes that see them.
ALTER TABLE "AnalyticsSlot" ADD COLUMN "referralRewards" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "AnalyticsSlot" ADD COLUMN "referralPoints" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "AnalyticsSlot" ADD COLUMN "referralOpens" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "AnalyticsSlot" ADD COLUMN "referralShares" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "AnalyticsDelta" ADD COLUMN "referralRewards" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "AnalyticsDelta" ADD COLUMN "referralPoints" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "AnalyticsDelta" ADD COLUMN "referralOpens" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "AnalyticsDelta" ADD COLUMN "referralShares" INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER "LedgerEntry_analytics_insert";
CREATE TRIGGER "LedgerEntry_analytics_insert" AFTER INSERT ON "LedgerEntry"
WHEN NEW."kind" <> 'release'
BEGIN
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "pointsIssued", "pointsNet", "pointsExpired", "referralRewards", "referralPoints")
  VALUES (NEW."shopId", CAST(strftime('%s', NEW."createdAt") AS INTEGER) / 900,
    CASE WHEN NEW."kind" IN ('earn', 'bonus', 'referral') OR (NEW."kind" IN ('adjustment', 'import') AND NEW."points" > 0)
      THEN NEW."points" ELSE 0 END,
    NEW."points",
    CASE WHEN NEW."kind" = 'expiry' THEN -NEW."points" ELSE 0 END,
    NEW."kind" = 'referral',
    CASE WHEN NEW."kind" = 'referral' THEN NEW."points" ELSE 0 END);
END;

-- Entries are appended by the app; a correction or backfill that rewrites one moves its contribution.
CREATE TRIGGER "LedgerEntry_analytics_update" AFTER UPDATE ON "LedgerEntry"
WHEN NOT (OLD."createdAt" IS NEW."createdAt" AND OLD."points" IS NEW."points" AND OLD."kind" IS NEW."kind" AND OLD."shopId" IS NEW."shopId")
BEGIN
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "pointsIssued", "pointsNet", "pointsExpired", "referralRewards", "referralPoints")
  SELECT OLD."shopId", CAST(strftime('%s', OLD."createdAt") AS INTEGER) / 900,
    -(CASE WHEN OLD."kind" IN ('earn', 'bonus', 'referral') OR (OLD."kind" IN ('adjustment', 'import') AND OLD."points" > 0)
      THEN OLD."points" ELSE 0 END),
    -OLD."points",
    CASE WHEN OLD."kind" = 'expiry' THEN OLD."points" ELSE 0 END,
    -(OLD."kind" = 'referral'),
    CASE WHEN OLD."kind" = 'referral' THEN -OLD."points" ELSE 0 END
  WHERE OLD."kind" <> 'release';
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "pointsIssued", "pointsNet", "pointsExpired", "referralRewards", "referralPoints")
  SELECT NEW."shopId", CAST(strftime('%s', NEW."createdAt") AS INTEGER) / 900,
    CASE WHEN NEW."kind" IN ('earn', 'bonus', 'referral') OR (NEW."kind" IN ('adjustment', 'import') AND NEW."points" > 0)
      THEN NEW."points" ELSE 0 END,
    NEW."points",
    CASE WHEN NEW."kind" = 'expiry' THEN -NEW."points" ELSE 0 END,
    NEW."kind" = 'referral',
    CASE WHEN NEW."kind" = 'referral' THEN NEW."points" ELSE 0 END
  WHERE NEW."kind" <> 'release';
END;

-- "Members joined" counts active members by enrolment: an opt-out, an erasure or a corrected
-- enrolment date moves the count as the full scan would.
CREATE TRIGGER "Member_analytics_update" AFTER UPDATE ON "Member"
WHEN NOT (OLD."state" IS NEW."state" AND OLD."enrolledAt" IS NEW."enrolledAt" AND OLD."shopId" IS NEW."shopId")
BEGIN
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "joined")
  SELECT OLD."shopId", CAST(strftime('%s', OLD."enrolledAt") AS INTEGER) / 900, -1 WHERE OLD."state" = 'active';
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "joined")
  SELECT NEW."shopId", CAST(strftime('%s', NEW."enrolledAt") AS INTEGER) / 900, 1 WHERE NEW."state" = 'active';
END;

-- Referral entries that existed before, folded in once.
INSERT INTO "AnalyticsDelta" ("shopId", "slot", "referralRewards", "referralPoints")
SELECT "shopId", CAST(strftime('%s', "createdAt") AS INTEGER) / 900, 1, "points" FROM "LedgerEntry" WHERE "kind" = 'referral';

-- Tier changes, written beside the tier.changed outbox event (app/models/tier-changes.server.ts).
CREATE TABLE "TierChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "fromTier" TEXT,
    "toTier" TEXT,
    "fromThreshold" INTEGER NOT NULL,
    "toThreshold" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "TierChange_shopId_createdAt_idx" ON "TierChange"("shopId", "createdAt");
CREATE UNIQUE INDEX "TierChange_shopId_eventKey_key" ON "TierChange"("shopId", "eventKey");
