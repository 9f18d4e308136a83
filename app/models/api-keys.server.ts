// Developer API keys (ADR 0016): created in the admin, shown once, stored as a SHA-256 hash (a key
// is 32 random characters: a fast hash is enough, and lets a request find its key by index),
// read or write, revocable at once. Each request counts in a per-key, per-second window kept in
// the database, so the limit of 10 a second holds across app processes.
import { createHash, randomBytes } from "node:crypto";
import { clientDialect, Prisma, rawExecute, rawQuery, type Db } from "~/db.server";

export const RATE_PER_SECOND = 10;

const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export async function createApiKey(db: Db, shopId: string, input: { name: string; access: "read" | "write" }) {
  const key = `lc_${randomBytes(24).toString("base64url")}`;
  const row = await db.apiKey.create({
    data: {
      id: `ak_${randomBytes(10).toString("hex")}`,
      shopId,
      name: input.name,
      access: input.access,
      keyHash: hashKey(key),
      prefix: key.slice(0, 10),
    },
  });
  return { id: row.id, name: row.name, access: row.access, key };
}

export async function listApiKeys(db: Db, shopId: string) {
  const rows = await db.apiKey.findMany({ where: { shopId }, orderBy: { createdAt: "asc" } });
  return rows.map((k) => ({
    id: k.id,
    name: k.name,
    access: k.access,
    prefix: k.prefix,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revoked: k.revokedAt !== null,
  }));
}

export async function revokeApiKey(db: Db, shopId: string, id: string) {
  const { count } = await db.apiKey.updateMany({ where: { shopId, id, revokedAt: null }, data: { revokedAt: new Date() } });
  if (count === 0) return (await db.apiKey.count({ where: { shopId, id } })) === 1;
  return true;
}

export type ApiKeyCheck =
  | { ok: true; key: { id: string; shopId: string; name: string; access: string } }
  | { ok: false; status: 401 | 429; retryAfter?: number };

/** The key a bearer token names (not revoked, its shop installed), counted against its limit. */
export async function checkApiKey(db: Db, token: string, now = new Date()): Promise<ApiKeyCheck> {
  const key = await db.apiKey.findUnique({ where: { keyHash: hashKey(token) } });
  if (!key || key.revokedAt) return { ok: false, status: 401 };
  const shop = await db.shop.findFirst({ where: { id: key.shopId, uninstalledAt: null }, select: { id: true } });
  if (!shop) return { ok: false, status: 401 };
  const dialect = clientDialect(db);
  const second = Math.floor(now.getTime() / 1000);
  const [window] = await rawQuery<{ count: number }>(
    db,
    dialect,
    Prisma.sql`INSERT INTO "ApiRateWindow" ("keyId", "second", "count") VALUES (${key.id}, ${second}, 1)
      ON CONFLICT ("keyId", "second") DO UPDATE SET "count" = "ApiRateWindow"."count" + 1
      RETURNING "count"`,
  );
  const count = Number(window!.count);
  if (count === 1) {
    // A new second: the key's old windows go, and "last used" moves on (at most once a minute).
    await rawExecute(
      db,
      dialect,
      Prisma.sql`DELETE FROM "ApiRateWindow" WHERE "keyId" = ${key.id} AND "second" < ${second - 10}`,
    );
    await db.apiKey.updateMany({
      where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }] },
      data: { lastUsedAt: now },
    });
  }
  if (count > RATE_PER_SECOND) return { ok: false, status: 429, retryAfter: 1 };
  return { ok: true, key };
}
