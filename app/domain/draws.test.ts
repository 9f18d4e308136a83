// Property test of entry planning: for any sequence of entry requests, the accepted ones' tickets
// cover 0..N-1 exactly once, each entrant's ticket count equals their entries, limits and the
// free entry hold, nobody spends more than they have, and refusals come in the contract's order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planEntry, type DrawRules, type EntrantStanding, type EntryRequest } from "./draws";

const NOW = new Date("2026-12-01T12:00:00Z");
const LATER = new Date("2026-12-24T12:00:00Z");

const open = (over: Partial<DrawRules> = {}): DrawRules => ({
  state: "open",
  endsAt: LATER,
  pointsPerEntry: 10,
  maxEntriesPerCustomer: 3,
  nextTicket: 0,
  ...over,
});

describe("planEntry", () => {
  it("answers the first refusal that applies", () => {
    const used = { entries: 3, freeUsed: true };
    expect(planEntry(open({ state: "drawn" }), used, { free: true }, 0, NOW)).toEqual({ refused: "draw_closed" });
    expect(planEntry(open({ endsAt: NOW }), used, { free: true }, 0, NOW)).toEqual({ refused: "draw_closed" });
    expect(planEntry(open(), used, { free: true }, 0, NOW)).toEqual({ refused: "free_entry_used" });
    expect(planEntry(open(), { entries: 3, freeUsed: false }, { free: true }, 0, NOW)).toEqual({ refused: "entry_limit" });
    expect(planEntry(open(), { entries: 2, freeUsed: false }, { free: false, entries: 2 }, 0, NOW)).toEqual({
      refused: "entry_limit",
    });
    expect(planEntry(open(), { entries: 0, freeUsed: false }, { free: false, entries: 2 }, 19, NOW)).toEqual({
      refused: "insufficient_points",
    });
  });

  it("a free entry costs nothing and counts toward the limit", () => {
    expect(planEntry(open({ nextTicket: 7 }), { entries: 2, freeUsed: false }, { free: true }, 0, NOW)).toEqual({
      entries: 1,
      cost: 0,
      firstTicket: 7,
      lastTicket: 7,
      standing: { entries: 3, freeUsed: true },
    });
  });

  it("for any sequence of requests: tickets 0..N-1 once each, counts equal entries, limits hold", () => {
    const request = fc.record({
      who: fc.integer({ min: 0, max: 4 }),
      free: fc.boolean(),
      entries: fc.integer({ min: 1, max: 6 }),
    });
    fc.assert(
      fc.property(fc.array(request, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (requests, max) => {
        const draw = open({ maxEntriesPerCustomer: max });
        const standing = new Map<number, EntrantStanding>();
        const points = new Map<number, number>([0, 1, 2, 3, 4].map((w) => [w, 40 + w * 15]));
        const tickets: Array<{ who: number; from: number; to: number }> = [];
        for (const r of requests) {
          const before = standing.get(r.who) ?? { entries: 0, freeUsed: false };
          const req: EntryRequest = r.free ? { free: true } : { free: false, entries: r.entries };
          const plan = planEntry(draw, before, req, points.get(r.who)!, NOW);
          if ("refused" in plan) {
            const expected =
              r.free && before.freeUsed
                ? "free_entry_used"
                : before.entries + (r.free ? 1 : r.entries) > max
                  ? "entry_limit"
                  : "insufficient_points";
            expect(plan.refused).toBe(expected);
            continue;
          }
          expect(plan.firstTicket).toBe(draw.nextTicket);
          draw.nextTicket = plan.lastTicket + 1;
          points.set(r.who, points.get(r.who)! - plan.cost);
          standing.set(r.who, plan.standing);
          tickets.push({ who: r.who, from: plan.firstTicket, to: plan.lastTicket });
        }
        const covered = tickets.flatMap((t) => Array.from({ length: t.to - t.from + 1 }, (_, i) => t.from + i));
        expect(covered).toEqual(Array.from({ length: draw.nextTicket }, (_, i) => i));
        for (const [who, s] of standing) {
          expect(tickets.filter((t) => t.who === who).reduce((n, t) => n + t.to - t.from + 1, 0)).toBe(s.entries);
          expect(s.entries).toBeLessThanOrEqual(max);
          expect(points.get(who)!).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
