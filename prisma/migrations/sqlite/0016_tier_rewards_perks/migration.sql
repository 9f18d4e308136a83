-- Tier-only rewards (a reward restricted to members from a tier up) and each tier's perks, with
-- their texts in each storefront language.
-- AlterTable
ALTER TABLE "Reward" ADD COLUMN "minTierId" TEXT;
ALTER TABLE "Tier" ADD COLUMN "perks" TEXT NOT NULL DEFAULT '[]';
