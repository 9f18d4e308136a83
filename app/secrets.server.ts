// The server-side secret (LOYALTY_SECRET_KEY) and what is derived from it: the key that
// encrypts offline access tokens at rest (AES-256-GCM) and the key of the one-way hashes of
// personal data (HMAC-SHA256, per shop). Required in production; development and tests fall
// back to a fixed, public key so their databases stay readable across restarts.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { isMainThread } from "node:worker_threads";

export const MIN_SECRET_KEY_LENGTH = 32;
const DEVELOPMENT_KEY = "loyalty-club-development-key-not-a-secret-0000";

/** Why the environment's key cannot be used in production, or null when it can. */
export function secretKeyProblem(env: Record<string, string | undefined> = process.env): string | null {
  const key = env.LOYALTY_SECRET_KEY;
  if (!key) {
    return "LOYALTY_SECRET_KEY is not set. It encrypts Shopify access tokens and keys personal-data hashes; set it to a random string of at least 32 characters (e.g. `openssl rand -base64 48`) and keep it stable across releases.";
  }
  if (key.length < MIN_SECRET_KEY_LENGTH) {
    return `LOYALTY_SECRET_KEY is too short (${key.length} characters): use at least ${MIN_SECRET_KEY_LENGTH} random characters (e.g. \`openssl rand -base64 48\`).`;
  }
  return null;
}

function secretKey(): string {
  if (process.env.NODE_ENV === "production") {
    const problem = secretKeyProblem();
    if (problem) throw new Error(problem);
  }
  return process.env.LOYALTY_SECRET_KEY || DEVELOPMENT_KEY;
}

// Refuse to start a production server without a usable key (before any request is answered).
if (process.env.NODE_ENV === "production") {
  const problem = secretKeyProblem();
  if (problem) {
    if (isMainThread) {
      console.error(`Loyalty Club cannot start: ${problem}`);
      process.exit(1);
    }
    throw new Error(problem);
  }
}

const derived = new Map<string, Buffer>();
function derive(purpose: string): Buffer {
  const source = secretKey();
  const cacheKey = `${purpose}\u0000${source}`;
  let key = derived.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", source, "loyalty-club", purpose, 32));
    derived.set(cacheKey, key);
  }
  return key;
}

/**
 * A one-way, keyed hash of a piece of personal data (normalised by the caller), per shop and
 * purpose. Without the server's key it cannot be reversed by hashing a dictionary.
 */
export function personalDataHash(shopId: string, purpose: string, value: string): string {
  const root = derive("personal-data-hash/v1");
  let shopKey = shopKeys.get(shopId);
  if (!shopKey || shopKey.root !== root) {
    if (shopKeys.size >= SHOP_KEYS_KEPT) shopKeys.clear();
    shopKey = { root, key: createHmac("sha256", root).update(shopId).digest() };
    shopKeys.set(shopId, shopKey);
  }
  return createHmac("sha256", shopKey.key).update(`${purpose}\u0000${value}`).digest("hex");
}

/** Each shop's hash key, derived once (an order batch hashes every customer it names). */
const shopKeys = new Map<string, { root: Buffer; key: Buffer }>();
const SHOP_KEYS_KEPT = 10_000;

const TOKEN_PREFIX = "v1:";

/** AES-256-GCM: `v1:<iv>:<tag>:<ciphertext>`, base64url, the shop as additional data. */
export function encryptToken(plain: string, shop: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derive("access-token/v1"), iv);
  cipher.setAAD(Buffer.from(shop));
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [
    TOKEN_PREFIX.slice(0, -1),
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    body.toString("base64url"),
  ].join(":");
}

export function isEncryptedToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX);
}

/** The token back; a value without the prefix was stored before encryption and is returned as is. */
export function decryptToken(stored: string, shop: string): string {
  if (!isEncryptedToken(stored)) return stored;
  const [, iv, tag, body] = stored.split(":");
  if (!iv || !tag || body === undefined) throw new Error("stored access token is malformed");
  const decipher = createDecipheriv("aes-256-gcm", derive("access-token/v1"), Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(shop));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}
