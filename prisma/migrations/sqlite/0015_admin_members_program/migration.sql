-- The admin: members searched by name, sorted and paged by keyset (an index per sort), filtered by a
-- whole tag, excluded by the merchant; program versions with an anniversary bonus, double-points
-- campaigns and the document as saved (for the history); translations of rewards and tiers.
-- AlterTable
ALTER TABLE "ProgramVersion" ADD COLUMN "anniversaryBonus" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "ProgramVersion" ADD COLUMN "campaigns" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "ProgramVersion" ADD COLUMN "document" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Reward" ADD COLUMN "translations" TEXT NOT NULL DEFAULT '{}';
ALTER TABLE "Tier" ADD COLUMN "translations" TEXT NOT NULL DEFAULT '{}';
ALTER TABLE "Member" ADD COLUMN "name" TEXT;
ALTER TABLE "Member" ADD COLUMN "nameKey" TEXT;
ALTER TABLE "Member" ADD COLUMN "nameKeyLast" TEXT;
ALTER TABLE "Member" ADD COLUMN "tagKey" TEXT NOT NULL DEFAULT ',';
ALTER TABLE "Member" ADD COLUMN "excludedAt" DATETIME;
ALTER TABLE "Member" ADD COLUMN "excludedBy" TEXT;

-- CreateIndex
CREATE INDEX "Member_shopId_available_id_idx" ON "Member"("shopId", "available", "id");
CREATE INDEX "Member_shopId_lifetimeEarned_id_idx" ON "Member"("shopId", "lifetimeEarned", "id");
CREATE INDEX "Member_shopId_lastActivityAt_id_idx" ON "Member"("shopId", "lastActivityAt", "id");
CREATE INDEX "Member_shopId_enrolledAt_id_idx" ON "Member"("shopId", "enrolledAt", "id");
CREATE INDEX "Member_shopId_nameKey_idx" ON "Member"("shopId", "nameKey");
CREATE INDEX "Member_shopId_nameKeyLast_idx" ON "Member"("shopId", "nameKeyLast");


-- Members from before: their tags as the pilot filter finds them (Shopify writes "a, b").
UPDATE "Member" SET "tagKey" = ',' || lower(replace("tags", ', ', ',')) || ',' WHERE "tags" <> '';
