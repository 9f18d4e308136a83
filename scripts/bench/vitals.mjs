// The admin pages' Web Vitals in headless Chromium on the demo's data (`BENCH_ONLY=vitals`): the
// demo (scripts/demo.mjs) on free ports, then each page under app/routes/app.*.tsx opened in the
// emulator's admin and measured inside its frame (the embedded app page a merchant sees): LCP and
// CLS from PerformanceObserver ('largest-contentful-paint', 'layout-shift', buffered; shifts right
// after input left out, CLS as the largest session window as web-vitals counts it), TTFB (the
// frame's navigation responseStart) and the time to hydration (html[data-hydrated], app/root.tsx),
// all from the frame's own time origin. Each page: BENCH_VITALS_COLD fresh browser contexts (empty
// cache), each loaded once cold then BENCH_VITALS_WARM times warm; median and worst of all loads.
// BENCH_VITALS_PAGES=/app,/app/draws measures those alone.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DESKTOP_UA, launch, openAdmin } from "../../tests/support/browser.ts";
import { startDemo } from "../../tests/support/demo.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TARGETS = { lcp: 1000, cls: 0.05 };
const COLD = Number(process.env.BENCH_VITALS_COLD ?? 2);
const WARM = Number(process.env.BENCH_VITALS_WARM ?? 2);
const SETTLE_MS = 1000; // no request out for this long: the page has settled
const QUIET_CAP_MS = 20_000;
const VIEWPORT = { width: 1400, height: 900 };

/**
 * The admin pages: every app/routes/app.<…>.tsx but the layout (app.tsx), as its URL under /app
 * (Remix flat routes: `.` a segment, `_index` the index, a trailing `_` not nested), a `$param`
 * filled from `params`.
 */
export function adminPages(params) {
  return readdirSync(path.join(root, "app/routes"))
    .filter((f) => /^app\..+\.tsx$/.test(f))
    .sort()
    .map((file) => {
      const segments = file
        .slice("app.".length, -".tsx".length)
        .split(".")
        .filter((s) => s !== "_index")
        .map((s) => (s.startsWith("$") ? params[s.slice(1)] : s.replace(/_$/, "")));
      if (segments.some((s) => s === undefined)) throw new Error(`no value for a parameter of ${file}`);
      return { file, path: ["/app", ...segments].join("/") };
    });
}

// Runs in every frame before its scripts; the app's frame keeps what it saw in window.__vitals.
/* global MutationObserver */
const OBSERVE = () => {
  const describe = (node) => {
    if (!node || node.nodeType !== 1) return node ? `#${node.nodeName.toLowerCase()}` : null;
    const cls = [...node.classList]
      .slice(0, 2)
      .map((c) => `.${c}`)
      .join("");
    const text = (node.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
    return `${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ""}${cls}${text ? ` "${text}"` : ""}`;
  };
  const v = { lcp: [], shifts: [], hydrated: null };
  window.__vitals = v;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      v.lcp.push({ startTime: e.startTime, size: e.size, element: describe(e.element), url: e.url || null });
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      v.shifts.push({
        startTime: e.startTime,
        value: e.value,
        sources: (e.sources ?? []).map((s) => ({
          node: describe(s.node),
          from: [s.previousRect.y, s.previousRect.height].map(Math.round),
          to: [s.currentRect.y, s.currentRect.height].map(Math.round),
        })),
      });
    }
  }).observe({ type: "layout-shift", buffered: true });
  const hydrated = () => {
    if (v.hydrated === null && document.documentElement?.hasAttribute("data-hydrated")) v.hydrated = performance.now();
  };
  new MutationObserver(hydrated).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
};

/** CLS as web-vitals counts it: the largest burst of shifts less than 1 s apart, within 5 s. */
export function cls(shifts) {
  let best = 0;
  let sum = 0;
  let first = -Infinity;
  let last = -Infinity;
  for (const s of shifts) {
    if (s.startTime - last > 1000 || s.startTime - first > 5000) {
      sum = 0;
      first = s.startTime;
    }
    sum += s.value;
    last = s.startTime;
    best = Math.max(best, sum);
  }
  return best;
}

/**
 * The page's requests (the admin's and its frame's, e.g. the id token then a fetch): quiet() resolves
 * once none has been out for SETTLE_MS, late shifts and LCP candidates included, or after QUIET_CAP_MS
 * with what is still out (Playwright's networkidle throws instead, and waits on the admin page alone).
 */
