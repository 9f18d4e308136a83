import { describe, expect, it } from "vitest";
import { ChunkSize } from "./worker.server";

describe("ChunkSize", () => {
  const target = { busy: 25, quiet: 150 };
  const run = (chunk: ChunkSize, msPerOrder: number, doorBusy: boolean, times = 10) => {
    for (let i = 0; i < times; i++) chunk.observe(chunk.size, chunk.size * msPerOrder, doorBusy);
    return chunk.size;
  };

  it("keeps transactions short while webhooks arrive, and longer once the door is quiet", () => {
    const chunk = new ChunkSize(target);
    // 1.5 ms an order: 32 orders take 48 ms, over the busy target; halves to the floor.
    expect(run(chunk, 1.5, true)).toBe(16);
    // Quiet door: grows while a transaction takes under half of 150 ms (up to 64 orders = 96 ms).
    expect(run(chunk, 1.5, false)).toBe(64);
    // Webhooks again: back down within a few transactions.
    expect(run(chunk, 1.5, true, 2)).toBe(16);
  });

  it("learns nothing from a run shorter than the chunk", () => {
    const chunk = new ChunkSize(target);
    chunk.observe(3, 1_000, true);
    expect(chunk.size).toBe(32);
  });
});
