// The Function behind the rewards Shopify's basic code discounts cannot express: "P% off the
// order, at most CAP" and "one unit of this product free" (a basic discount would make every
// unit of it free). Shopify runs it, as WebAssembly, when the shopper's code is entered; the
// emulator and the tests run this same module. Amounts in the settings are in the shop's
// currency; the cart is in the shopper's, so both are converted with presentmentCurrencyRate.

import type { RewardSettings } from "./settings";

/** The input as `cart_lines_discounts_generate_run.graphql` asks for it. */
export interface CartLinesDiscountsGenerateRunInput {
  presentmentCurrencyRate: string;
  cart: {
    cost: { subtotalAmount: { amount: string } };
    lines: Array<{ id: string; quantity: number; merchandise: { __typename: string; id?: string } }>;
  };
  discount: {
    discountClasses: Array<"PRODUCT" | "ORDER" | "SHIPPING">;
    metafield: { jsonValue: unknown } | null;
  };
}

type OrderDiscountValue = { percentage: { value: string } } | { fixedAmount: { amount: string } };

export interface CartLinesDiscountsGenerateRunResult {
  operations: Array<
    | {
        orderDiscountsAdd: {
          selectionStrategy: "FIRST";
          candidates: Array<{
            message: string;
            targets: Array<{ orderSubtotal: { excludedCartLineIds: string[] } }>;
            value: OrderDiscountValue;
          }>;
        };
      }
    | {
        productDiscountsAdd: {
          selectionStrategy: "FIRST";
          candidates: Array<{
            message: string;
            targets: Array<{ cartLine: { id: string; quantity: number } }>;
            value: { percentage: { value: string } };
          }>;
        };
      }
  >;
}

const NOTHING: CartLinesDiscountsGenerateRunResult = { operations: [] };

// Decimal strings as integers of millionths: exact for money and exchange rates of the sizes
// a cart has, with no floating-point drift in comparisons.
const SCALE = 1_000_000n;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function toMicros(decimal: string): bigint | null {
  if (!DECIMAL.test(decimal)) return null;
  const negative = decimal.startsWith("-");
  const [whole, fraction = ""] = decimal.replace("-", "").split(".");
  const micros = BigInt(whole!) * SCALE + BigInt((fraction + "000000").slice(0, 6));
  return negative ? -micros : micros;
}

/** millionths → a decimal string with two places, rounded down (never more than allowed). */
function centsDown(micros: bigint): string {
  const cents = micros / 10_000n;
  return `${cents / 100n}.${String(cents % 100n).padStart(2, "0")}`;
}

function readSettings(value: unknown): RewardSettings | null {
  if (typeof value !== "object" || value === null) return null;
  const s = value as Record<string, unknown>;
  const decimalOrNull = (v: unknown) => v == null || (typeof v === "string" && toMicros(v) !== null);
  if (!decimalOrNull(s.minimumSubtotal)) return null;
  const minimumSubtotal = (s.minimumSubtotal as string | null | undefined) ?? null;
  const message = typeof s.message === "string" ? s.message : null;
  if (s.type === "percentage") {
    const percent = s.percent;
    if (typeof percent !== "number" || !Number.isInteger(percent) || percent < 1 || percent > 100) return null;
    if (!decimalOrNull(s.cap)) return null;
    const cap = (s.cap as string | null | undefined) ?? null;
    return { type: "percentage", percent, cap, minimumSubtotal, message: message ?? `${percent}% off` };
  }
  if (s.type === "free_product" && typeof s.variantId === "string" && s.variantId) {
    return { type: "free_product", variantId: s.variantId, minimumSubtotal, message: message ?? "Free product" };
  }
  return null;
}

export function cartLinesDiscountsGenerateRun(input: CartLinesDiscountsGenerateRunInput): CartLinesDiscountsGenerateRunResult {
  const settings = readSettings(input.discount.metafield?.jsonValue);
  const subtotal = toMicros(input.cart.cost.subtotalAmount.amount);
  const rate = toMicros(input.presentmentCurrencyRate);
  if (!settings || subtotal === null || rate === null || subtotal <= 0n || rate <= 0n) return NOTHING;

  const inCartCurrency = (shopAmount: string) => (toMicros(shopAmount)! * rate) / SCALE;
  if (settings.minimumSubtotal !== null && subtotal < inCartCurrency(settings.minimumSubtotal)) return NOTHING;
  const classes = input.discount.discountClasses;

  if (settings.type === "free_product") {
    // One unit of the variant, on the first line that holds it; nothing if it is not in the cart.
    const line = input.cart.lines.find(
      (l) => l.merchandise.__typename === "ProductVariant" && l.merchandise.id === settings.variantId,
    );
    if (!classes.includes("PRODUCT") || !line) return NOTHING;
    return {
      operations: [
        {
          productDiscountsAdd: {
            selectionStrategy: "FIRST",
            candidates: [
              {
                message: settings.message,
                targets: [{ cartLine: { id: line.id, quantity: 1 } }],
                value: { percentage: { value: "100" } },
              },
            ],
          },
        },
      ],
    };
  }

  if (!classes.includes("ORDER")) return NOTHING;
  const percentOff = (subtotal * BigInt(settings.percent)) / 100n;
  const cap = settings.cap === null ? null : inCartCurrency(settings.cap);
  const value: OrderDiscountValue =
    cap !== null && percentOff > cap
      ? { fixedAmount: { amount: centsDown(cap) } }
      : { percentage: { value: String(settings.percent) } };

  return {
    operations: [
      {
        orderDiscountsAdd: {
          selectionStrategy: "FIRST",
          candidates: [{ message: settings.message, targets: [{ orderSubtotal: { excludedCartLineIds: [] } }], value }],
        },
      },
    ],
  };
}
