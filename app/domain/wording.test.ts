import { describe, expect, it } from "vitest";
import { actorLabel, count, reconciliationSummary, reconciliationToast, sentence } from "./wording";

const none = { ordersChecked: 0, missedPaid: 0, missedCancelled: 0, missedRefunds: 0, pointsCredited: 0, pointsReversed: 0 };

describe("wording", () => {
  it("counts with the right plural", () => {
    expect(count(1, "row")).toBe("1 row");
    expect(count(0, "row")).toBe("0 rows");
    expect(count(2, "row")).toBe("2 rows");
    expect(count(1250, "point")).toBe("1,250 points");
    expect(count(3, "entry", "entries")).toBe("3 entries");
  });

  it("names who made an entry", () => {
    expect(actorLabel("webhook:abc")).toBe("Order");
    expect(actorLabel("shopper")).toBe("Member");
    expect(actorLabel("system:reconciliation")).toBe("Order check");
    expect(actorLabel("system:something-new")).toBe("Loyalty Club");
    expect(actorLabel("9001")).toBe("Staff #9001");
    expect(actorLabel("demo-merchant")).toBe("Staff");
  });

  it("says what reconciliation found", () => {
    expect(reconciliationSummary({ ...none, ordersChecked: 42 }, "Dec 1")).toBe(
      "42 orders checked with Shopify on Dec 1: nothing was missed.",
    );
    expect(reconciliationSummary({ ...none, ordersChecked: 1 }, "Dec 1")).toBe(
      "1 order checked with Shopify on Dec 1: nothing was missed.",
    );
    expect(reconciliationSummary({ ...none, ordersChecked: 9, missedPaid: 3, pointsCredited: 450 }, "Dec 1")).toBe(
      "3 orders were missed and credited on Dec 1 (450 points).",
    );
    expect(reconciliationSummary({ ...none, ordersChecked: 9, missedPaid: 1, pointsCredited: 1 }, "Dec 1")).toBe(
      "1 order was missed and credited on Dec 1 (1 point).",
    );
    expect(
      reconciliationSummary(
        { ...none, ordersChecked: 9, missedPaid: 1, missedRefunds: 2, pointsCredited: 40, pointsReversed: 12 },
        "Dec 1",
      ),
    ).toBe("1 order was missed and credited on Dec 1 (40 points). 2 refunds were missed and taken back (12 points).");
    expect(reconciliationSummary({ ...none, ordersChecked: 9, missedCancelled: 1 }, "Dec 1")).toBe(
      "1 cancellation was missed and taken back on Dec 1.",
    );
  });

  it("toasts the result of a run", () => {
    expect(reconciliationToast({ ...none, ordersChecked: 5 })).toBe("5 orders checked: nothing missed");
    expect(reconciliationToast({ ...none, ordersChecked: 5, missedPaid: 1 })).toBe("5 orders checked: 1 missed order credited");
    expect(reconciliationToast({ ...none, ordersChecked: 5, missedPaid: 2, missedRefunds: 1 })).toBe(
      "5 orders checked: 2 missed orders credited, 1 refund taken back",
    );
  });
});

describe("sentence", () => {
  it("makes an API message a sentence", () => {
    expect(sentence("must be at most 90")).toBe("Must be at most 90.");
    expect(sentence("Choose a tag.")).toBe("Choose a tag.");
    expect(sentence("")).toBe("");
  });
});
