// Precompresses the browser's assets (build/client) once at build time: each text asset gets a
// .br and a .gz beside it, which the production server (sirv, server.mjs) sends to a browser that
// accepts them. Polaris's stylesheet is 444 KB as written and blocks the admin's first paint; it
// goes over the wire at a tenth of that. Files that would not shrink are left alone.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const ROOT = path.resolve(process.argv[2] ?? "build/client");
const TEXT = /\.(js|mjs|css|svg|json|html|txt|map)$/;
const MIN_BYTES = 1024;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* files(full);
    else if (TEXT.test(name)) yield full;
  }
}

let count = 0;
let before = 0;
let after = 0;
for (const file of files(ROOT)) {
  const body = readFileSync(file);
  if (body.length < MIN_BYTES) continue;
  const br = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  const gz = gzipSync(body, { level: 9 });
  if (br.length < body.length) writeFileSync(`${file}.br`, br);
  if (gz.length < body.length) writeFileSync(`${file}.gz`, gz);
  count++;
  before += body.length;
  after += br.length;
}
console.log(`compressed ${count} assets: ${Math.round(before / 1024)} KB → ${Math.round(after / 1024)} KB (brotli)`);
