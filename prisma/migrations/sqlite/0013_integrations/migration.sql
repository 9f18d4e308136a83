-- Integrations (ADR 0016): the transactional outbox of domain events, Flow's trigger use,
-- per-shop leases of the delivery channels, and the queue of members' metafields to write.
-- AlterTable
ALTER TABLE "Member" ADD COLUMN "metafieldKeys" TEXT;
ALTER TABLE "ProgramVersion" ADD COLUMN "expiryReminderDays" INTEGER NOT NULL DEFAULT 14;

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "customerId" TEXT,
    "type" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "flowState" TEXT NOT NULL DEFAULT 'pending',
    "flowAttempts" INTEGER NOT NULL DEFAULT 0,
    "flowRunAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "flowError" TEXT,
    "flowSentAt" DATETIME
);

-- CreateTable
CREATE TABLE "FlowTriggerUse" (
    "shopId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shopId", "handle")
);

-- CreateTable
CREATE TABLE "IntegrationLease" (
    "shopId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "lockedUntil" DATETIME NOT NULL,

    PRIMARY KEY ("shopId", "channel")
);

-- CreateTable
CREATE TABLE "MetafieldJob" (
    "memberId" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "erase" BOOLEAN NOT NULL DEFAULT false,
    "customerId" TEXT,
    "tierTag" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEvent_shopId_eventKey_key" ON "OutboxEvent"("shopId", "eventKey");
CREATE INDEX "OutboxEvent_flowState_shopId_id_idx" ON "OutboxEvent"("flowState", "shopId", "id");
CREATE INDEX "OutboxEvent_shopId_customerId_idx" ON "OutboxEvent"("shopId", "customerId");
CREATE INDEX "MetafieldJob_shopId_runAt_idx" ON "MetafieldJob"("shopId", "runAt");
