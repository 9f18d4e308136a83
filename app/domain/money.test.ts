import { describe, expect, it } from "vitest";
import { displayMinorUnits, formatMinorUnits, MoneyFormatError, toMinorUnits } from "./money";

describe("toMinorUnits", () => {
  it("parses decimal strings exactly", () => {
    expect(toMinorUnits("12.30", "USD")).toBe(1230);
    expect(toMinorUnits("0.1", "EUR")).toBe(10);
    expect(toMinorUnits("19.99", "usd")).toBe(1999);
    expect(toMinorUnits("1500", "JPY")).toBe(1500);
    expect(toMinorUnits("1.234", "KWD")).toBe(1234);
    expect(toMinorUnits("10.000", "USD")).toBe(1000);
  });

  it("rejects what is not money", () => {
    expect(() => toMinorUnits("abc", "USD")).toThrow(MoneyFormatError);
    expect(() => toMinorUnits("1.005", "USD")).toThrow(MoneyFormatError);
    expect(() => toMinorUnits("1e5", "USD")).toThrow(MoneyFormatError);
    expect(() => toMinorUnits("", "USD")).toThrow(MoneyFormatError);
  });

  it("formats back", () => {
    expect(formatMinorUnits(1230, "USD")).toBe("12.30");
    expect(formatMinorUnits(-5, "EUR")).toBe("-0.05");
    expect(formatMinorUnits(1500, "JPY")).toBe("1500");
  });
});

describe("displayMinorUnits", () => {
  it("reads as the currency is written, exact to the minor unit", () => {
    expect(displayMinorUnits(10_075_054, "USD")).toBe("$100,750.54");
    expect(displayMinorUnits(-5, "EUR")).toBe("-€0.05");
    expect(displayMinorUnits(1500, "JPY")).toBe("¥1,500");
    expect(displayMinorUnits(1234, "KWD")).toBe("KWD\u00a01.234");
    expect(displayMinorUnits(123_456_789_012_345, "USD")).toBe("$1,234,567,890,123.45");
  });
});
