-- Analytics (issue 9, ADR 0015): referral activity in the quarter-hour slots, tier changes as
-- rows, and triggers that follow updates too (a member's state or enrolment date, an entry's
-- date), so the aggregates stay exact under corrections and backfills as well as appends.

ALTER TABLE "AnalyticsSlot" ADD COLUMN "referralRewards" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "referralPoints" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "referralOpens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "referralShares" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "AnalyticsDelta" ADD COLUMN "referralRewards" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "referralPoints" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "referralOpens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "referralShares" INTEGER NOT NULL DEFAULT 0;

-- An entry's contribution, signed: +1 for the entry as it is, -1 to take back what it was.
CREATE FUNCTION "analytics_entry_contribution"(sign INTEGER, shop TEXT, created TIMESTAMP, kind TEXT, points INTEGER) RETURNS VOID AS $$
  INSERT INTO "AnalyticsDelta" ("shopId", "slot", "pointsIssued", "pointsNet", "pointsExpired", "referralRewards", "referralPoints")
  SELECT shop, "analytics_slot"(created),
    sign * CASE WHEN kind IN ('earn', 'bonus', 'referral') OR (kind IN ('adjustment', 'import') AND points > 0) THEN points ELSE 0 END,
    sign * points,
    sign * CASE WHEN kind = 'expiry' THEN -points ELSE 0 END,
    sign * CASE WHEN kind = 'referral' THEN 1 ELSE 0 END,
    sign * CASE WHEN kind = 'referral' THEN points ELSE 0 END
  WHERE kind <> 'release'
$$ LANGUAGE SQL;

CREATE OR REPLACE FUNCTION "analytics_entry_delta"() RETURNS TRIGGER AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD."createdAt" IS NOT DISTINCT FROM NEW."createdAt" AND OLD."points" = NEW."points" AND OLD."kind" = NEW."kind"
       AND OLD."shopId" = NEW."shopId" THEN
      RETURN NULL;
    END IF;
    PERFORM "analytics_entry_contribution"(-1, OLD."shopId", OLD."createdAt", OLD."kind", OLD."points");
  END IF;
  PERFORM "analytics_entry_contribution"(1, NEW."shopId", NEW."createdAt", NEW."kind", NEW."points");
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Appends as before (release entries skip the call); a correction or backfill that rewrites an entry moves its contribution.
DROP TRIGGER "LedgerEntry_analytics" ON "LedgerEntry";
CREATE TRIGGER "LedgerEntry_analytics" AFTER INSERT ON "LedgerEntry"
FOR EACH ROW WHEN (NEW."kind" <> 'release') EXECUTE FUNCTION "analytics_entry_delta"();
CREATE TRIGGER "LedgerEntry_analytics_update" AFTER UPDATE ON "LedgerEntry"
FOR EACH ROW WHEN (OLD."createdAt" IS DISTINCT FROM NEW."createdAt" OR OLD."points" IS DISTINCT FROM NEW."points"
  OR OLD."kind" IS DISTINCT FROM NEW."kind" OR OLD."shopId" IS DISTINCT FROM NEW."shopId") EXECUTE FUNCTION "analytics_entry_delta"();

-- "Members joined" counts active members by enrolment: an opt-out, an erasure or a corrected
-- enrolment date moves the count as the full scan would.
CREATE FUNCTION "analytics_member_update_delta"() RETURNS TRIGGER AS $$
BEGIN
  IF OLD."state" = NEW."state" AND OLD."enrolledAt" = NEW."enrolledAt" AND OLD."shopId" = NEW."shopId" THEN
    RETURN NULL;
  END IF;
  IF OLD."state" = 'active' THEN
    INSERT INTO "AnalyticsDelta" ("shopId", "slot", "joined") VALUES (OLD."shopId", "analytics_slot"(OLD."enrolledAt"), -1);
  END IF;
  IF NEW."state" = 'active' THEN
    INSERT INTO "AnalyticsDelta" ("shopId", "slot", "joined") VALUES (NEW."shopId", "analytics_slot"(NEW."enrolledAt"), 1);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Only when one of them changed: balance updates (every order) do not call it.
CREATE TRIGGER "Member_analytics_update" AFTER UPDATE ON "Member"
FOR EACH ROW WHEN (OLD."state" IS DISTINCT FROM NEW."state" OR OLD."enrolledAt" IS DISTINCT FROM NEW."enrolledAt"
  OR OLD."shopId" IS DISTINCT FROM NEW."shopId") EXECUTE FUNCTION "analytics_member_update_delta"();

-- Referral entries that existed before, folded in once.
INSERT INTO "AnalyticsDelta" ("shopId", "slot", "referralRewards", "referralPoints")
SELECT "shopId", "analytics_slot"("createdAt"), 1, "points" FROM "LedgerEntry" WHERE "kind" = 'referral';

-- Tier changes, written beside the tier.changed outbox event (app/models/tier-changes.server.ts).
CREATE TABLE "TierChange" (
    "id" SERIAL NOT NULL,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "fromTier" TEXT,
    "toTier" TEXT,
    "fromThreshold" INTEGER NOT NULL,
    "toThreshold" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TierChange_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "TierChange_shopId_createdAt_idx" ON "TierChange"("shopId", "createdAt");
CREATE UNIQUE INDEX "TierChange_shopId_eventKey_key" ON "TierChange"("shopId", "eventKey");
