// What changed between two versions of the program document, as the history page lists it:
// one line per setting that differs, rewards and tiers matched by id (else by name) and reported
// as added, removed or with the fields that changed. Pure: it compares two plain documents.

/** The parts of a program document the diff reads (any version of the shape). */
export interface DiffableProgram {
  earning?: { points?: number; per?: number; autoEnroll?: boolean; excludedProductTags?: readonly string[] };
  pendingDays?: number;
  expiry?: { inactiveDays?: number | null; reminderDays?: number };
  bonuses?: {
    signup?: number;
    birthday?: number;
    anniversary?: number;
    birthdayGift?: { rewardId: string; daysBefore: number } | null;
  };
  referrals?: { referrerPoints?: number; refereePercent?: number };
  returnSpentPointsOnRefund?: boolean;
  launch?: { state?: string; pilotTag?: string };
  analytics?: { holdoutPercent?: number; grossMarginPercent?: number };
  campaigns?: ReadonlyArray<{ name: string; startsAt: string; endsAt: string; multiplierPct: number }>;
  rewards?: ReadonlyArray<Item>;
  tierEntry?: { measure?: string; period?: string };
  tiers?: ReadonlyArray<Item>;
}

interface Item {
  id?: string;
  name: string;
  [field: string]: unknown;
}

export interface ProgramChange {
  /** where in the document, e.g. "earning.points", "rewards.5 off" */
  path: string;
  /** what a merchant reads, e.g. "Earning rate: 1 point per 1 → 2 points per 1" */
  text: string;
}

const show = (v: unknown): string => {
  if (v === null || v === undefined || v === "") return "none";
  if (typeof v === "boolean") return v ? "on" : "off";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
};

const SETTINGS: Array<{ path: string; label: string; get: (d: DiffableProgram) => unknown }> = [
  { path: "earning.points", label: "Points earned", get: (d) => d.earning?.points },
  { path: "earning.per", label: "Per amount of shop currency", get: (d) => d.earning?.per },
  { path: "earning.autoEnroll", label: "Automatic enrolment", get: (d) => d.earning?.autoEnroll },
  {
    path: "earning.excludedProductTags",
    label: "Product tags that earn nothing",
    get: (d) => (d.earning?.excludedProductTags ?? []).join(", "),
  },
  { path: "pendingDays", label: "Pending days", get: (d) => d.pendingDays },
  { path: "expiry.inactiveDays", label: "Expiry after days without activity", get: (d) => d.expiry?.inactiveDays ?? null },
  { path: "bonuses.signup", label: "Signup bonus", get: (d) => d.bonuses?.signup ?? 0 },
  { path: "bonuses.birthday", label: "Birthday bonus", get: (d) => d.bonuses?.birthday ?? 0 },
  { path: "bonuses.anniversary", label: "Anniversary bonus", get: (d) => d.bonuses?.anniversary ?? 0 },
  { path: "bonuses.birthdayGift", label: "Birthday gift", get: (d) => d.bonuses?.birthdayGift ?? null },
  { path: "expiry.reminderDays", label: "Expiry reminder (days before)", get: (d) => d.expiry?.reminderDays ?? 14 },
  { path: "analytics.holdoutPercent", label: "Holdout (%)", get: (d) => d.analytics?.holdoutPercent ?? 0 },
  { path: "analytics.grossMarginPercent", label: "Gross margin (%)", get: (d) => d.analytics?.grossMarginPercent ?? 50 },
  { path: "referrals.referrerPoints", label: "Referrer's points", get: (d) => d.referrals?.referrerPoints },
  { path: "referrals.refereePercent", label: "Friend's discount (%)", get: (d) => d.referrals?.refereePercent },
  { path: "returnSpentPointsOnRefund", label: "Points back on a full refund", get: (d) => d.returnSpentPointsOnRefund ?? false },
  { path: "launch.state", label: "Launch", get: (d) => d.launch?.state },
  { path: "launch.pilotTag", label: "Pilot tag", get: (d) => d.launch?.pilotTag ?? "" },
  { path: "tierEntry.measure", label: "Tiers reached by", get: (d) => d.tierEntry?.measure ?? "points" },
  { path: "tierEntry.period", label: "Tiers measured over", get: (d) => d.tierEntry?.period ?? "lifetime" },
];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function diffItems(kind: "Reward" | "Tier", path: string, before: readonly Item[], after: readonly Item[]): ProgramChange[] {
  const changes: ProgramChange[] = [];
  const key = (i: Item) => i.id ?? `name:${i.name.trim().toLowerCase()}`;
  const byKey = new Map(before.map((i) => [key(i), i]));
  const byName = new Map(before.map((i) => [i.name.trim().toLowerCase(), i]));
  const matched = new Set<Item>();
  for (const item of after) {
    const old = byKey.get(key(item)) ?? byName.get(item.name.trim().toLowerCase());
    if (!old || matched.has(old)) {
      changes.push({ path: `${path}.${item.name}`, text: `${kind} added: ${item.name}` });
      continue;
    }
    matched.add(old);
    const fields = [...new Set([...Object.keys(old), ...Object.keys(item)])].filter(
      (f) => f !== "id" && !same(old[f] ?? null, item[f] ?? null),
    );
    for (const f of fields.sort())
      changes.push({ path: `${path}.${item.name}.${f}`, text: `${kind} ${item.name}: ${f} ${show(old[f])} → ${show(item[f])}` });
  }
  for (const old of before)
    if (!matched.has(old)) changes.push({ path: `${path}.${old.name}`, text: `${kind} removed: ${old.name}` });
  return changes;
}

/** The changes from `before` to `after` (null before: the first version, nothing to compare). */
export function diffPrograms(before: DiffableProgram | null, after: DiffableProgram): ProgramChange[] {
  if (!before) return [];
  const changes: ProgramChange[] = [];
  for (const s of SETTINGS) {
    const [a, b] = [s.get(before), s.get(after)];
    if (!same(a ?? null, b ?? null)) changes.push({ path: s.path, text: `${s.label}: ${show(a)} → ${show(b)}` });
  }
  const campaign = (c: { name: string; startsAt: string; endsAt: string; multiplierPct: number }) =>
    `${c.name} (×${c.multiplierPct / 100}, ${c.startsAt.slice(0, 10)} to ${c.endsAt.slice(0, 10)})`;
  const [ca, cb] = [(before.campaigns ?? []).map(campaign), (after.campaigns ?? []).map(campaign)];
  for (const c of cb) if (!ca.includes(c)) changes.push({ path: "campaigns", text: `Campaign added: ${c}` });
  for (const c of ca) if (!cb.includes(c)) changes.push({ path: "campaigns", text: `Campaign removed: ${c}` });
  changes.push(...diffItems("Reward", "rewards", before.rewards ?? [], after.rewards ?? []));
  changes.push(...diffItems("Tier", "tiers", before.tiers ?? [], after.tiers ?? []));
  return changes;
}
