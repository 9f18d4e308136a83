import { describe, expect, it } from "vitest";
import { csvCell, csvLine, parseCsv } from "./csv";
import { parseMemberImport } from "./member-import";
import { launchAllows } from "./program";
import { documentOf, parseProgramDocument, reconcile, rulesOfDocument } from "./program-document";
import { DEFAULT_RULES } from "./program";
import { orderEarner, emptyOrderRecord, planOrderEvent } from "./orders";

describe("launch", () => {
  it("lets nobody in in draft, the tagged in a pilot, everyone once live", () => {
    expect(launchAllows({ state: "draft", pilotTag: "pilot" }, ["pilot"])).toBe(false);
    expect(launchAllows({ state: "pilot", pilotTag: "Pilot" }, ["vip", " pilot "])).toBe(true);
    expect(launchAllows({ state: "pilot", pilotTag: "pilot" }, ["vip"])).toBe(false);
    expect(launchAllows({ state: "pilot", pilotTag: "pilot" }, null)).toBe(false);
    expect(launchAllows({ state: "pilot", pilotTag: "" }, [""])).toBe(false);
    expect(launchAllows({ state: "live", pilotTag: "" }, null)).toBe(true);
  });

  it("decides a closed customer's paid order as earning nothing, for good", () => {
    const record = {
      ...emptyOrderRecord("1"),
      customerId: "5",
      paid: true,
      subtotalMinor: 5000,
      earnSubtotalMinor: 5000,
      currency: "USD",
    };
    const pilot = { launch: { state: "pilot" as const, pilotTag: "p" }, tags: ["x"] };
    expect(orderEarner(record, null, true, pilot)).toBe("closed");
    expect(orderEarner(record, null, false, pilot)).toBe("none");
    expect(orderEarner(record, null, true, { ...pilot, tags: ["p"] })).toBe("enrol");
    const plan = planOrderEvent({
      event: { type: "refund", orderId: "1", refundId: "r", subtotalMinor: 0, createdAt: new Date() },
      record,
      member: null,
      closed: true,
      rules: { version: 3, ...DEFAULT_RULES },
      tiers: [],
      earnEntry: null,
      usedRedemptions: [],
      now: new Date(),
    });
    expect(plan.entries).toEqual([]);
    expect(plan.record).toMatchObject({ earnVersion: 3, earnedPoints: 0, memberId: null });
  });
});

describe("csv", () => {
  it("reads BOM, quotes, doubled quotes, line breaks in cells and CRLF", () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n"two\nlines",\n')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["two\nlines", ""],
    ]);
  });
  it("defuses formulas and quotes what needs it", () => {
    expect(["=1+1", "+1", "-5", "@x", "a,b", 'q"', "ok"].map(csvCell)).toEqual([
      "'=1+1",
      "'+1",
      "'-5",
      "'@x",
      '"a,b"',
      '"q"""',
      "ok",
    ]);
    expect(csvLine(["1", null, 2])).toBe("1,,2\r\n");
  });
});

describe("member import", () => {
  it("needs an email and points column", () => {
    expect(parseMemberImport("mail,pts\n")).toMatchObject({ ok: false });
  });
  it("reads back its own export's defused negatives and names the first row of a duplicate", () => {
    const parsed = parseMemberImport("email,points\nA@x.co,'-5\na@x.co,3\n");
    expect(parsed).toMatchObject({
      ok: true,
      rows: 2,
      candidates: [{ row: 1, email: "a@x.co", points: -5 }],
      errors: [{ row: 2, message: expect.stringContaining("row 1") }],
    });
  });
  it("gives the same identity to a file saved with other line ends", () => {
    const a = parseMemberImport("\uFEFFemail,points\r\na@x.co,1\r\n");
    const b = parseMemberImport("email,points\na@x.co,1");
    expect(a.ok && b.ok && a.canonical === b.canonical).toBe(true);
  });
});

describe("program document", () => {
  it("round-trips the default rules", () => {
    const doc = documentOf({ version: 1, ...DEFAULT_RULES }, [], []);
    const parsed = parseProgramDocument(doc);
    expect(parsed.ok && rulesOfDocument(parsed.doc)).toEqual(DEFAULT_RULES);
  });
  it("reconciles by id, by name only when importing, and archives the rest", () => {
    const existing = [
      { id: "r1", name: "5 off" },
      { id: "r2", name: "Mug" },
    ];
    expect(reconcile([{ id: "r2", name: "Mug!" }, { name: "5 off" }], existing, false)).toEqual({
      update: [{ id: "r2", item: { id: "r2", name: "Mug!" }, position: 0 }],
      create: [{ item: { name: "5 off" }, position: 1 }],
      archive: ["r1"],
    });
    expect(reconcile([{ id: "foreign", name: "5 OFF" }], existing, true)).toMatchObject({
      update: [{ id: "r1" }],
      archive: ["r2"],
    });
  });
});
