// The load generator, run as its own process. Flat out (no rate): autocannon, N connections.
// At a fixed rate: an open-loop Poisson arrival process (exponential gaps, like independent
// shoppers), each request timed from the moment it was due, so a slow server cannot hide its
// queueing (no coordinated omission). Prints the result as JSON.
// Usage: node load.mjs <url[,url…]> <requests.json> <options-json>; with several URLs (app
// processes side by side) the requests are dealt out round-robin, each URL with its share of connections.
import { readFileSync } from "node:fs";
import http from "node:http";
import autocannon from "autocannon";

const [url, file, optionsJson] = process.argv.slice(2);
const prepared = JSON.parse(readFileSync(file, "utf8"));
const options = JSON.parse(optionsJson);

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0;
}

async function flatOut(url, prepared, connections) {
  let next = 0;
  // autocannon's own start/finish are tied to its one-second ticker (a run of 4.2 s reports 5 s),
  // so the run is timed here: from the first request to the last response.
  let lastResponse = 0;
  const started = performance.now();
  const result = await autocannon({
    url,
    connections,
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
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    started,
    lastResponse,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

async function flatOutAll(urls) {
  const shares = urls.map((u, i) => prepared.filter((_, j) => j % urls.length === i));
  const connections = Math.max(1, Math.round((options.connections ?? 32) / urls.length));
  const parts = await Promise.all(urls.map((u, i) => flatOut(u, shares[i], connections)));
  const started = Math.min(...parts.map((p) => p.started));
  const seconds = (Math.max(...parts.map((p) => p.lastResponse)) - started) / 1000;
  const sum = (k) => parts.reduce((a, p) => a + p[k], 0);
  // Percentiles of the parts cannot be merged exactly: the worst part's is reported.
  const worst = (k) => Math.max(...parts.map((p) => p[k]));
  return {
    requests: sum("requests"),
    non2xx: sum("non2xx"),
    errors: sum("errors"),
    throughput: sum("requests") / seconds,
    duration: seconds,
    p50: worst("p50"),
    p99: worst("p99"),
    max: worst("max"),
  };
}

async function atRate(rate, urls) {
  const targets = urls.map((u) => new URL(u));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies = [];
  let non2xx = 0;
  let errors = 0;
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const started = performance.now();
  let due = started;
  const inflight = [];
  for (const [i, r] of prepared.entries()) {
    const target = targets[i % targets.length];
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

const urls = url.split(",");
const result = options.rate ? await atRate(options.rate, urls) : await flatOutAll(urls);
process.stdout.write(JSON.stringify(result));
