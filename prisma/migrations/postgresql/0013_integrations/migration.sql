-- Integrations (ADR 0016): the transactional outbox of domain events, Flow's trigger use,
-- per-shop leases of the delivery channels, and the queue of members' metafields to write.
-- AlterTable
ALTER TABLE "Member" ADD COLUMN "metafieldKeys" TEXT;
ALTER TABLE "ProgramVersion" ADD COLUMN "expiryReminderDays" INTEGER NOT NULL DEFAULT 14;

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" SERIAL NOT NULL,
    "shopId" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "customerId" TEXT,
    "type" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "flowState" TEXT NOT NULL DEFAULT 'pending',
    "flowAttempts" INTEGER NOT NULL DEFAULT 0,
    "flowRunAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "flowError" TEXT,
    "flowSentAt" TIMESTAMP(3),

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FlowTriggerUse" (
    "shopId" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FlowTriggerUse_pkey" PRIMARY KEY ("shopId", "handle")
);

-- CreateTable
CREATE TABLE "IntegrationLease" (
    "shopId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "lockedUntil" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IntegrationLease_pkey" PRIMARY KEY ("shopId", "channel")
);

-- CreateTable
CREATE TABLE "MetafieldJob" (
    "memberId" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "erase" BOOLEAN NOT NULL DEFAULT false,
    "customerId" TEXT,
    "tierTag" TEXT,

    CONSTRAINT "MetafieldJob_pkey" PRIMARY KEY ("memberId")
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEvent_shopId_eventKey_key" ON "OutboxEvent"("shopId", "eventKey");
CREATE INDEX "OutboxEvent_flowState_shopId_id_idx" ON "OutboxEvent"("flowState", "shopId", "id");
CREATE INDEX "OutboxEvent_shopId_customerId_idx" ON "OutboxEvent"("shopId", "customerId");
CREATE INDEX "MetafieldJob_shopId_runAt_idx" ON "MetafieldJob"("shopId", "runAt");
