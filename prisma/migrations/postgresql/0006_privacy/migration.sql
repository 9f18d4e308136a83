-- CreateTable
CREATE TABLE "RedactedCustomer" (
    "shopId" TEXT NOT NULL,
    "customerHash" TEXT NOT NULL,
    "redactedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RedactedCustomer_pkey" PRIMARY KEY ("shopId","customerHash")
);


-- Hashes written before this release were salted only with the public shop domain, so a
-- dictionary of emails or addresses reverses them. The keyed hashes (HMAC under
-- LOYALTY_SECRET_KEY) replace them as customers update their details and order again.
UPDATE "Member" SET "emailHash" = NULL, "addressHashes" = '' WHERE "emailHash" IS NOT NULL OR "addressHashes" <> '';
