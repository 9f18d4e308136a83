// Sends one outgoing webhook: POST, no redirect followed, 10 s for the whole answer, and only to
// the addresses the SSRF guard allows — checked on the URL before sending and again on the
// address the connection actually resolves (DNS can answer differently the second time).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { promises as dns } from "node:dns";
import http from "node:http";
import https from "node:https";
import { destinationProblem, isPrivateAddress, type DestinationPolicy } from "~/domain/ssrf";

export const SEND_TIMEOUT_MS = 10_000;

export function destinationPolicy(env: Record<string, string | undefined> = process.env): DestinationPolicy {
  return { allowPrivate: env.LOYALTY_WEBHOOKS_ALLOW_PRIVATE === "1" };
}

/** Every address a host resolves to (the resolver the SSRF guard asks). */
export async function resolveHost(host: string): Promise<string[]> {
  return (await dns.lookup(host, { all: true })).map((a) => a.address);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses private addresses (the connection's own resolution). */
function guardedLookup(policy: DestinationPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = policy.allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (allowed.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves to a private address`), { code: "EPRIVATE" });
        return callback(refused, []);
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

export interface SendResult {
  /** the HTTP status, or null when there was no answer */
  status: number | null;
  error: string | null;
}

export type Sender = (url: string, body: string, headers: Record<string, string>) => Promise<SendResult>;

export function webhookSender(policy: DestinationPolicy = destinationPolicy()): Sender {
  return async (url, body, headers) => {
    const problem = await destinationProblem(url, policy, resolveHost);
    if (problem) return { status: null, error: problem };
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    return new Promise<SendResult>((resolve) => {
      const req = client.request(
        target,
        {
          method: "POST",
          headers: { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)), ...headers },
          lookup: guardedLookup(policy) as unknown as typeof dnsLookup,
          timeout: SEND_TIMEOUT_MS,
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        },
        (res) => {
          // The answer's body is not needed: read (a little of) it and let the socket go.
          let read = 0;
          res.on("data", (chunk: Buffer) => {
            read += chunk.length;
            if (read > 64 * 1024) res.destroy();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? null, error: null }));
          res.on("error", () => resolve({ status: res.statusCode ?? null, error: null }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timed out after 10 s")));
      req.on("error", (error) => resolve({ status: null, error: error.message.slice(0, 200) }));
      req.end(body);
    });
  };
}
