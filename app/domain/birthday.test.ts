import { describe, expect, it } from "vitest";
import { dateAhead, isBirthday } from "./birthday";

describe("birthday dates", () => {
  it("counts days ahead across months, years and leap days", () => {
    expect(dateAhead({ year: 2027, month: 8, day: 8 }, 3)).toEqual({ year: 2027, month: 8, day: 11 });
    expect(dateAhead({ year: 2027, month: 12, day: 30 }, 5)).toEqual({ year: 2028, month: 1, day: 4 });
    expect(dateAhead({ year: 2028, month: 2, day: 27 }, 2)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(dateAhead({ year: 2027, month: 2, day: 27 }, 1)).toEqual({ year: 2027, month: 2, day: 28 });
    expect(dateAhead({ year: 2027, month: 5, day: 1 }, 0)).toEqual({ year: 2027, month: 5, day: 1 });
    // A 29 February birthday's gift comes ahead of the 28th in other years.
    expect(isBirthday(2, 29, dateAhead({ year: 2027, month: 2, day: 21 }, 7))).toBe(true);
  });
});
