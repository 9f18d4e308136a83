#!/usr/bin/env node
// Recomputes a seasonal draw's winners from its public proof, with nothing of the app's own code:
//   curl -s "https://<shop>/apps/loyalty/draws/<id>/proof" > proof.json
//   node scripts/verify-draw.mjs proof.json        (or: … | node scripts/verify-draw.mjs -)
// It checks that the seed matches the commitment published before the draw closed, that the
// tickets cover 0..N-1 exactly once, and that the algorithm below picks the published winners:
// for k = 0, 1, 2, …: h = SHA-256("<seed>:<k>"), ticket = (first 8 bytes of h, unsigned
// big-endian) mod N; its entrant wins unless they already have, until `winners` entrants have
// won or every entrant has. Exit code 0 when everything holds, 1 when something does not.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const sha256 = (text) => createHash("sha256").update(text, "utf8").digest();

/** Everything that can be checked from the proof alone: a list of problems (empty: it holds). */
export function verifyDraw(proof) {
  const problems = [];
  const { seed, commitment, tickets = [], winners = [] } = proof;
  if (!/^[0-9a-f]{64}$/.test(seed ?? "")) problems.push("the seed is not 64 lowercase hex characters");
  if (sha256(seed ?? "").toString("hex") !== commitment) problems.push("SHA-256 of the seed is not the commitment");
  const ranges = [...tickets].sort((a, b) => a.from - b.from);
  let next = 0;
  for (const r of ranges) {
    if (r.from !== next || r.to < r.from) problems.push(`tickets ${r.from}..${r.to} do not follow ${next - 1}`);
    next = r.to + 1;
  }
  const n = next;
  const entrants = new Set(ranges.map((r) => r.entrant));
  const wanted = Math.min(winners.length, entrants.size);
  const computed = [];
  const won = new Set();
  // The published list says how many won; more entrants than that means the draw stopped at its count.
  for (let k = 0; n > 0 && computed.length < wanted; k++) {
    const ticket = Number(sha256(`${seed}:${k}`).readBigUInt64BE(0) % BigInt(n));
    const owner = ranges.find((r) => r.from <= ticket && ticket <= r.to).entrant;
    if (won.has(owner)) continue;
    won.add(owner);
    computed.push({ entrant: owner, ticket });
  }
  if (JSON.stringify(computed) !== JSON.stringify(winners.map((w) => ({ entrant: w.entrant, ticket: w.ticket }))))
    problems.push(`the winners recomputed are ${JSON.stringify(computed)}, the proof says ${JSON.stringify(winners)}`);
  return { problems, tickets: n, entrants: entrants.size, winners: computed };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = process.argv[2] ?? "-";
  const proof = JSON.parse(readFileSync(source === "-" ? 0 : source, "utf8"));
  const result = verifyDraw(proof);
  console.log(`${result.tickets} tickets, ${result.entrants} entrants, winners:`);
  for (const w of result.winners)
    console.log(`  ticket ${w.ticket}: ${w.entrant}${w.entrant === proof.myEntrant ? " (you)" : ""}`);
  if (result.problems.length) {
    for (const p of result.problems) console.error(`NOT VERIFIED: ${p}`);
    process.exit(1);
  }
  console.log("verified: the seed matches its commitment and the winners follow from it");
}
