// The inbox keeps only what the parser reads: parsing the minimised body gives exactly what
// parsing the whole body gives, and nothing else about the person survives.
import { describe, expect, it } from "vitest";
import { customerPayload, orderPayload, refundPayload } from "../../tests/emulator/payloads";
import { customer, order, refund } from "../../tests/support/orders";
import { canMinimise, minimisePayload, redactPayload } from "./minimise";
import { parseComplianceCustomer, parseCustomer, parseOrderEvent, parseShopRedact } from "./payloads";
import { TOPIC_HANDLERS } from "./topics.server";

const address = {
  first_name: "Ottoline",
  last_name: "Quarrington",
  name: "Ottoline Quarrington",
  address1: "742 Brackenholt Terrace",
  address2: "Flat 9",
  city: "Wyvernmoor",
  zip: "QX9 7ZT",
  country_code: "GB",
  phone: "+14155550187",
};
const person = customer(77, { first_name: "Ottoline", last_name: "Quarrington", phone: "+14155550187" });
const o = order([3_000, 2_000], person, { discountCode: "SAVE5", discountMinor: 500 });
const fullOrder = { ...orderPayload(o), shipping_address: address, billing_address: address, phone: address.phone };
const fullRefund = { ...refundPayload(refund(o, [1])), note: "Returned by Ottoline Quarrington" };
const fullCustomer = customerPayload(person, { addresses: [address], default_address: address });
const compliance = {
  shop_id: 1,
  shop_domain: "a.myshopify.com",
  customer: { id: 77, email: person.email, phone: address.phone },
  orders_to_redact: [o.id],
  orders_requested: [o.id],
  data_request: { id: 9 },
};

const roundTrip = (topic: string, body: unknown) => JSON.parse(minimisePayload(topic, body));

describe("minimisePayload", () => {
  it("keeps what each topic's parser reads", () => {
    // The address parser passes unknown keys through; the app reads only street, unit, postcode, country.
    const asUsed = (event: ReturnType<typeof parseOrderEvent>) => {
      if (event.type === "refund" || !event.order.shippingAddress) return event;
      const { address1, address2, zip, country_code } = event.order.shippingAddress;
      return { ...event, order: { ...event.order, shippingAddress: { address1, address2, zip, country_code } } };
    };
    for (const topic of ["orders/paid", "orders/cancelled"]) {
      expect(parseOrderEvent(topic, roundTrip(topic, fullOrder))).toEqual(asUsed(parseOrderEvent(topic, fullOrder)));
    }
    expect(parseOrderEvent("refunds/create", roundTrip("refunds/create", fullRefund))).toEqual(
      parseOrderEvent("refunds/create", fullRefund),
    );
    for (const topic of ["customers/create", "customers/update"]) {
      expect(parseCustomer(roundTrip(topic, fullCustomer))).toEqual(parseCustomer(fullCustomer));
    }
    for (const topic of ["customers/redact", "customers/data_request"]) {
      expect(parseComplianceCustomer(roundTrip(topic, compliance))).toEqual(parseComplianceCustomer(compliance));
    }
    expect(parseShopRedact(roundTrip("shop/redact", { shop_id: 1, shop_domain: "a.myshopify.com" }))).toEqual({
      shop_domain: "a.myshopify.com",
    });
  });

  it("gives the same verdict on a body the parser refuses", () => {
    const broken = { ...fullOrder, subtotal_price_set: { shop_money: { amount: "1.2.3" } } };
    expect(() => parseOrderEvent("orders/paid", broken)).toThrow();
    expect(() => parseOrderEvent("orders/paid", roundTrip("orders/paid", broken))).toThrow();
    const noLines = { ...fullRefund, refund_line_items: [{ id: 1 }] };
    expect(() => parseOrderEvent("refunds/create", roundTrip("refunds/create", noLines))).toThrow();
  });

  it("drops names (but a customer event's own), phone numbers, billing addresses, line titles and notes", () => {
    // A customer event keeps the customer's first and last name (the merchant's member list shows
    // and searches them); taken out here, nothing else about the person may be left.
    const customerEvent = JSON.parse(minimisePayload("customers/update", fullCustomer));
    expect(customerEvent).toMatchObject({ first_name: "Ottoline", last_name: "Quarrington" });
    delete customerEvent.first_name;
    delete customerEvent.last_name;
    const stored = [
      minimisePayload("orders/paid", fullOrder),
      minimisePayload("refunds/create", fullRefund),
      JSON.stringify(customerEvent),
      minimisePayload("customers/redact", compliance),
    ].join("\n");
    expect(
      stored.match(/Ottoline|Quarrington|4155550187|Wyvernmoor|billing_address|"title"|"name":"Item|"sku"|"note"/g),
    ).toBeNull();
    // Of a line, only what earning reads: product, quantity, price, discounts, gift card.
    expect(Object.keys(JSON.parse(minimisePayload("orders/paid", fullOrder)).line_items[0]).sort()).toEqual([
      "discount_allocations",
      "gift_card",
      "price_set",
      "product_id",
      "quantity",
    ]);
    // The compliance payload keeps ids only, not the email Shopify sent with it.
    expect(minimisePayload("customers/redact", compliance)).not.toContain(person.email);
  });

  it("has a minimiser for every topic the app subscribes to", () => {
    for (const topic of TOPIC_HANDLERS.keys()) expect(canMinimise(topic), topic).toBe(true);
    expect(minimisePayload("themes/publish", { title: "x" })).toBe("{}");
    expect(minimisePayload("products/update", { id: 5, title: "Secret launch", tags: "a, b" })).toBe('{"id":5,"tags":"a, b"}');
  });
});

describe("redactPayload", () => {
  it("turns an order into a guest's order and drops the customer's own events", () => {
    const redacted = JSON.parse(redactPayload("orders/paid", fullOrder)!);
    expect(redacted).toMatchObject({ id: o.id, customer: null, email: null, shipping_address: null });
    expect(parseOrderEvent("orders/paid", redacted)).toMatchObject({
      type: "paid",
      order: { customer: null, subtotalMinor: 4_500 },
    });
    expect(redactPayload("customers/update", fullCustomer)).toBeNull();
    expect(redactPayload("refunds/create", fullRefund)).not.toContain("Ottoline");
  });
});
