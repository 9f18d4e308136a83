// The prepared-statement cache of SQLite's connections: least recently used out first, bounded
// by count and by the SQL text it holds (a batch insert's statement is large, and every batch
// size has its own).
import { describe, expect, it } from "vitest";
import { statementCache } from "./sqlite-serialized.server";

describe("statementCache", () => {
  const counting = (limits: { statements: number; chars: number }) => {
    const prepared: string[] = [];
    const cache = statementCache((sql) => (prepared.push(sql), { sql }), limits);
    return { cache, prepared };
  };

  it("prepares a text once while it stays cached, and hands back the same statement", () => {
    const { cache, prepared } = counting({ statements: 10, chars: 1_000 });
    const first = cache.get("SELECT 1");
    expect(cache.get("SELECT 1")).toBe(first);
    cache.get("SELECT 2");
    expect(prepared).toEqual(["SELECT 1", "SELECT 2"]);
    expect(cache.held()).toEqual({ statements: 2, chars: 16 });
  });

  it("drops the least recently used past the text it may hold", () => {
    const { cache, prepared } = counting({ statements: 10, chars: 100 });
    const [a, b, c] = ["a".repeat(40), "b".repeat(40), "c".repeat(40)] as const;
    cache.get(a);
    cache.get(b);
    cache.get(a); // a is now the most recent
    cache.get(c); // 120 chars: b, the least recent, goes
    expect(cache.held()).toEqual({ statements: 2, chars: 80 });
    cache.get(a);
    cache.get(b); // prepared again
    expect(prepared).toEqual([a, b, c, b]);
  });

  it("drops past the count, and keeps a statement in use however long it is", () => {
    const { cache, prepared } = counting({ statements: 2, chars: 50 });
    cache.get("x");
    cache.get("y");
    cache.get("z"); // x goes
    cache.get("y");
    expect(prepared).toEqual(["x", "y", "z"]);
    const long = "L".repeat(80);
    cache.get(long);
    expect(cache.held()).toEqual({ statements: 1, chars: 80 });
    expect(cache.get(long)).toEqual({ sql: long });
    expect(prepared.at(-1)).toBe(long);
    expect(prepared).toHaveLength(4);
  });
});
