import { describe, expect, it } from "vitest";
import { rewardProblem, type RewardTerms } from "./rewards";

const base: RewardTerms = {
  type: "fixed_amount",
  pointsCost: 500,
  valueMinor: 500,
  percent: null,
  maxDiscountMinor: null,
  variantId: null,
  minimumSubtotalMinor: null,
  codeValidDays: 30,
};

describe("rewardProblem", () => {
  it("accepts every well-formed kind", () => {
    expect(rewardProblem(base)).toBeNull();
    expect(rewardProblem({ ...base, type: "percentage", valueMinor: null, percent: 10 })).toBeNull();
    expect(rewardProblem({ ...base, type: "percentage", valueMinor: null, percent: 10, maxDiscountMinor: 2_500 })).toBeNull();
    expect(rewardProblem({ ...base, type: "free_shipping", valueMinor: null, minimumSubtotalMinor: 5_000 })).toBeNull();
    expect(rewardProblem({ ...base, minimumSubtotalMinor: 0 })).toBeNull(); // no minimum
    expect(
      rewardProblem({ ...base, type: "free_product", valueMinor: null, variantId: "gid://shopify/ProductVariant/42" }),
    ).toBeNull();
  });

  it("refuses rewards whose code could never apply", () => {
    expect(rewardProblem({ ...base, valueMinor: 0 })).toMatch(/positive value/);
    expect(rewardProblem({ ...base, type: "percentage", percent: 0 })).toMatch(/1 to 100/);
    expect(rewardProblem({ ...base, type: "percentage", percent: 101 })).toMatch(/1 to 100/);
    expect(rewardProblem({ ...base, type: "percentage", percent: 12.5 })).toMatch(/1 to 100/);
    expect(rewardProblem({ ...base, type: "percentage", percent: 10, maxDiscountMinor: 0 })).toMatch(/cap/);
    expect(rewardProblem({ ...base, type: "free_product", variantId: null })).toMatch(/variant/);
    expect(rewardProblem({ ...base, type: "free_product", variantId: "mug" })).toMatch(/variant/);
    expect(rewardProblem({ ...base, pointsCost: 0 })).toMatch(/pointsCost/);
    expect(rewardProblem({ ...base, codeValidDays: 0 })).toMatch(/codeValidDays/);
    expect(rewardProblem({ ...base, minimumSubtotalMinor: -1 })).toMatch(/minimumSubtotal/);
    expect(rewardProblem({ ...base, type: "gift_card" })).toMatch(/unknown/);
  });
});
