// Shopify sessions with their access tokens encrypted at rest (AES-256-GCM under a key derived
// from LOYALTY_SECRET_KEY, app/secrets.server.ts). Wraps any SessionStorage: the Session row
// holds `v1:…`, the Shopify library only ever sees the plain token. Rows written before
// encryption (no prefix) still load, and are encrypted the next time they are stored.
import { Session } from "@shopify/shopify-app-remix/server";
import { decryptToken, encryptToken } from "./secrets.server";

function mapTokens(session: Session, map: (value: string, shop: string) => string): Session {
  const params = session.toObject();
  return new Session({
    ...params,
    ...(params.accessToken ? { accessToken: map(params.accessToken, session.shop) } : {}),
    ...(params.refreshToken ? { refreshToken: map(params.refreshToken, session.shop) } : {}),
  });
}

/** What shopifyApp needs of a session storage (the interface of @shopify/shopify-app-session-storage). */
export interface SessionStorage {
  storeSession(session: Session): Promise<boolean>;
  loadSession(id: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<boolean>;
  deleteSessions(ids: string[]): Promise<boolean>;
  findSessionsByShop(shop: string): Promise<Session[]>;
}

export const sealSession = (session: Session) => mapTokens(session, encryptToken);
export const openSession = (session: Session) => mapTokens(session, decryptToken);

/**
 * A session sealed under another key (LOYALTY_SECRET_KEY changed) cannot be opened: it counts as
 * absent, so the shop's next admin request exchanges a new token instead of failing.
 */
function readable(session: Session): Session | undefined {
  try {
    return openSession(session);
  } catch {
    return undefined;
  }
}

export class EncryptedSessionStorage implements SessionStorage {
  constructor(private readonly inner: SessionStorage) {}

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(sealSession(session));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const session = await this.inner.loadSession(id);
    return session && readable(session);
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner.findSessionsByShop(shop)).map(readable).filter((s): s is Session => s !== undefined);
  }
}
