// The browser's assets as the production server sends them: precompressed at build time
// (scripts/compress-assets.mjs), brotli or gzip to a browser that accepts it, the file as it is
// to one that does not; immutable caching either way. Read with node:http (fetch would decode).
import { readdirSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, type TestApp } from "../support/app";

let app: TestApp;
const ASSETS = path.resolve(import.meta.dirname, "../../build/client/assets");
// The largest stylesheet: Polaris's, which blocks the admin's first paint.
const css = readdirSync(ASSETS)
  .filter((f) => f.endsWith(".css"))
  .sort((a, b) => statSync(path.join(ASSETS, b)).size - statSync(path.join(ASSETS, a)).size)[0]!;
const original = readFileSync(path.join(ASSETS, css));

function get(url: string, acceptEncoding?: string): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: acceptEncoding ? { "Accept-Encoding": acceptEncoding } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

beforeAll(async () => {
  app = await startApp("sqlite");
});
afterAll(() => app?.stop());

it("sends a stylesheet brotli- or gzip-compressed to a browser that accepts it, as it is otherwise", async () => {
  const url = `${app.url}/assets/${css}`;
  const br = await get(url, "gzip, deflate, br");
  expect(br.headers["content-encoding"]).toBe("br");
  expect(br.headers.vary).toMatch(/Accept-Encoding/i);
  expect(br.headers["cache-control"]).toMatch(/immutable/);
  expect(br.body.length).toBeLessThan(original.length / 5);
  expect(brotliDecompressSync(br.body).equals(original)).toBe(true);

  const gz = await get(url, "gzip");
  expect(gz.headers["content-encoding"]).toBe("gzip");
  expect(gunzipSync(gz.body).equals(original)).toBe(true);

  const plain = await get(url);
  expect(plain.headers["content-encoding"]).toBeUndefined();
  expect(plain.body.equals(original)).toBe(true);
});
