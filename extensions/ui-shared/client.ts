// The app's API for checkout, thank-you and customer-account extensions (docs/http.md, §5):
// every call carries the session token Shopify gives the extension; the app takes the shop and the
// customer from it. A call that fails answers null: the extensions then show nothing rather than an error.
import { APP_URL } from "./app-url";

export interface Reward {
  id: string;
  name: string;
  type: string;
  pointsCost: number;
  value: string | null;
  percent: number | null;
  maximum: string | null;
  minimumSubtotal: string | null;
  redeemable?: boolean;
  translations?: Record<string, { name?: string; description?: string }>;
  /** the merchant's description in the shopper's language, when given */
  description?: string | null;
  /** tier-only: the tier it is kept for (its name in the shopper's language) */
  requiredTier?: { id: string; name: string } | null;
  /** the member is below `requiredTier` */
  locked?: boolean;
}

export interface HistoryItem {
  id: string;
  type: string;
  points: number;
  status: string;
  /** what it refers to, the same in every language (`order`: the order's name, `reward`, …) */
  params?: Record<string, string | number>;
  description: string | null;
  createdAt: string;
}

/** An issued code no order has used yet (`codes` in the storefront's `me`). */
export interface UnusedCode {
  id: string;
  code: string;
  /** the reward's name, in the shopper's language when the merchant gave one */
  name: string | null;
  createdAt: string;
  expiresAt: string | null;
}

export interface Me {
  loggedIn: boolean;
  enrolled: boolean;
  club?: "open" | "closed";
  currency: string;
  points?: { available: number; pending: number; lifetime: number };
  tier?: { id: string; name: string; translations?: Reward["translations"]; perks?: string[] } | null;
  /** the next tier: `pointsToGo` where tiers are reached by points, `spendToGo` (formatted) and `spendToGoMinor` by amount spent; `threshold` in the same measure */
  nextTier?: {
    id: string;
    name: string;
    pointsToGo?: number;
    spendToGo?: string;
    spendToGoMinor?: number;
    threshold?: number;
    translations?: Reward["translations"];
    perks?: string[];
  } | null;
  tiers?: Array<{ id: string; name: string; thresholdPoints: number }>;
  referral?: { code: string; url: string } | null;
  rewards?: Reward[];
  history?: HistoryItem[];
  /** where the history goes on past its first page (null: there is no more) */
  historyNextCursor?: string | null;
  estimate?: { points: number; pendingDays: number };
  order?: {
    id: string;
    earned: { points: number; status: string; availableAt: string } | null;
    survey: { score: number } | null;
  };
  codes?: UnusedCode[];
  /** the points that expire if the member stays inactive, and the day (YYYY-MM-DD, UTC) */
  expiring?: { points: number; on: string } | null;
}

/** A draw as the storefront's `GET draws` gives it (docs/http.md "Seasonal draws"). */
export interface Draw {
  id: string;
  name: string;
  endsAt: string;
  pointsPerEntry: number;
  maxEntriesPerCustomer: number;
  state: string;
  acceptingEntries: boolean;
  prize: string | null;
  myEntries: number;
  freeEntryUsed: boolean;
  /** null until the draw is run */
  won: boolean | null;
  prizeCode: { code: string; status: string } | null;
}

export interface Entered {
  myEntries: number;
  points: { available: number; pending: number; lifetime: number };
}

export interface Redeemed {
  redemption: { id: string; code: string; pointsSpent: number; status: string };
  points: { available: number; pending: number; lifetime: number };
}

export type Surface = "checkout" | "customer-account";
type Answer<T> = { ok: true; body: T } | { ok: false; status: number; error: string };

/** A query string with the buyer's language: the app writes names and history lines in it. */
function search(query: Record<string, string | undefined>): string {
  const locale = (globalThis as { shopify?: { localization?: { language?: { value?: { isoCode?: string } } } } }).shopify
    ?.localization?.language?.value?.isoCode;
  const params = new URLSearchParams(
    Object.entries({ locale, ...query }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return params.size ? `?${params}` : "";
}

export function loyaltyClient(surface: Surface, sessionToken: { get(): Promise<string> }) {
  async function call<T>(path: string, body?: unknown): Promise<Answer<T>> {
    try {
      const res = await fetch(`${APP_URL}/api/${surface}/${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          Authorization: `Bearer ${await sessionToken.get()}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json().catch(() => ({}))) as T & { error?: string };
      return res.ok ? { ok: true, body: json } : { ok: false, status: res.status, error: json.error ?? "unavailable" };
    } catch {
      return { ok: false, status: 0, error: "unavailable" };
    }
  }
  return {
    async me(query: Record<string, string | undefined> = {}): Promise<Me | null> {
      const answer = await call<Me>(`me${search(query)}`);
      return answer.ok ? answer.body : null;
    },
    /** The history page after `cursor` (the `historyNextCursor` of `me`, then each page's `nextCursor`). */
    async history(cursor: string): Promise<{ history: HistoryItem[]; nextCursor: string | null } | null> {
      const answer = await call<{ history: HistoryItem[]; nextCursor: string | null }>(`history${search({ cursor })}`);
      return answer.ok ? answer.body : null;
    },
    redeem: (rewardId: string) => call<Redeemed>("redeem", { rewardId, idempotencyKey: crypto.randomUUID() }),
    join: () => call<Me>("join", {}),
    /** Open draws and those ended in the last 90 days (none where the club keeps quiet or on failure). */
    async draws(): Promise<Draw[]> {
      const answer = await call<{ draws: Draw[] }>(`draws${search({})}`);
      return answer.ok ? answer.body.draws : [];
    },
    /** One paid entry, or the draw's free entry. */
    enterDraw: (drawId: string, entry: "paid" | "free") =>
      call<Entered>(
        `draws/${encodeURIComponent(drawId)}/enter`,
        entry === "free"
          ? { free: true, idempotencyKey: crypto.randomUUID() }
          : { entries: 1, idempotencyKey: crypto.randomUUID() },
      ),
    survey: (orderId: string, score: number) => call<{ answer: { score: number } }>("survey", { orderId, score }),
  };
}
