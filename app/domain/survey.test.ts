import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSurveyScore, summariseScores } from "./survey";

describe("survey summary", () => {
  it("is empty without answers", () => {
    expect(summariseScores([])).toEqual({ responses: 0, promoters: 0, passives: 0, detractors: 0, mean: null, nps: null });
  });

  it("counts promoters, passives and detractors and rounds NPS and mean", () => {
    // 2 promoters, 1 passive, 3 detractors of 6: (2 − 3) / 6 = −16.67 % → −17; mean 35 / 6 = 5.83 → 5.8
    expect(summariseScores([10, 9, 7, 6, 3, 0])).toEqual({
      responses: 6,
      promoters: 2,
      passives: 1,
      detractors: 3,
      mean: 5.8,
      nps: -17,
    });
    expect(summariseScores([10, 10, 8])).toMatchObject({ nps: 67, mean: 9.3 });
  });

  it("keeps NPS within −100…100 and symmetric under swapping promoters and detractors", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 200 }), (scores) => {
        const s = summariseScores(scores);
        expect(s.nps).toBeGreaterThanOrEqual(-100);
        expect(s.nps).toBeLessThanOrEqual(100);
        expect(s.promoters + s.passives + s.detractors).toBe(scores.length);
        const mirrored = summariseScores(scores.map((x) => (x >= 9 ? 0 : x <= 6 ? 10 : x)));
        expect(mirrored.nps).toBe(-s.nps! || 0);
      }),
    );
  });

  it("accepts whole numbers 0 to 10 only", () => {
    expect([0, 5, 10].every(isSurveyScore)).toBe(true);
    expect([-1, 11, 5.5, "7", null].some(isSurveyScore)).toBe(false);
  });
});
