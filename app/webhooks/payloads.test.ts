// What an order payload's lines say to earning: each line's price less the discounts Shopify
// allocated to it, gift cards marked, the product named; a refund's lines likewise.
import { describe, expect, it } from "vitest";
import { orderPayload, refundPayload } from "../../tests/emulator/payloads";
import { customer, order, refund } from "../../tests/support/orders";
import { PayloadError, parseOrderEvent } from "./payloads";

describe("order lines", () => {
  // 30.00 and 20.00 of merchandise and a 50.00 gift card, with a 5.00 code allocated across the
  // merchandise by price (discounts never apply to gift cards).
  const o = order([3_000, 2_000, 5_000], customer(1), { discountCode: "SAVE5", discountMinor: 500 });
  o.lines[0]!.product_id = 11;
  o.lines[1]!.product_id = 12;
  o.lines[2] = { ...o.lines[2]!, product_id: 13, gift_card: true };

  it("gives each line's price less its allocations, and whether it is a gift card", () => {
    const event = parseOrderEvent("orders/paid", orderPayload(o));
    if (event.type !== "paid") throw new Error("not paid");
    expect(event.order.subtotalMinor).toBe(9_500);
    // 5.00 × 30/50 = 3.00 on the first line, the rest (2.00) on the second, none on the gift card.
    expect(event.order.lines).toEqual([
      { productId: "11", giftCard: false, netMinor: 2_700 },
      { productId: "12", giftCard: false, netMinor: 1_800 },
      { productId: "13", giftCard: true, netMinor: 5_000 },
    ]);
  });

  it("gives a refund's lines with their product and gift-card flag", () => {
    const event = parseOrderEvent("refunds/create", refundPayload(refund(o, [2])));
    expect(event).toMatchObject({ type: "refund", lines: [{ productId: "13", giftCard: true }] });
  });

  it("refuses a line whose price is not money, with the path", () => {
    const payload = orderPayload(o);
    payload.line_items[0]!.price_set = {
      ...payload.line_items[0]!.price_set,
      shop_money: { amount: "1.2.3", currency_code: "USD" },
    };
    expect(() => parseOrderEvent("orders/paid", payload)).toThrow(PayloadError);
    expect(() => parseOrderEvent("orders/paid", payload)).toThrow(/line_items/);
  });
});