function watchNetwork(page) {
  const out = new Set();
  let last = performance.now();
  const start = (r) => (out.add(r), (last = performance.now()));
  const end = (r) => (out.delete(r), (last = performance.now()));
  page.on("request", start);
  page.on("requestfinished", end);
  page.on("requestfailed", end);
  return {
    async quiet() {
      const started = performance.now();
      while (out.size > 0 || performance.now() - last < SETTLE_MS) {
        if (performance.now() - started > QUIET_CAP_MS) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      return { pending: [...out].map((r) => r.url().split("?")[0]) };
    },
  };
}

async function measure(context, url) {
  const page = await context.newPage();
  // What went wrong in the page meanwhile (a hydration mismatch re-renders on the client), and the
  // requests that failed (offline: cdn.shopify.com's App Bridge preload, an empty state's image).
  const errors = [];
  const failed = [];
  page.on(
    "console",
    (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text().slice(0, 200)),
  );
  page.on("pageerror", (e) => errors.push(String(e.message).slice(0, 200)));
  page.on("requestfailed", (r) => failed.push(r.url().split("?")[0]));
  const network = watchNetwork(page);
  try {
    await openAdmin(page, url);
    const frame = await (await page.locator("iframe#app").elementHandle()).contentFrame();
    const quiet = await network.quiet();
    const seen = await frame.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      // The render-blocking stylesheets: text cannot paint before the last of them is in.
      const css = performance
        .getEntriesByType("resource")
        .filter((r) => r.initiatorType === "link" && /\.css(\?|$)/.test(r.name))
        .map((r) => r.responseEnd);
      return {
        ...window.__vitals,
        ttfb: nav.responseStart,
        fcp: fcp?.startTime ?? null,
        cssEnd: css.length ? Math.max(...css) : null,
        status: nav.responseStatus ?? null,
        origin: performance.timeOrigin,
      };
    });
    const shellOrigin = await page.evaluate(() => performance.timeOrigin);
    const lcp = seen.lcp.at(-1);
    return {
      lcp: lcp?.startTime ?? null,
      lcpElement: lcp?.element ?? null,
      cls: cls(seen.shifts),
      shifts: seen.shifts,
      ttfb: seen.ttfb,
      fcp: seen.fcp,
      cssEnd: seen.cssEnd,
      hydrated: seen.hydrated,
      status: seen.status,
      frameStartsAfterShellMs: seen.origin - shellOrigin,
      errors,
      failed,
      // Requests still out when the measurement was read (a page whose data never settled).
      pending: quiet.pending,
    };
  } finally {
    await page.close();
  }
}

const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const worst = (xs) => (xs.length ? Math.max(...xs) : NaN);

/** Starts the demo and a browser, measures every admin page, stops both. `onPage` gets each page's result. */
export async function benchVitals({ onPage = () => {} } = {}) {
  const demo = await startDemo({ name: "bench-vitals" });
  const waited = performance.now();
  await demo.backgroundBuildDone();
  const buildWaitSeconds = (performance.now() - waited) / 1000;
  const browser = await launch();
  const newContext = async () => {
    const context = await browser.newContext({ viewport: VIEWPORT, userAgent: DESKTOP_UA });
    await context.addInitScript(OBSERVE);
    return context;
  };
  try {
    const only = process.env.BENCH_VITALS_PAGES?.split(","); // e.g. /app,/app/draws
    const pages = adminPages({ customerId: demo.topCustomerId }).filter((p) => !only || only.includes(p.path));
    // One load first, unmeasured: the app process's first requests (JIT, database pages) are not any page's.
    const warmup = await newContext();
    await measure(warmup, demo.adminUrl);
    await warmup.close();
    const results = [];
    for (const p of pages) {
      const runs = [];
      for (let c = 0; c < COLD; c++) {
        const context = await newContext();
        try {
          for (let w = 0; w <= WARM; w++)
            runs.push({ cold: w === 0, ...(await measure(context, demo.adminUrl + p.path.slice("/app".length))) });
        } finally {
          await context.close();
        }
      }
      // A load that never reported a figure (Chromium sometimes emits no LCP entry in the frame) is
      // left out of it and counted in `missing`; a missing hydration is Infinity (it never hydrated).
      const of = (k, among = runs) => among.map((r) => r[k]).filter((x) => x !== null);
      const r = {
        ...p,
        runs,
        missing: { lcp: runs.filter((x) => x.lcp === null).length },
        lcp: {
          median: median(of("lcp")),
          worst: worst(of("lcp")),
          coldMedian: median(
            of(
              "lcp",
              runs.filter((x) => x.cold),
            ),
          ),
        },
        cls: { median: median(of("cls")), worst: worst(of("cls")) },
        ttfb: { median: median(of("ttfb")), worst: worst(of("ttfb")) },
        hydrated: {
          median: median(runs.map((x) => x.hydrated ?? Infinity)),
          worst: worst(runs.map((x) => x.hydrated ?? Infinity)),
        },
      };
      // "pass": every load under the target; "p50": the median under, some load over; "FAIL": the median over.
      const verdict = (x, target) => (x.worst < target ? "pass" : x.median < target ? "p50" : "FAIL"); // NaN: FAIL
      r.verdict = { lcp: verdict(r.lcp, TARGETS.lcp), cls: verdict(r.cls, TARGETS.cls) };
      results.push(r);
      onPage(r);
    }
    return { results, cold: COLD, warm: WARM, buildWaitSeconds };
  } finally {
    await browser.close();
    await demo.stop();
  }
}

