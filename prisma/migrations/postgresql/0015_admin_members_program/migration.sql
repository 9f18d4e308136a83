-- The admin: members searched by name, sorted and paged by keyset (an index per sort), filtered by a
-- whole tag, excluded by the merchant; program versions with an anniversary bonus, double-points
-- campaigns and the document as saved (for the history); translations of rewards and tiers.
-- AlterTable
ALTER TABLE "ProgramVersion" ADD COLUMN     "anniversaryBonus" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "campaigns" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "document" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Reward" ADD COLUMN     "translations" TEXT NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "Tier" ADD COLUMN     "translations" TEXT NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "excludedAt" TIMESTAMP(3),
ADD COLUMN     "excludedBy" TEXT,
ADD COLUMN     "name" TEXT,
ADD COLUMN     "nameKey" TEXT,
ADD COLUMN     "nameKeyLast" TEXT,
ADD COLUMN     "tagKey" TEXT NOT NULL DEFAULT ',';

-- CreateIndex
CREATE INDEX "Member_shopId_available_id_idx" ON "Member"("shopId", "available", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_lifetimeEarned_id_idx" ON "Member"("shopId", "lifetimeEarned", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_lastActivityAt_id_idx" ON "Member"("shopId", "lastActivityAt", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_enrolledAt_id_idx" ON "Member"("shopId", "enrolledAt", "id");

-- CreateIndex
CREATE INDEX "Member_shopId_nameKey_idx" ON "Member"("shopId", "nameKey");

-- CreateIndex
CREATE INDEX "Member_shopId_nameKeyLast_idx" ON "Member"("shopId", "nameKeyLast");


-- Members from before: their tags as the pilot filter finds them (Shopify writes "a, b").
UPDATE "Member" SET "tagKey" = ',' || lower(replace("tags", ', ', ',')) || ',' WHERE "tags" <> '';
