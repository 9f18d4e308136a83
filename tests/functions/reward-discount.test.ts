// The reward discount Function: its input query is valid against Shopify's published Discount
// Function schema, its output fits the schema's result type, a capped percentage never takes
// off more than the percentage or the cap in any presentment currency, and a free product is
// one unit free, however many are in the cart.
import fc from "fast-check";
import type { GraphQLInputType } from "graphql";
import { coerceInputValue } from "graphql";
import { describe, expect, it } from "vitest";
import {
  cartLinesDiscountsGenerateRun,
  type CartLinesDiscountsGenerateRunInput,
} from "../../extensions/loyalty-reward-discount/src/cart_lines_discounts_generate_run";
import { REWARD_FUNCTION } from "~/shopify/discounts.server";
import {
  discountFunctionSchema,
  functionExtensions,
  discountMinor,
  runDiscountFunction,
  validateFunctionQuery,
  type FunctionContext,
} from "../emulator/functions.ts";

const settings = (s: Record<string, unknown>) => [
  { namespace: REWARD_FUNCTION.namespace, key: REWARD_FUNCTION.key, type: "json", value: JSON.stringify(s) },
];
const cart = (subtotal: string): FunctionContext["cart"] => ({
  subtotal,
  currencyCode: "USD",
  lines: [{ id: "gid://shopify/CartLine/1", quantity: 1, unitPrice: subtotal, variantId: "gid://shopify/ProductVariant/1" }],
});
const MUG = "gid://shopify/ProductVariant/4000010";
const run = (ctx: Partial<FunctionContext> & { cart: FunctionContext["cart"] }) =>
  runDiscountFunction(REWARD_FUNCTION.handle, {
    discountClasses: ["ORDER"],
    metafields: settings({
      type: "percentage",
      percent: 15,
      cap: "20.00",
      minimumSubtotal: "50.00",
      message: "15% off, up to 20.00",
    }),
    ...ctx,
  });

