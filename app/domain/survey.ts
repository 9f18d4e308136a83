// The thank-you page's "How likely are you to recommend us?" (0–10) and what its answers add up to:
// Net Promoter Score = % promoters (9–10) − % detractors (0–6), a whole number from −100 to 100.
import { mulDivRoundHalfUp } from "./arithmetic";

export const SURVEY_MIN = 0;
export const SURVEY_MAX = 10;

export const isSurveyScore = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= SURVEY_MIN && (value as number) <= SURVEY_MAX;

export interface SurveySummary {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** mean score to one decimal, null without answers */
  mean: number | null;
  /** null without answers */
  nps: number | null;
}

/** Rounded half away from zero, so that +x and −x round alike. */
function roundedPercentDifference(a: number, b: number, total: number): number {
  const magnitude = mulDivRoundHalfUp(Math.abs(a - b), 100, total);
  return a >= b ? magnitude : -magnitude;
}

export function summariseScores(scores: readonly number[]): SurveySummary {
  const responses = scores.length;
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  if (responses === 0) return { responses, promoters, passives: 0, detractors, mean: null, nps: null };
  const sum = scores.reduce((a, s) => a + s, 0);
  return {
    responses,
    promoters,
    passives: responses - promoters - detractors,
    detractors,
    mean: mulDivRoundHalfUp(sum, 10, responses) / 10,
    nps: roundedPercentDifference(promoters, detractors, responses),
  };
}
