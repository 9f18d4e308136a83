// What makes a reward issuable. A code Shopify accepts but that can never apply (0% off, a free
// product with no product) would take a shopper's points for nothing, so such a reward is
// refused before any point moves.

export interface RewardTerms {
  type: string;
  pointsCost: number;
  valueMinor: number | null;
  percent: number | null;
  maxDiscountMinor: number | null;
  variantId: string | null;
  minimumSubtotalMinor: number | null;
  codeValidDays: number;
}

const positiveInt = (n: number | null): n is number => n !== null && Number.isInteger(n) && n > 0;

/** Why a reward cannot be issued, or null when it can. */
export function rewardProblem(r: RewardTerms): string | null {
  if (!positiveInt(r.pointsCost)) return "pointsCost must be a positive whole number";
  if (!positiveInt(r.codeValidDays)) return "codeValidDays must be a positive whole number";
  if (r.minimumSubtotalMinor !== null && !(Number.isInteger(r.minimumSubtotalMinor) && r.minimumSubtotalMinor >= 0))
    return "minimumSubtotal must be zero (none) or positive";
  switch (r.type) {
    case "fixed_amount":
      return positiveInt(r.valueMinor) ? null : "a fixed amount reward needs a positive value";
    case "percentage":
      if (!positiveInt(r.percent) || r.percent > 100) return "a percentage reward needs a percent from 1 to 100";
      if (r.maxDiscountMinor !== null && !positiveInt(r.maxDiscountMinor)) return "a cap must be positive";
      return null;
    case "free_shipping":
      return null;
    case "free_product":
      return r.variantId && /^gid:\/\/shopify\/ProductVariant\/\d+$/.test(r.variantId)
        ? null
        : "a free product reward needs a product variant";
    default:
      return `unknown reward type ${r.type}`;
  }
}
