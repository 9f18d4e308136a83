import { describe, expect, it } from "vitest";
import { holdoutPosition, inHoldout } from "./analytics-holdout.server";

describe("holdout assignment", () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => String(6_000_000_000 + i * 7));

  it("is stable: the same customer of the same shop is always in or always out", () => {
    for (const id of ids.slice(0, 200)) expect(inHoldout("a.myshopify.com", id, 5)).toBe(inHoldout("a.myshopify.com", id, 5));
    expect(holdoutPosition("a.myshopify.com", "42")).toBe(holdoutPosition("a.myshopify.com", "42"));
  });

  it("is close to the chosen share, differs between shops, and keeps a smaller share inside a larger one", () => {
    for (const percent of [5, 20]) {
      const held = ids.filter((id) => inHoldout("a.myshopify.com", id, percent)).length / ids.length;
      // 20,000 draws: the share is within 4 standard errors of the target.
      const se = Math.sqrt(((percent / 100) * (1 - percent / 100)) / ids.length);
      expect(Math.abs(held - percent / 100)).toBeLessThan(4 * se);
    }
    const inA = ids.filter((id) => inHoldout("a.myshopify.com", id, 5));
    const inB = new Set(ids.filter((id) => inHoldout("b.myshopify.com", id, 5)));
    expect(inA.filter((id) => inB.has(id)).length).toBeLessThan(inA.length / 4);
    for (const id of inA) expect(inHoldout("a.myshopify.com", id, 10)).toBe(true);
    expect(ids.some((id) => inHoldout("a.myshopify.com", id, 0))).toBe(false);
  });
});
