// The load generator, run as its own process: replays prepared signed webhook requests over HTTP
// with autocannon and prints the result as JSON. Usage: node load.mjs <url> <requests.json> <options-json>
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const [url, file, optionsJson] = process.argv.slice(2);
const prepared = JSON.parse(readFileSync(file, "utf8"));
const options = JSON.parse(optionsJson);
let next = 0;

const result = await autocannon({
  url,
  connections: options.connections ?? 32,
  pipelining: 1,
  amount: prepared.length,
  overallRate: options.rate,
  timeout: 30,
  requests: [
    {
      setupRequest: (request) => {
        const r = prepared[next++ % prepared.length];
        return { ...request, method: r.method ?? "POST", path: r.path, headers: r.headers, body: r.body };
      },
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    throughput: result.requests.total / result.duration,
    duration: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  }),
);
