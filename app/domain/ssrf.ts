// Where outgoing webhooks may go: https to public addresses only (SSRF). Pure: the caller resolves
// the host (a resolver is passed in, so tests stub it) and asks about every address it got; the
// delivery checks the address it actually connects to again (DNS may answer differently later).

/** An IPv4 or IPv6 address in a range that is not the public internet. */
export function isPrivateAddress(address: string): boolean {
  const v4 = parseIPv4(address);
  if (v4) return privateV4(v4);
  const v6 = parseIPv6(address);
  if (!v6) return true; // not an address: never a public one
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms carry an IPv4 address.
  if (v6.slice(0, 5).every((x) => x === 0) && (v6[5] === 0xffff || v6[5] === 0)) {
    if (v6[5] === 0 && v6[6] === 0 && (v6[7] ?? 0) <= 1) return true; // :: and ::1
    return privateV4([v6[6]! >> 8, v6[6]! & 255, v6[7]! >> 8, v6[7]! & 255]);
  }
  const first = v6[0]!;
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xff00) === 0xff00) return true; // multicast
  if (first === 0x2001 && v6[1] === 0x0db8) return true; // documentation
  if (first === 0x0064 && v6[1] === 0xff9b) return privateV4([v6[6]! >> 8, v6[6]! & 255, v6[7]! >> 8, v6[7]! & 255]); // NAT64
  if (first === 0x2002) return privateV4([v6[1]! >> 8, v6[1]! & 255, v6[2]! >> 8, v6[2]! & 255]); // 6to4
  return false;
}

function privateV4([a, b, c]: number[]): boolean {
  return (
    a === 0 || // "this" network
    a === 10 ||
    a === 127 ||
    (a === 100 && b! >= 64 && b! <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local (cloud metadata)
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a! >= 224 // multicast, reserved, broadcast
  );
}

function parseIPv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const n = parts.map(Number);
  return n.every((x) => x <= 255) ? n : null;
}

function parseIPv6(s: string): number[] | null {
  const bare = s.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!bare.includes(":")) return null;
  let head = bare;
  let tail4: number[] = [];
  const lastColon = bare.lastIndexOf(":");
  const maybeV4 = parseIPv4(bare.slice(lastColon + 1));
  if (maybeV4) {
    head = bare.slice(0, lastColon + 1) + "0:0";
    tail4 = [(maybeV4[0]! << 8) | maybeV4[1]!, (maybeV4[2]! << 8) | maybeV4[3]!];
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const group = (part: string) => (part === "" ? [] : part.split(":"));
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const words = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (words.length !== 8 || !words.every((w) => /^[0-9a-f]{1,4}$/i.test(w))) return null;
  const out = words.map((w) => parseInt(w, 16));
  if (tail4.length) out.splice(6, 2, ...tail4);
  return out;
}

export type DestinationProblem = "invalid_url" | "https_required" | "private_address" | "unresolvable";

export interface DestinationPolicy {
  /** LOYALTY_WEBHOOKS_ALLOW_PRIVATE=1: http and private addresses allowed (demo and tests) */
  allowPrivate: boolean;
}

/** The URL's problem before resolving (scheme, form, a literal address), or null. */
export function urlProblem(
  raw: string,
  policy: DestinationPolicy,
): { problem: DestinationProblem; host?: undefined } | { problem: null; host: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: "invalid_url" };
  }
  if (url.protocol !== "https:" && !(policy.allowPrivate && url.protocol === "http:")) return { problem: "https_required" };
  if (url.username || url.password || !url.hostname) return { problem: "invalid_url" };
  return { problem: null, host: url.hostname.replace(/^\[|\]$/g, "") };
}

/**
 * Whether a destination may be used: its scheme, then every address its host resolves to
 * (`resolve` answers them; a literal address is its own answer).
 */
export async function destinationProblem(
  raw: string,
  policy: DestinationPolicy,
  resolve: (host: string) => Promise<string[]>,
): Promise<DestinationProblem | null> {
  const checked = urlProblem(raw, policy);
  if (checked.problem) return checked.problem;
  if (policy.allowPrivate) return null;
  const { host } = checked;
  const literal = parseIPv4(host) || parseIPv6(host);
  let addresses: string[];
  try {
    addresses = literal ? [host] : await resolve(host);
  } catch {
    return "unresolvable";
  }
  if (addresses.length === 0) return "unresolvable";
  return addresses.some(isPrivateAddress) ? "private_address" : null;
}
