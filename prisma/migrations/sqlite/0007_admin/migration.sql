-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "setupGuide" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "ProgramVersion" ADD COLUMN "launchState" TEXT NOT NULL DEFAULT 'live';
ALTER TABLE "ProgramVersion" ADD COLUMN "pilotTag" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Tier" ADD COLUMN "active" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "Member" ADD COLUMN "email" TEXT;

-- CreateIndex
CREATE INDEX "Member_shopId_email_idx" ON "Member"("shopId", "email");

-- CreateIndex
CREATE INDEX "Member_shopId_id_idx" ON "Member"("shopId", "id");
