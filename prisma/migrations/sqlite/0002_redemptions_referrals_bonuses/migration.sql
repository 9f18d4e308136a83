-- CreateTable
CREATE TABLE "Redemption" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "rewardId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "pointsSpent" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "discountId" TEXT,
    "expiresAt" DATETIME,
    "orderId" TEXT,
    "failure" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Referral" (
    "shopId" TEXT NOT NULL,
    "refereeCustomerId" TEXT NOT NULL,
    "referrerMemberId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shopId", "refereeCustomerId")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ProgramVersion" (
    "shopId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "earnRateNum" INTEGER NOT NULL DEFAULT 1,
    "earnRateDen" INTEGER NOT NULL DEFAULT 1,
    "pendingDays" INTEGER NOT NULL DEFAULT 0,
    "expiryDays" INTEGER,
    "autoEnroll" BOOLEAN NOT NULL DEFAULT true,
    "signupBonus" INTEGER NOT NULL DEFAULT 0,
    "birthdayBonus" INTEGER NOT NULL DEFAULT 0,
    "referrerPoints" INTEGER NOT NULL DEFAULT 0,
    "refereePercent" INTEGER NOT NULL DEFAULT 10,
    "returnSpentPointsOnRefund" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL DEFAULT 'system',

    PRIMARY KEY ("shopId", "version")
);
INSERT INTO "new_ProgramVersion" ("autoEnroll", "createdAt", "createdBy", "earnRateDen", "earnRateNum", "expiryDays", "pendingDays", "shopId", "version") SELECT "autoEnroll", "createdAt", "createdBy", "earnRateDen", "earnRateNum", "expiryDays", "pendingDays", "shopId", "version" FROM "ProgramVersion";
DROP TABLE "ProgramVersion";
ALTER TABLE "new_ProgramVersion" RENAME TO "ProgramVersion";
CREATE TABLE "new_Reward" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "pointsCost" INTEGER NOT NULL,
    "valueMinor" INTEGER,
    "percent" INTEGER,
    "variantId" TEXT,
    "minimumSubtotalMinor" INTEGER,
    "codeValidDays" INTEGER NOT NULL DEFAULT 30,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Reward" ("active", "createdAt", "id", "name", "percent", "pointsCost", "position", "shopId", "type", "valueMinor") SELECT "active", "createdAt", "id", "name", "percent", "pointsCost", "position", "shopId", "type", "valueMinor" FROM "Reward";
DROP TABLE "Reward";
ALTER TABLE "new_Reward" RENAME TO "Reward";
CREATE INDEX "Reward_shopId_active_idx" ON "Reward"("shopId", "active");
CREATE TABLE "new_Member" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT,
    "emailHash" TEXT,
    "tags" TEXT NOT NULL DEFAULT '',
    "state" TEXT NOT NULL DEFAULT 'active',
    "enrolledAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available" INTEGER NOT NULL DEFAULT 0,
    "pending" INTEGER NOT NULL DEFAULT 0,
    "lifetimeEarned" INTEGER NOT NULL DEFAULT 0,
    "lastActivityAt" DATETIME,
    "referralCode" TEXT,
    "birthdayMonth" INTEGER,
    "birthdayDay" INTEGER,
    "addressHashes" TEXT NOT NULL DEFAULT ''
);
INSERT INTO "new_Member" ("available", "customerId", "emailHash", "enrolledAt", "id", "lastActivityAt", "lifetimeEarned", "pending", "referralCode", "shopId", "state", "tags") SELECT "available", "customerId", "emailHash", "enrolledAt", "id", "lastActivityAt", "lifetimeEarned", "pending", "referralCode", "shopId", "state", "tags" FROM "Member";
DROP TABLE "Member";
ALTER TABLE "new_Member" RENAME TO "Member";
CREATE INDEX "Member_shopId_state_idx" ON "Member"("shopId", "state");
CREATE UNIQUE INDEX "Member_shopId_customerId_key" ON "Member"("shopId", "customerId");
CREATE UNIQUE INDEX "Member_shopId_referralCode_key" ON "Member"("shopId", "referralCode");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Redemption_status_createdAt_idx" ON "Redemption"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shopId_memberId_idempotencyKey_key" ON "Redemption"("shopId", "memberId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Redemption_shopId_code_key" ON "Redemption"("shopId", "code");

