// The load generator, run as its own process. Flat out (no rate): autocannon, N connections.
// At a fixed rate: an open-loop Poisson arrival process (exponential gaps, like independent
// shoppers), each request timed from the moment it was due, so a slow server cannot hide its
// queueing (no coordinated omission). Prints the result as JSON.
// Usage: node load.mjs <url> <requests.json> <options-json>
import { readFileSync } from "node:fs";
import http from "node:http";
import autocannon from "autocannon";

const [url, file, optionsJson] = process.argv.slice(2);
const prepared = JSON.parse(readFileSync(file, "utf8"));
const options = JSON.parse(optionsJson);

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0;
}

async function flatOut() {
  let next = 0;
  // autocannon's own start/finish are tied to its one-second ticker (a run of 4.2 s reports 5 s),
  // so the run is timed here: from the first request to the last response.
  let lastResponse = 0;
  const started = performance.now();
  const result = await autocannon({
    url,
    connections: options.connections ?? 32,
    pipelining: 1,
    amount: prepared.length,
    timeout: 30,
    setupClient: (client) => client.on("response", () => (lastResponse = performance.now())),
    requests: [
      {
        setupRequest: (request) => {
          const r = prepared[next++ % prepared.length];
          return { ...request, method: r.method ?? "POST", path: r.path, headers: r.headers, body: r.body };
        },
      },
    ],
  });
  const seconds = (lastResponse - started) / 1000;
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    throughput: result.requests.total / seconds,
    duration: seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

async function atRate(rate) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies = [];
  let non2xx = 0;
  let errors = 0;
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const started = performance.now();
  let due = started;
  const inflight = [];
  for (const r of prepared) {
    due += (-Math.log(1 - random()) * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const scheduled = due;
    inflight.push(
      new Promise((resolve) => {
        const req = http.request(
          {
            host: target.hostname,
            port: target.port,
            path: r.path,
            method: r.method ?? "POST",
            headers: { ...r.headers, ...(r.body ? { "content-length": Buffer.byteLength(r.body) } : {}) },
            agent,
          },
          (res) => {
            res.resume();
            res.on("end", () => {
              if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
              latencies.push(performance.now() - scheduled);
              resolve();
            });
          },
        );
        req.on("error", () => {
          errors++;
          resolve();
        });
        if (r.body) req.write(r.body);
        req.end();
      }),
    );
  }
  await Promise.all(inflight);
  const duration = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const round = (x) => Math.round(x * 10) / 10;
  return {
    requests: prepared.length,
    non2xx,
    errors,
    throughput: prepared.length / duration,
    duration,
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? 0),
  };
}

const result = options.rate ? await atRate(options.rate) : await flatOut();
process.stdout.write(JSON.stringify(result));
