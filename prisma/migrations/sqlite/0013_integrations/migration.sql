-- Integrations (ADR 0016): the transactional outbox of domain events, Flow's trigger use,
-- per-shop leases of the delivery channels, the queue of members' metafields to write, the
-- merchant's webhook endpoints and their deliveries, developer API keys and their rate windows.
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
    "flowSentAt" DATETIME,
    "hooksState" TEXT NOT NULL DEFAULT 'pending'
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

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "failingSince" DATETIME,
    "pausedAt" DATETIME,
    "lastSuccessAt" DATETIME
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shopId" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "eventId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "firstAttemptAt" DATETIME,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "deliveredAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "access" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    "lastUsedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ApiRateWindow" (
    "keyId" TEXT NOT NULL,
    "second" BIGINT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("keyId", "second")
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEvent_shopId_eventKey_key" ON "OutboxEvent"("shopId", "eventKey");
CREATE INDEX "OutboxEvent_flowState_shopId_id_idx" ON "OutboxEvent"("flowState", "shopId", "id");
CREATE INDEX "OutboxEvent_shopId_customerId_idx" ON "OutboxEvent"("shopId", "customerId");
CREATE INDEX "MetafieldJob_shopId_runAt_idx" ON "MetafieldJob"("shopId", "runAt");
CREATE INDEX "OutboxEvent_hooksState_id_idx" ON "OutboxEvent"("hooksState", "id");
CREATE INDEX "WebhookEndpoint_shopId_idx" ON "WebhookEndpoint"("shopId");
CREATE UNIQUE INDEX "WebhookDelivery_endpointId_eventId_key" ON "WebhookDelivery"("endpointId", "eventId");
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");
CREATE INDEX "WebhookDelivery_shopId_createdAt_idx" ON "WebhookDelivery"("shopId", "createdAt");
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");
CREATE INDEX "ApiKey_shopId_idx" ON "ApiKey"("shopId");
