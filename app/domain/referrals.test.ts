import { describe, expect, it } from "vitest";
import { isBirthday, localDate } from "./birthday";
import { normaliseAddress, normaliseEmail, referralVerdict, rememberAddress } from "./referrals";

describe("normaliseEmail", () => {
  it("folds Gmail dots and +tags, and +tags elsewhere", () => {
    expect(normaliseEmail("Jane.Doe+promo@GMail.com")).toBe("janedoe@gmail.com");
    expect(normaliseEmail("j.a.n.e.doe@googlemail.com")).toBe("janedoe@gmail.com");
    expect(normaliseEmail("jane.doe+x@example.com")).toBe("jane.doe@example.com");
  });
});

describe("normaliseAddress", () => {
  it("ignores case, spacing and punctuation", () => {
    expect(normaliseAddress({ address1: "12 Main St.", zip: "10001", country_code: "US" })).toBe(
      normaliseAddress({ address1: "12 main st", zip: "10 001", country_code: "us" }),
    );
    expect(normaliseAddress({ address1: "" })).toBeNull();
  });
});

describe("referralVerdict", () => {
  const base = {
    referrerCustomerId: "1",
    refereeCustomerId: "2",
    referrerEmailHash: "a",
    refereeEmailHash: "b",
    referrerAddressHashes: ["x"],
    refereeAddressHash: "y",
    refereePriorOrders: 0,
  };
  it("rewards a new friend", () => expect(referralVerdict(base)).toEqual({ reward: true }));
  it("refuses the same customer, email or address, and repeat buyers", () => {
    expect(referralVerdict({ ...base, refereeCustomerId: "1" })).toMatchObject({ reason: "self_referral_customer" });
    expect(referralVerdict({ ...base, refereeEmailHash: "a" })).toMatchObject({ reason: "self_referral_email" });
    expect(referralVerdict({ ...base, refereeAddressHash: "x" })).toMatchObject({ reason: "self_referral_address" });
    expect(referralVerdict({ ...base, refereePriorOrders: 1 })).toMatchObject({ reason: "not_first_order" });
  });
  it("remembers recent addresses", () => {
    expect(rememberAddress(["a", "b"], "b")).toEqual(["b", "a"]);
    expect(rememberAddress(["a", "b", "c"], "d", 3)).toEqual(["d", "a", "b"]);
  });
});

describe("birthdays", () => {
  it("uses the shop's local date", () => {
    const now = new Date("2026-03-01T03:00:00Z");
    expect(localDate(now, "America/New_York")).toEqual({ year: 2026, month: 2, day: 28 });
    expect(localDate(now, "Asia/Tehran")).toEqual({ year: 2026, month: 3, day: 1 });
  });
  it("keeps 29 February on the 28th in other years", () => {
    expect(isBirthday(2, 29, { year: 2026, month: 2, day: 28 })).toBe(true);
    expect(isBirthday(2, 29, { year: 2028, month: 2, day: 28 })).toBe(false);
    expect(isBirthday(2, 29, { year: 2028, month: 2, day: 29 })).toBe(true);
    expect(isBirthday(7, 4, { year: 2026, month: 7, day: 4 })).toBe(true);
  });
});
