-- AlterTable
ALTER TABLE "Reward" ADD COLUMN     "maxDiscountMinor" INTEGER;

