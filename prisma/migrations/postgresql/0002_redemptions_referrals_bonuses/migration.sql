-- AlterTable
ALTER TABLE "ProgramVersion" ADD COLUMN     "birthdayBonus" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "refereePercent" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "referrerPoints" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "returnSpentPointsOnRefund" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "signupBonus" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Reward" ADD COLUMN     "codeValidDays" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "minimumSubtotalMinor" INTEGER,
ADD COLUMN     "variantId" TEXT;

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "addressHashes" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "birthdayDay" INTEGER,
ADD COLUMN     "birthdayMonth" INTEGER;

-- CreateTable
CREATE TABLE "Redemption" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "rewardId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "pointsSpent" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "discountId" TEXT,
    "expiresAt" TIMESTAMP(3),
    "orderId" TEXT,
    "failure" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Redemption_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Referral" (
    "shopId" TEXT NOT NULL,
    "refereeCustomerId" TEXT NOT NULL,
    "referrerMemberId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Referral_pkey" PRIMARY KEY ("shopId","refereeCustomerId")
);

-- CreateIndex
CREATE INDEX "Redemption_status_createdAt_idx" ON "Redemption"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shopId_memberId_idempotencyKey_key" ON "Redemption"("shopId", "memberId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shopId_code_key" ON "Redemption"("shopId", "code");

