// The winner algorithm of a seasonal draw against an independent reading of its text (docs/http.md
// "Seasonal draws"): SHA-256 here is node:crypto's, not the domain's own.
import { createHash, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commitmentOf, drawWinners, pickTicket } from "~/domain/draws";
import { sha256Hex } from "~/domain/sha256";

const nodeSha = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** The spec, read literally: h = SHA-256("<seed>:<k>"), ticket = first 8 bytes (BE) mod N, skip repeat winners. */
function reference(seed: string, tickets: Array<{ owner: string; from: number; to: number }>, winners: number) {
  const n = tickets.reduce((s, t) => s + t.to - t.from + 1, 0);
  const owners = new Set(tickets.map((t) => t.owner));
  const out: Array<{ owner: string; ticket: number }> = [];
  for (let k = 0; out.length < Math.min(winners, owners.size); k++) {
    const ticket = Number(nodeSha(`${seed}:${k}`).readBigUInt64BE(0) % BigInt(n));
    const owner = tickets.find((t) => t.from <= ticket && ticket <= t.to)!.owner;
    if (!out.some((w) => w.owner === owner)) out.push({ owner, ticket });
  }
  return out;
}

describe("draw winners", () => {
  it("sha256 agrees with node:crypto on short, block-edge and multi-block inputs", () => {
    for (const s of ["", "abc", "a".repeat(55), "a".repeat(56), "a".repeat(64), "ü€😀".repeat(40), "x".repeat(1000)])
      expect(sha256Hex(s)).toBe(nodeSha(s).toString("hex"));
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("commits to the seed's 64 hex characters", () => {
    const seed = randomBytes(32).toString("hex");
    expect(commitmentOf(seed)).toBe(createHash("sha256").update(seed).digest("hex"));
  });

  it("a fixed vector, computed here from the spec", () => {
    const seed = "00".repeat(31) + "01";
    const tickets = [
      { owner: "a", from: 0, to: 2 },
      { owner: "b", from: 3, to: 3 },
      { owner: "c", from: 4, to: 9 },
      { owner: "a", from: 10, to: 11 },
    ];
    // k = 0: SHA-256("000…01:0"), its first 8 bytes mod 12.
    const first = Number(nodeSha(`${seed}:0`).readBigUInt64BE(0) % 12n);
    expect(pickTicket(seed, 0, 12)).toBe(first);
    const expected = reference(seed, tickets, 2);
    expect(drawWinners(seed, tickets, 2)).toEqual(expected);
    expect(expected[0]!.ticket).toBe(first);
    // Pinned (k = 0 → 6, k = 1 → 1, k = 2 → 8, k = 3 → 3), so a change of reading shows.
    expect(expected).toEqual([
      { owner: "c", ticket: 6 },
      { owner: "a", ticket: 1 },
    ]);
    expect(drawWinners(seed, tickets, 3)).toEqual([...expected, { owner: "b", ticket: 3 }]);
    // More winners than entrants: every entrant wins once.
    expect(
      drawWinners(seed, tickets, 10)
        .map((w) => w.owner)
        .sort(),
    ).toEqual(["a", "b", "c"]);
  });

  it("agrees with the literal reading for any tickets and seed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ owner: fc.constantFrom("p", "q", "r", "s", "t"), size: fc.integer({ min: 1, max: 20 }) }), {
          minLength: 1,
          maxLength: 15,
        }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 6 }),
        (entries, bytes, winners) => {
          let next = 0;
          const tickets = entries.map((e) => ({ owner: e.owner, from: next, to: (next += e.size) - 1 }));
          const seed = Buffer.from(bytes).toString("hex");
          // The order ranges are given in does not matter.
          expect(drawWinners(seed, [...tickets].reverse(), winners)).toEqual(reference(seed, tickets, winners));
        },
      ),
      { numRuns: 200 },
    );
  });
});
