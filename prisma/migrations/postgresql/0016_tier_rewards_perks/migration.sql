-- Tier-only rewards (members below the tier see them locked), the free product's title and
-- image as chosen in the admin's resource picker, and each tier's perks in each storefront language.
-- AlterTable
ALTER TABLE "Reward" ADD COLUMN "minTierId" TEXT;
ALTER TABLE "Reward" ADD COLUMN "productTitle" TEXT;
ALTER TABLE "Reward" ADD COLUMN "productImageUrl" TEXT;
ALTER TABLE "Tier" ADD COLUMN "perks" TEXT NOT NULL DEFAULT '[]';