describe("loyalty-reward-discount Function", () => {
  it("is declared as the app's cart.lines.discounts.generate.run Function on API 2026-10", () => {
    expect(functionExtensions().filter((f) => f.handle === REWARD_FUNCTION.handle)).toEqual([
      expect.objectContaining({
        handle: REWARD_FUNCTION.handle,
        apiVersion: "2026-10",
        target: "cart.lines.discounts.generate.run",
        exportName: "cartLinesDiscountsGenerateRun",
      }),
    ]);
  });

  it("asks for its input with a query valid against the Discount Function schema", () => {
    const fn = functionExtensions().find((f) => f.handle === REWARD_FUNCTION.handle);
    expect(validateFunctionQuery(fn!.inputQuery)).toEqual([]);
    expect(fn!.inputQuery).toContain(`metafield(namespace: "${REWARD_FUNCTION.namespace}", key: "${REWARD_FUNCTION.key}")`);
    expect(validateFunctionQuery(`query { cart { subtotal } }`)).toEqual([expect.stringContaining('"subtotal"')]);
  });

  it("takes the percentage off when it is under the cap", async () => {
    const result = await run({ cart: cart("100.00") });
    expect(result.operations).toEqual([
      {
        orderDiscountsAdd: {
          selectionStrategy: "FIRST",
          candidates: [
            {
              message: "15% off, up to 20.00",
              targets: [{ orderSubtotal: { excludedCartLineIds: [] } }],
              value: { percentage: { value: "15" } },
            },
          ],
        },
      },
    ]);
    expect(discountMinor(result, cart("100.00"))).toBe(1_500);
  });

  it("takes the cap off when the percentage would be more", async () => {
    const result = await run({ cart: cart("300.00") });
    expect(result.operations[0]!.orderDiscountsAdd!.candidates[0]!.value).toEqual({ fixedAmount: { amount: "20.00" } });
    expect(discountMinor(result, cart("300.00"))).toBe(2_000);
  });

  it("converts the cap and the minimum into the shopper's currency", async () => {
    // 20.00 USD at 1.3725 CAD per USD = 27.45 CAD; the minimum 50.00 USD = 68.625 CAD.
    const capped = await run({ cart: cart("300.00"), presentmentCurrencyRate: "1.3725" });
    expect(capped.operations[0]!.orderDiscountsAdd!.candidates[0]!.value).toEqual({ fixedAmount: { amount: "27.45" } });
    expect((await run({ cart: cart("68.62"), presentmentCurrencyRate: "1.3725" })).operations).toEqual([]);
    expect((await run({ cart: cart("68.63"), presentmentCurrencyRate: "1.3725" })).operations).toHaveLength(1);
  });

  it("does nothing below the minimum subtotal, without its settings, or outside the order class", async () => {
    expect((await run({ cart: cart("49.99") })).operations).toEqual([]);
    expect((await run({ cart: cart("100.00"), metafields: [] })).operations).toEqual([]);
    expect(
      (await run({ cart: cart("100.00"), metafields: settings({ type: "percentage", percent: 0, cap: "5.00" }) })).operations,
    ).toEqual([]);
    expect(
      (await run({ cart: cart("100.00"), metafields: settings({ type: "percentage", percent: 10, cap: "five" }) })).operations,
    ).toEqual([]);
    expect((await run({ cart: cart("100.00"), discountClasses: ["PRODUCT"] })).operations).toEqual([]);
  });

  it("applies with no cap and no minimum as a plain percentage", async () => {
    const result = await run({
      cart: cart("1000.00"),
      metafields: settings({ type: "percentage", percent: 40, cap: null, minimumSubtotal: null }),
    });
    expect(result.operations[0]!.orderDiscountsAdd!.candidates[0]).toMatchObject({
      message: "40% off",
      value: { percentage: { value: "40" } },
    });
  });

  it("gives one unit of the free product, and nothing when it is not in the cart", async () => {
    const free = {
      discountClasses: ["PRODUCT"],
      metafields: settings({ type: "free_product", variantId: MUG, minimumSubtotal: null, message: "Free Thermal Mug" }),
    };
    const withMugs: FunctionContext["cart"] = {
      subtotal: "111.97",
      currencyCode: "USD",
      lines: [
        { id: "gid://shopify/CartLine/1", quantity: 1, unitPrice: "56.00", variantId: "gid://shopify/ProductVariant/4000005" },
        { id: "gid://shopify/CartLine/2", quantity: 2, unitPrice: "27.99", variantId: MUG },
      ],
    };
    const result = await run({ cart: withMugs, ...free });
    expect(result.operations).toEqual([
      {
        productDiscountsAdd: {
          selectionStrategy: "FIRST",
          candidates: [
            {
              message: "Free Thermal Mug",
              targets: [{ cartLine: { id: "gid://shopify/CartLine/2", quantity: 1 } }],
              value: { percentage: { value: "100" } },
            },
          ],
        },
      },
    ]);
    expect(discountMinor(result, withMugs)).toBe(2_799);
    expect((await run({ cart: cart("80.00"), ...free })).operations).toEqual([]);
    expect((await run({ cart: withMugs, ...free, discountClasses: ["ORDER"] })).operations).toEqual([]);
    expect(
      (await run({ cart: withMugs, ...free, metafields: settings({ type: "free_product", variantId: "" }) })).operations,
    ).toEqual([]);
  });

  it("never takes off more than the percentage or the cap (property)", () => {
    const resultType = discountFunctionSchema().getType("CartLinesDiscountsGenerateRunResult") as GraphQLInputType;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000_000 }), // subtotal in cents
        fc.integer({ min: 1, max: 100 }), // percent
        fc.integer({ min: 1, max: 100_000 }), // cap in cents
        fc.integer({ min: 1, max: 50_000 }), // rate × 10,000
        (subtotalCents, percent, capCents, rate) => {
          const input: CartLinesDiscountsGenerateRunInput = {
            presentmentCurrencyRate: (rate / 10_000).toFixed(4),
            cart: { cost: { subtotalAmount: { amount: (subtotalCents / 100).toFixed(2) } }, lines: [] },
            discount: {
              discountClasses: ["ORDER"],
              metafield: {
                jsonValue: { type: "percentage", percent, cap: (capCents / 100).toFixed(2), minimumSubtotal: null, message: "m" },
              },
            },
          };
          const output = cartLinesDiscountsGenerateRun(input);
          coerceInputValue(output, resultType); // throws if Shopify would refuse the shape
          const taken = discountMinor(output, cart((subtotalCents / 100).toFixed(2)));
          const capInCart = (capCents * rate) / 10_000;
          expect(taken).toBeLessThanOrEqual(Math.round((subtotalCents * percent) / 100) + 0);
          expect(taken).toBeLessThanOrEqual(Math.ceil(capInCart));
          expect(taken).toBeGreaterThanOrEqual(Math.min(Math.floor((subtotalCents * percent) / 100), Math.floor(capInCart)) - 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("fails the emulator's run when the output does not fit Shopify's result type", () => {
    const resultType = discountFunctionSchema().getType("CartLinesDiscountsGenerateRunResult") as GraphQLInputType;
    expect(() =>
      coerceInputValue({ operations: [{ orderDiscountsAdd: { selectionStrategy: "ALL", candidates: [] } }] }, resultType),
    ).toThrow(/OrderDiscountSelectionStrategy/);
  });
});
