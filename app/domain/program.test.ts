import { describe, expect, it } from "vitest";
import { effectiveRate, pointsForSubtotal } from "./program";

describe("pointsForSubtotal", () => {
  const oneToOne = effectiveRate({ earnRateNum: 1, earnRateDen: 1 });

  it("gives 1 point per whole unit, rounded down", () => {
    expect(pointsForSubtotal(1299, "USD", oneToOne)).toBe(12);
    expect(pointsForSubtotal(99, "USD", oneToOne)).toBe(0);
    expect(pointsForSubtotal(0, "USD", oneToOne)).toBe(0);
    expect(pointsForSubtotal(-500, "USD", oneToOne)).toBe(0);
    expect(pointsForSubtotal(1500, "JPY", oneToOne)).toBe(1500);
  });

  it("applies rate and tier multiplier in integers", () => {
    expect(pointsForSubtotal(10_000, "USD", effectiveRate({ earnRateNum: 5, earnRateDen: 1 }))).toBe(500);
    expect(pointsForSubtotal(10_000, "USD", effectiveRate({ earnRateNum: 1, earnRateDen: 10 }))).toBe(10);
    expect(pointsForSubtotal(10_050, "USD", effectiveRate({ earnRateNum: 1, earnRateDen: 1 }, 150))).toBe(150);
    expect(pointsForSubtotal(Number.MAX_SAFE_INTEGER, "JPY", effectiveRate({ earnRateNum: 1, earnRateDen: 3 }))).toBe(
      Math.floor(Number.MAX_SAFE_INTEGER / 3),
    );
  });
});
