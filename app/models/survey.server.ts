// Answers to the thank-you page's recommendation question: stored once per order (the first
// answer stays), summarised for a period for the merchant's analytics.
import type { Db } from "~/db.server";
import { summariseScores, type SurveySummary } from "~/domain/survey";

export interface SurveyAnswerView {
  orderId: string;
  score: number;
  answeredAt: string;
}

const view = (a: { orderId: string; score: number; answeredAt: Date }): SurveyAnswerView => ({
  orderId: a.orderId,
  score: a.score,
  answeredAt: a.answeredAt.toISOString(),
});

/** Stores the answer unless the order has one; answers whichever is stored. */
export async function recordSurveyAnswer(
  db: Db,
  answer: { shopId: string; orderId: string; customerId: string | null; score: number },
): Promise<SurveyAnswerView> {
  const { shopId, orderId, customerId, score } = answer;
  await db.$executeRaw`
    INSERT INTO "SurveyAnswer" ("shopId", "orderId", "customerId", "score", "answeredAt")
    VALUES (${shopId}, ${orderId}, ${customerId}, ${score}, ${new Date()})
    ON CONFLICT DO NOTHING`;
  return view(await db.surveyAnswer.findUniqueOrThrow({ where: { shopId_orderId: { shopId, orderId } } }));
}

export async function surveyAnswerFor(db: Db, shopId: string, orderId: string): Promise<SurveyAnswerView | null> {
  const answer = await db.surveyAnswer.findUnique({ where: { shopId_orderId: { shopId, orderId } } });
  return answer && view(answer);
}

/** Answers given in [from, to): responses, mean and NPS (app/domain/survey.ts). */
export async function surveySummary(db: Db, shopId: string, from: Date, to: Date): Promise<SurveySummary> {
  const rows = await db.surveyAnswer.findMany({
    where: { shopId, answeredAt: { gte: from, lt: to } },
    select: { score: true },
  });
  return summariseScores(rows.map((r) => r.score));
}
