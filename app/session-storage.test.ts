// Access tokens at rest: sealed with AES-256-GCM under a key derived from LOYALTY_SECRET_KEY.
import { Session } from "@shopify/shopify-app-remix/server";
import { describe, expect, it } from "vitest";
import { decryptToken, encryptToken, secretKeyProblem } from "./secrets.server";
import { EncryptedSessionStorage, type SessionStorage } from "./session-storage.server";

const SHOP = "tokens.myshopify.com";
const TOKEN = "shpat_0123456789abcdef0123456789abcdef";

function memoryStorage(): SessionStorage & { rows: Map<string, Session> } {
  const rows = new Map<string, Session>();
  return {
    rows,
    storeSession: async (s) => (rows.set(s.id, s), true),
    loadSession: async (id) => rows.get(id),
    deleteSession: async (id) => rows.delete(id),
    deleteSessions: async (ids) => (ids.forEach((id) => rows.delete(id)), true),
    findSessionsByShop: async (shop) => [...rows.values()].filter((s) => s.shop === shop),
  };
}

describe("encrypted session storage", () => {
  it("stores v1:… and gives the library the plain token back", async () => {
    const inner = memoryStorage();
    const storage = new EncryptedSessionStorage(inner);
    const session = new Session({
      id: `offline_${SHOP}`,
      shop: SHOP,
      state: "",
      isOnline: false,
      accessToken: TOKEN,
      scope: "read_orders",
    });
    await storage.storeSession(session);
    const stored = inner.rows.get(session.id)!;
    expect(stored.accessToken).toMatch(/^v1:/);
    expect(stored.accessToken).not.toContain(TOKEN);
    expect(stored.scope).toBe("read_orders");
    expect((await storage.loadSession(session.id))?.accessToken).toBe(TOKEN);
    expect((await storage.findSessionsByShop(SHOP)).map((s) => s.accessToken)).toEqual([TOKEN]);
    expect(session.accessToken).toBe(TOKEN); // the caller's session is not changed
  });

  it("treats a session sealed under another key as absent", async () => {
    const inner = memoryStorage();
    const id = `offline_${SHOP}`;
    inner.rows.set(id, new Session({ id, shop: SHOP, state: "", isOnline: false, accessToken: "v1:AAAA:BBBB:CCCC" }));
    const storage = new EncryptedSessionStorage(inner);
    expect(await storage.loadSession(id)).toBeUndefined();
    expect(await storage.findSessionsByShop(SHOP)).toEqual([]);
  });

  it("reads a token stored before encryption, and refuses a tampered one", async () => {
    expect(decryptToken(TOKEN, SHOP)).toBe(TOKEN);
    const sealed = encryptToken(TOKEN, SHOP);
    expect(encryptToken(TOKEN, SHOP)).not.toBe(sealed); // a fresh IV each time
    expect(() => decryptToken(sealed, "other.myshopify.com")).toThrow(); // bound to its shop
    const [v, iv, tag, body] = sealed.split(":");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptToken([v, iv, tag, flipped.toString("base64url")].join(":"), SHOP)).toThrow();
  });

  it("names what is wrong with a production key", () => {
    expect(secretKeyProblem({})).toMatch(/LOYALTY_SECRET_KEY is not set/);
    expect(secretKeyProblem({ LOYALTY_SECRET_KEY: "short" })).toMatch(/too short/);
    expect(secretKeyProblem({ LOYALTY_SECRET_KEY: "x".repeat(32) })).toBeNull();
  });
});
