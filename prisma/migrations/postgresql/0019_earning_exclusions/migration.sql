-- Earning exclusions: gift-card lines and products the program excludes by tag earn nothing. An
-- order keeps the part of its subtotal that earned and the part of its refunds that took back
-- (reversals are in proportion to those); the program says which product tags it excludes, and
-- the products carrying them are kept from the products/* webhooks.
-- AlterTable
ALTER TABLE "ProgramVersion" ADD COLUMN     "excludedProductTags" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "OrderFact" ADD COLUMN     "earnSubtotalMinor" INTEGER,
ADD COLUMN     "refundedEarnMinor" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "Shop" ADD COLUMN "productTagsSynced" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "ExcludedProduct" (
    "shopId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExcludedProduct_pkey" PRIMARY KEY ("shopId","productId")
);

-- Orders from before earned on their whole subtotal.
UPDATE "OrderFact" SET "earnSubtotalMinor" = "subtotalMinor", "refundedEarnMinor" = "refundedMinor";
