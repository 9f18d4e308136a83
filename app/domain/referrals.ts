// Referral rules: who may be rewarded for bringing a friend. Inputs are already normalised and
// hashed by the caller; this decides.

/** Gmail-style normalisation: lower case, +tags dropped, dots dropped for Gmail addresses. */
export function normaliseEmail(email: string): string {
  const [local = "", domain = ""] = email.trim().toLowerCase().split("@");
  const canonicalDomain = domain === "googlemail.com" ? "gmail.com" : domain;
  let name = local.split("+")[0]!;
  if (canonicalDomain === "gmail.com") name = name.replace(/\./g, "");
  return `${name}@${canonicalDomain}`;
}

export interface AddressParts {
  address1?: string | null;
  address2?: string | null;
  zip?: string | null;
  country_code?: string | null;
}

/** A shipping address reduced to what identifies a place: street, unit, postcode, country. */
export function normaliseAddress(a: AddressParts): string | null {
  const norm = (s?: string | null) => (s ?? "").toLowerCase().replace(/[^a-z0-9]/g, "");
  const street = norm(a.address1);
  if (!street) return null;
  return [street, norm(a.address2), norm(a.zip), norm(a.country_code)].join("|");
}

export interface ReferralFacts {
  referrerCustomerId: string | null;
  refereeCustomerId: string;
  referrerEmailHash: string | null;
  refereeEmailHash: string | null;
  referrerAddressHashes: readonly string[];
  refereeAddressHash: string | null;
  /** paid orders of the referee before this one */
  refereePriorOrders: number;
}

export type ReferralVerdict =
  | { reward: true }
  | { reward: false; reason: "self_referral_customer" | "self_referral_email" | "self_referral_address" | "not_first_order" };

export function referralVerdict(f: ReferralFacts): ReferralVerdict {
  if (f.referrerCustomerId !== null && f.referrerCustomerId === f.refereeCustomerId)
    return { reward: false, reason: "self_referral_customer" };
  if (f.referrerEmailHash && f.referrerEmailHash === f.refereeEmailHash) return { reward: false, reason: "self_referral_email" };
  if (f.refereeAddressHash && f.referrerAddressHashes.includes(f.refereeAddressHash))
    return { reward: false, reason: "self_referral_address" };
  if (f.refereePriorOrders > 0) return { reward: false, reason: "not_first_order" };
  return { reward: true };
}

/** Keeps the latest few address hashes of a member, newest first, without repeats. */
export function rememberAddress(list: readonly string[], hash: string | null, keep = 5): string[] {
  if (!hash) return [...list];
  return [hash, ...list.filter((h) => h !== hash)].slice(0, keep);
}
