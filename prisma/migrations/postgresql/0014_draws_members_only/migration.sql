-- Seasonal draws and members-only products. Draws: draws, each member's standing in one, accepted entries (ticket ranges), winners.
-- Redemptions learn where a code came from (points, a draw's prize, a birthday gift).
-- AlterTable
ALTER TABLE "Redemption" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'points';
ALTER TABLE "Shop" ADD COLUMN "membersOnlyValidationId" TEXT;
-- The birthday gift the merchant chooses (a reward as a code, a set number of days before).
ALTER TABLE "ProgramVersion" ADD COLUMN "birthdayRewardId" TEXT;
ALTER TABLE "ProgramVersion" ADD COLUMN "birthdayGiftDaysBefore" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "AccessRule" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "minTierId" TEXT,
    "until" TEXT,
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccessRule_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "AccessRule_shopId_tag_key" ON "AccessRule"("shopId", "tag");

-- CreateTable
CREATE TABLE "Draw" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "pointsPerEntry" INTEGER NOT NULL,
    "maxEntriesPerCustomer" INTEGER NOT NULL,
    "winners" INTEGER NOT NULL,
    "prizeRewardId" TEXT,
    "state" TEXT NOT NULL DEFAULT 'open',
    "seed" TEXT NOT NULL,
    "commitment" TEXT NOT NULL,
    "nextTicket" INTEGER NOT NULL DEFAULT 0,
    "createdBy" TEXT NOT NULL DEFAULT 'staff',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "drawnAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),

    CONSTRAINT "Draw_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DrawEntrant" (
    "drawId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "entrantId" TEXT NOT NULL,
    "entries" INTEGER NOT NULL DEFAULT 0,
    "freeUsed" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "DrawEntrant_pkey" PRIMARY KEY ("drawId", "memberId")
);

-- CreateTable
CREATE TABLE "DrawEntry" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "drawId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "entries" INTEGER NOT NULL,
    "free" BOOLEAN NOT NULL DEFAULT false,
    "pointsSpent" INTEGER NOT NULL DEFAULT 0,
    "firstTicket" INTEGER NOT NULL,
    "lastTicket" INTEGER NOT NULL,
    "answer" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DrawEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DrawWinner" (
    "drawId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "ticket" INTEGER NOT NULL,
    "redemptionId" TEXT,

    CONSTRAINT "DrawWinner_pkey" PRIMARY KEY ("drawId", "position")
);

-- CreateIndex
CREATE INDEX "Draw_shopId_createdAt_idx" ON "Draw"("shopId", "createdAt");
CREATE UNIQUE INDEX "DrawEntrant_drawId_entrantId_key" ON "DrawEntrant"("drawId", "entrantId");
CREATE INDEX "DrawEntrant_shopId_idx" ON "DrawEntrant"("shopId");
CREATE UNIQUE INDEX "DrawEntry_drawId_memberId_idempotencyKey_key" ON "DrawEntry"("drawId", "memberId", "idempotencyKey");
CREATE UNIQUE INDEX "DrawEntry_drawId_firstTicket_key" ON "DrawEntry"("drawId", "firstTicket");
CREATE INDEX "DrawEntry_shopId_idx" ON "DrawEntry"("shopId");
CREATE UNIQUE INDEX "DrawWinner_drawId_memberId_key" ON "DrawWinner"("drawId", "memberId");
CREATE INDEX "DrawWinner_shopId_idx" ON "DrawWinner"("shopId");
