import { describe, expect, it } from "vitest";
import { destinationProblem, isPrivateAddress } from "./ssrf";

const closed = { allowPrivate: false };
const resolver = (table: Record<string, string[]>) => async (host: string) => {
  if (!(host in table)) throw new Error(`ENOTFOUND ${host}`);
  return table[host]!;
};
const dns = resolver({
  "hooks.example.com": ["93.184.215.14"],
  "internal.example.com": ["10.1.2.3"],
  "mixed.example.com": ["93.184.215.14", "192.168.1.9"],
  "v6.example.com": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  "mapped.example.com": ["::ffff:127.0.0.1"],
  localhost: ["127.0.0.1", "::1"],
});

describe("outgoing webhook destinations (SSRF)", () => {
  it.each([
    ["https://hooks.example.com/loyalty", null],
    ["https://v6.example.com/x", null],
    ["http://hooks.example.com/loyalty", "https_required"],
    ["ftp://hooks.example.com/", "https_required"],
    ["not a url", "invalid_url"],
    ["https://user:pw@hooks.example.com/", "invalid_url"],
    ["https://127.0.0.1/", "private_address"],
    ["https://localhost:8443/", "private_address"],
    ["https://10.0.0.7/", "private_address"],
    ["https://172.20.1.1/", "private_address"],
    ["https://192.168.0.10/", "private_address"],
    ["https://169.254.169.254/latest/meta-data/", "private_address"],
    ["https://100.64.0.1/", "private_address"],
    ["https://0.0.0.0/", "private_address"],
    ["https://[::1]/", "private_address"],
    ["https://[fd00::1]/", "private_address"],
    ["https://[fe80::1]/", "private_address"],
    ["https://[::ffff:10.0.0.1]/", "private_address"],
    ["https://internal.example.com/", "private_address"],
    ["https://mixed.example.com/", "private_address"],
    ["https://mapped.example.com/", "private_address"],
    ["https://nowhere.example.com/", "unresolvable"],
  ])("%s → %s", async (url, expected) => {
    expect(await destinationProblem(url, closed, dns)).toBe(expected);
  });

  it("lets the operator allow http and private addresses for a demo", async () => {
    const open = { allowPrivate: true };
    expect(await destinationProblem("http://127.0.0.1:9000/hook", open, dns)).toBeNull();
    expect(await destinationProblem("ftp://127.0.0.1/", open, dns)).toBe("https_required");
  });

  it("knows public addresses from private ones", () => {
    expect(isPrivateAddress("8.8.8.8")).toBe(false);
    expect(isPrivateAddress("172.32.0.1")).toBe(false);
    expect(isPrivateAddress("2001:4860:4860::8888")).toBe(false);
    expect(isPrivateAddress("::")).toBe(true);
    expect(isPrivateAddress("2002:0a00:0001::1")).toBe(true); // 6to4 of 10.0.0.1
    expect(isPrivateAddress("garbage")).toBe(true);
  });
});
