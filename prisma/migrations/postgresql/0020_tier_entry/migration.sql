-- Tier entry: a program reaches tiers by points or by amount spent, over the member's lifetime or
-- a rolling 12 months. A tier keeps a threshold for each measure; a member keeps the value the
-- program measures (when it is not lifetime points, which is lifetimeEarned) and when it is next
-- to be computed again (an order or points leaving the window, or the program's tier rules changed).
ALTER TABLE "ProgramVersion" ADD COLUMN "tierMeasure" TEXT NOT NULL DEFAULT 'points';
ALTER TABLE "ProgramVersion" ADD COLUMN "tierPeriod" TEXT NOT NULL DEFAULT 'lifetime';
ALTER TABLE "Tier" ADD COLUMN "thresholdSpendMinor" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Member" ADD COLUMN "tierValue" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Member" ADD COLUMN "tierValueDropsAt" TIMESTAMP(3);
CREATE INDEX "Member_tierValueDropsAt_idx" ON "Member"("tierValueDropsAt");
CREATE INDEX "Member_shopId_tierValue_id_idx" ON "Member"("shopId", "tierValue", "id");
