import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCheckpointer, type CheckpointReport } from "./sqlite-checkpointer.server";

describe("the SQLite checkpointer thread", () => {
  let dir: string;
  let file: string;
  let writer: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "lc-checkpoint-"));
    file = path.join(dir, "db.sqlite");
    writer = new Database(file);
    writer.pragma("journal_mode = WAL");
    writer.pragma("wal_autocheckpoint = 0"); // as the app's connections: they never checkpoint
    writer.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`);
  });
  afterEach(() => {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (rows: number) => {
    const insert = writer.prepare(`INSERT INTO t (body) VALUES (?)`);
    writer.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run("x".repeat(1000));
    })();
  };
  const until = async (check: () => boolean, ms = 5_000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it("copies what writers commit back into the database file, beside them", async () => {
    write(2_000);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1_000_000); // nothing copied yet: the WAL holds it
    const reports: CheckpointReport[] = [];
    const checkpointer = startCheckpointer([file], 20, (r) => reports.push(r));
    try {
      await until(() => reports.some((r) => (r.log ?? 0) > 0 && r.checkpointed === r.log));
      expect(reports.find((r) => r.error)).toBeUndefined();
      // Writers go on while it runs; each of their commits is copied in a later turn.
      write(500);
      const seen = reports.length;
      await until(() => reports.length > seen && reports.at(-1)!.checkpointed === reports.at(-1)!.log);
      expect(checkpointer.last()).toEqual(reports.at(-1));
    } finally {
      await checkpointer.stop();
    }
    // A fresh reader of the database file alone (no WAL) sees every row: they were copied back.
    writer.close();
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare(`SELECT count(*) AS n FROM t`).get()).toEqual({ n: 2_500 });
    reader.close();
    writer = new Database(":memory:"); // for afterEach
  });

  it("checkpoints the other files it is given as well (the webhook arrivals), reporting the first", async () => {
    const other = path.join(dir, "db.inbox.sqlite");
    const second = new Database(other);
    second.pragma("journal_mode = WAL");
    second.pragma("wal_autocheckpoint = 0");
    second.exec(`CREATE TABLE a (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`);
    const insert = second.prepare(`INSERT INTO a (body) VALUES (?)`);
    second.transaction(() => {
      for (let i = 0; i < 700; i++) insert.run("y".repeat(1000));
    })();
    second.close(); // the last connection closing would checkpoint by itself: keep one open
    const holder = new Database(other);
    holder.pragma("wal_autocheckpoint = 0");
    holder.prepare(`INSERT INTO a (body) VALUES ('z')`).run();
    write(10);
    const checkpointer = startCheckpointer([file, other], 20);
    try {
      await until(() => checkpointer.last() !== null);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await checkpointer.stop();
    }
    // Copied back: a copy of the file alone, without its WAL, has every row (taken while a
    // connection is still open, since the last one closing would checkpoint by itself).
    const copy = path.join(dir, "copy.sqlite");
    copyFileSync(other, copy);
    holder.close();
    const reader = new Database(copy, { readonly: true });
    expect(reader.prepare(`SELECT count(*) AS n FROM a`).get()).toEqual({ n: 701 });
    reader.close();
  });

  it("skips a turn, without an error, while another connection holds the database locked", async () => {
    // An exclusive lock (as while a connection switches the journal mode): the checkpoint cannot
    // even read the WAL index, and SQLite answers SQLITE_BUSY.
    writer.pragma("locking_mode = EXCLUSIVE");
    write(10);
    const reports: CheckpointReport[] = [];
    const checkpointer = startCheckpointer([file], 20, (r) => reports.push(r));
    try {
      await until(() => reports.length >= 3);
      expect(reports.slice(0, 3)).toEqual([{ busy: 1 }, { busy: 1 }, { busy: 1 }]);
      writer.close(); // the lock goes with the connection; the next turns checkpoint again
      writer = new Database(":memory:");
      await until(() => reports.some((r) => r.busy === 0));
      expect(reports.find((r) => r.error)).toBeUndefined();
    } finally {
      await checkpointer.stop();
    }
  });

  it("stops with one last checkpoint", async () => {
    const checkpointer = startCheckpointer([file], 60_000); // one turn at start, then only at stop
    await until(() => checkpointer.last() !== null);
    const first = checkpointer.last()!;
    write(300); // ~80 pages of rows
    await checkpointer.stop();
    const last = checkpointer.last()!;
    expect(last).toMatchObject({ busy: 0 });
    expect(last.log).toBeGreaterThan((first.log ?? 0) + 50);
    expect(last.checkpointed).toBe(last.log);
  });
});
