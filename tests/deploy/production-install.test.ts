// SLOW (a clean `npm ci --omit=dev`, 20 s to a few minutes: it uses the npm cache, and compiles
// better-sqlite3 where no prebuilt binary fits). A production install in an empty folder, as
// the Dockerfile's `deps` stage does it: no dev dependency is needed (postinstall generates
// both Prisma clients with the `prisma` CLI, a dependency — ADR 0009), migrations run, and the
// production server starts from the build and answers.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { API_SECRET, freePort } from "../support/app";
import { TEST_SECRET_KEY } from "../emulator/app-process.ts";

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "lc-prod-install-"));
const env = {
  ...process.env,
  // npm and scripts run on this Node (>= 22.12), whatever `node` the PATH has first.
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
  NODE_ENV: "production",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_prefer_offline: "true",
} as NodeJS.ProcessEnv;

describe("production install (slow: npm ci --omit=dev in a clean folder)", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("installs without dev dependencies, generates both Prisma clients, migrates and serves", { timeout: 600_000 }, async () => {
    expect(existsSync(path.join(root, "build/server/index.js")), "run `npm run build` first (npm test does)").toBe(true);
    // postinstall runs the prisma CLI: a declared dependency, at the client's version — not an
    // optional peer of @prisma/client that today's lockfile happens to keep out of the dev tree.
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    expect(pkg.dependencies.prisma).toBe(pkg.dependencies["@prisma/client"]);
    expect(pkg.devDependencies.prisma).toBeUndefined();
    for (const entry of ["package.json", "package-lock.json", "prisma.config.ts", "server.mjs", "scripts", "build"]) {
      cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    }
    cpSync(path.join(root, "prisma"), path.join(dir, "prisma"), {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}prisma${path.sep}postgresql${path.sep}schema`),
    });

    const install = spawnSync("npm", ["ci", "--omit=dev"], { cwd: dir, env, encoding: "utf8", timeout: 540_000 });
    expect(install.status, `${install.stdout}\n${install.stderr}`).toBe(0);
    for (const dev of ["vitest", "@remix-run/dev", "@shopify/cli", "eslint", "esbuild", "playwright-core"]) {
      expect(existsSync(path.join(dir, "node_modules", dev)), `${dev} is a dev dependency`).toBe(false);
    }
    expect(existsSync(path.join(dir, "node_modules/.prisma/client/default.js"))).toBe(true);
    expect(existsSync(path.join(dir, "node_modules/.prisma/client-postgresql/default.js"))).toBe(true);

    const databaseUrl = `file:${path.join(dir, "data", "loyalty.sqlite")}`;
    const setup = spawnSync("npm", ["run", "setup"], { cwd: dir, env: { ...env, DATABASE_URL: databaseUrl }, encoding: "utf8" });
    expect(setup.status, setup.stderr).toBe(0);
    expect(setup.stdout).toContain("database is up to date");

    const port = await freePort();
    const server = spawn("npm", ["start"], {
      cwd: dir,
      env: {
        ...env,
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        SHOPIFY_API_KEY: "prod-install-key",
        SHOPIFY_API_SECRET: API_SECRET,
        SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
        LOYALTY_SECRET_KEY: TEST_SECRET_KEY,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    server.stdout.on("data", (d) => (out += d));
    server.stderr.on("data", (d) => (out += d));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
        server.stdout.on("data", () => out.includes("listening on") && (clearTimeout(timer), resolve()));
        server.on("exit", (code) => (clearTimeout(timer), reject(new Error(`server exited with ${code}:\n${out}`))));
      });
      const landing = await fetch(`http://127.0.0.1:${port}/`);
      expect(landing.status).toBe(200);
      expect(await landing.text()).toContain("Loyalty Club");
      const webhook = await fetch(`http://127.0.0.1:${port}/webhooks/orders/paid`, { method: "POST", body: "{}" });
      expect(webhook.status).toBe(401);
    } finally {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once("exit", resolve));
        process.kill(-server.pid!, "SIGTERM");
        await exited;
      }
    }
  });
});
