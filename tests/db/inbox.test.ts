// The door's inbox writer against a real database (both kinds): a webhook is stored once per
// (shop, webhook id), only for an installed shop (compliance topics also after uninstall), and on
// SQLite into the arrivals file, which the door writes without waiting for the app file's write
// lock, and from which claims move it into the inbox in arrival order, exactly once, even when a
// move is cut off between its copy and its delete.
import Database from "better-sqlite3";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createDb, sqliteFile, type Db } from "~/db.server";
import { systemStatus } from "~/models/dashboard.server";
import { installShop, uninstallShop } from "~/models/shops.server";
import { arrivalsFile } from "~/sqlite-files";
import { arrivalsWaiting, closeArrivals, moveArrivals } from "~/webhooks/arrivals.server";
import { createInboxWriter, type InboxRow, type InboxWriter } from "~/webhooks/inbox.server";
import { claimJobs, openJobs } from "~/webhooks/worker.server";
import { dropDatabase, freshDatabaseUrl, describeDialects } from "../support/app";

describeDialects("the inbox writer on %s", (dialect) => {
  let db: Db;
  let url = "";
  let inbox: InboxWriter;
  const SHOP = "inbox-shop.myshopify.com";
  const row = (webhookId: string, over: Partial<InboxRow> = {}): InboxRow => ({
    shopId: SHOP,
    topic: "orders/paid",
    webhookId,
    eventId: null,
    customerId: "7",
    payload: JSON.stringify({ id: webhookId }),
    afterUninstall: false,
    deadLetter: null,
    ...over,
  });
  const jobs = () => db.webhookJob.findMany({ orderBy: { id: "asc" }, select: { webhookId: true, status: true } });

  beforeEach(async () => {
    url = await freshDatabaseUrl(dialect);
    db = createDb(url);
    await installShop(db, { id: SHOP, name: "Inbox", currency: "USD", timezone: "UTC" });
    inbox = createInboxWriter(db, dialect, url);
  });
  afterEach(async () => {
    await inbox?.close();
    if (dialect === "sqlite") closeArrivals(db);
    await db?.$disconnect();
    await dropDatabase(url);
  });

  it("stores a webhook once, answers a repeat false, and only for an installed shop", async () => {
    expect(await Promise.all([inbox.store(row("a")), inbox.store(row("a")), inbox.store(row("b"))])).toEqual([true, false, true]);
    expect(await inbox.store(row("x", { shopId: "never-installed.myshopify.com" }))).toBe(false);
    await claimJobs(db, dialect, 0); // on SQLite, moves the arrivals in
    expect(await inbox.store(row("a"))).toBe(false); // a repeat of a webhook already in the inbox
    await uninstallShop(db, SHOP);
    expect(await inbox.store(row("c"))).toBe(false);
    expect(await inbox.store(row("r", { topic: "customers/redact", afterUninstall: true }))).toBe(true);
    expect(await inbox.store(row("d", { deadLetter: "invalid_order" }))).toBe(false); // uninstalled
    expect(await openJobs(db)).toBe(3);
    await claimJobs(db, dialect, 0);
    // (the order of one batch's rows is the database's own on PostgreSQL)
    expect((await jobs()).sort((x, y) => x.webhookId.localeCompare(y.webhookId))).toEqual([
      { webhookId: "a", status: "pending" },
      { webhookId: "b", status: "pending" },
      { webhookId: "r", status: "pending" },
    ]);
  });

  it("counts a shop's webhooks waiting to be processed on the System page, arrived or queued", async () => {
    const OTHER = "inbox-other.myshopify.com";
    await installShop(db, { id: OTHER, name: "Other", currency: "USD", timezone: "UTC" });
    await Promise.all([inbox.store(row("w-1")), inbox.store(row("w-2")), inbox.store(row("w-3", { shopId: OTHER }))]);
    const open = async () => (await systemStatus(db, SHOP)).inboxOpen;
    expect(await open()).toBe(2); // on SQLite, still the door's arrivals
    await claimJobs(db, dialect, 0); // on SQLite, moves them into the queue
    expect(await open()).toBe(2);
    expect((await systemStatus(db, OTHER)).inboxOpen).toBe(1);
  });

  if (dialect !== "sqlite") return;

  it("stores while another connection holds the app file's write lock (a ledger transaction)", async () => {
    const holder = new Database(sqliteFile(url), { timeout: 0 });
    holder.prepare("BEGIN IMMEDIATE").run();
    holder.prepare(`UPDATE "Shop" SET "name" = 'held' WHERE "id" = ?`).run(SHOP);
    try {
      const stored = await Promise.race([
        inbox.store(row("held-1")),
        new Promise((resolve) => setTimeout(() => resolve("still waiting after 5 s"), 5_000)),
      ]);
      expect(stored).toBe(true);
      expect(holder.inTransaction).toBe(true); // the lock was held all along
    } finally {
      holder.prepare("ROLLBACK").run();
      holder.close();
    }
    expect(arrivalsWaiting(db).count).toBe(1);
  });

  it("moves arrivals into the inbox in arrival order, with their times, and a dead letter as one", async () => {
    for (let i = 0; i < 5; i++) await inbox.store(row(`m-${i}`));
    await inbox.store(row("m-dead", { deadLetter: "invalid_order" }));
    const waiting = arrivalsWaiting(db);
    expect(waiting.count).toBe(6);
    expect(await moveArrivals(db)).toBe(6);
    expect(arrivalsWaiting(db)).toEqual({ count: 0, oldest: null });
    const moved = await db.webhookJob.findMany({ orderBy: { id: "asc" } });
    expect(moved.map((j) => [j.webhookId, j.status, j.lastError])).toEqual([
      ["m-0", "pending", null],
      ["m-1", "pending", null],
      ["m-2", "pending", null],
      ["m-3", "pending", null],
      ["m-4", "pending", null],
      ["m-dead", "dead", "invalid_order"],
    ]);
    expect(moved[0]!.receivedAt).toEqual(waiting.oldest);
    expect(moved[0]!.runAt).toEqual(waiting.oldest);
    expect(moved[5]!.processedAt).not.toBeNull();
    expect(await moveArrivals(db)).toBe(0);
  });

  it("moves a row once when a move was cut off between its copy and its delete", async () => {
    await inbox.store(row("cut-1"));
    await inbox.store(row("cut-2"));
    const arrivals = new Database(arrivalsFile(sqliteFile(url)));
    const kept = arrivals.prepare(`SELECT * FROM "Arrival" ORDER BY "id"`).all() as Array<Record<string, unknown>>;
    await moveArrivals(db);
    // As if the process died after the copy committed and before the delete: the rows are back.
    const put = arrivals.prepare(
      `INSERT INTO "Arrival" ("shopId", "topic", "webhookId", "eventId", "customerId", "payload", "status", "lastError", "receivedAt")
       VALUES (@shopId, @topic, @webhookId, @eventId, @customerId, @payload, @status, @lastError, @receivedAt)`,
    );
    for (const r of kept) put.run(r);
    arrivals.close();
    expect(arrivalsWaiting(db).count).toBe(2);
    await moveArrivals(db);
    expect(arrivalsWaiting(db).count).toBe(0);
    expect(await jobs()).toEqual([
      { webhookId: "cut-1", status: "pending" },
      { webhookId: "cut-2", status: "pending" },
    ]);
  });
});
