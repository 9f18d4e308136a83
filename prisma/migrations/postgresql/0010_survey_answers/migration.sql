-- The thank-you page's 0–10 recommendation question, one answer per order.
-- CreateTable
CREATE TABLE "SurveyAnswer" (
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "customerId" TEXT,
    "score" INTEGER NOT NULL,
    "answeredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SurveyAnswer_pkey" PRIMARY KEY ("shopId","orderId")
);

-- CreateIndex
CREATE INDEX "SurveyAnswer_shopId_answeredAt_idx" ON "SurveyAnswer"("shopId", "answeredAt");