const ms = (n) => (Number.isFinite(n) ? `${Math.round(n)}` : "—");
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

export const vitalsHeader = () =>
  `${pad("page", 34)}${lpad("LCP ms", 13)}${lpad("cold LCP", 10)}${lpad("CLS", 15)}${lpad("TTFB ms", 12)}${lpad("hydrated ms", 14)}   LCP<${TARGETS.lcp / 1000}s CLS<${TARGETS.cls}` +
  `\n${pad("", 34)}${lpad("med / worst", 13)}${lpad("median", 10)}${lpad("med / worst", 15)}${lpad("med / worst", 12)}${lpad("med / worst", 14)}`;

/** One table row, then what its worst loads saw where that explains a figure. */
export function vitalsRow(r) {
  const lines = [
    `${pad(r.path, 34)}${lpad(`${ms(r.lcp.median)} / ${ms(r.lcp.worst)}`, 13)}${lpad(ms(r.lcp.coldMedian), 10)}` +
      `${lpad(`${r.cls.median.toFixed(3)} / ${r.cls.worst.toFixed(3)}`, 15)}${lpad(`${ms(r.ttfb.median)} / ${ms(r.ttfb.worst)}`, 12)}` +
      `${lpad(`${ms(r.hydrated.median)} / ${ms(r.hydrated.worst)}`, 14)}   ${pad(r.verdict.lcp, 8)}${r.verdict.cls}`,
  ];
  if (r.missing.lcp) lines.push(`    no LCP entry in ${r.missing.lcp} of ${r.runs.length} loads (left out of the LCP figures)`);
  if (r.verdict.lcp !== "pass") {
    const w = r.runs.reduce((a, b) => ((b.lcp ?? -1) > (a.lcp ?? -1) ? b : a));
    lines.push(
      `    slowest LCP ${ms(w.lcp)} ms (${w.cold ? "cold" : "warm"}): TTFB ${ms(w.ttfb)}, stylesheets in ${ms(w.cssEnd)}, FCP ${ms(w.fcp)}, hydrated ${ms(w.hydrated)}; element ${w.lcpElement ?? "removed from the page since"}`,
    );
  }
  const pending = [...new Set(r.runs.flatMap((x) => x.pending))];
  if (pending.length)
    lines.push(`    still loading after ${QUIET_CAP_MS / 1000} s (measured before it came): ${pending.join(", ")}`);
  const errors = [...new Set(r.runs.flatMap((x) => x.errors))];
  if (errors.length) lines.push(`    errors in the page: ${errors.join(" | ")}`);
  // The shifts of the worst load, for a page that misses the target or comes within 5× of it.
  if (r.cls.worst >= TARGETS.cls / 5) {
    const w = r.runs.reduce((a, b) => (b.cls > a.cls ? b : a));
    for (const s of w.shifts.filter((s) => s.value >= 0.001))
      lines.push(
        `    shift ${s.value.toFixed(3)} at ${ms(s.startTime)} ms: ${s.sources.map((x) => `${x.node} y/h ${x.from.join("/")} → ${x.to.join("/")}`).join("; ")}`,
      );
  }
  return lines.join("\n");
}
