// The production server refuses to start without a usable LOYALTY_SECRET_KEY: a clear message
// and a non-zero exit, before it listens.
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { API_SECRET } from "../support/app";

const root = path.resolve(import.meta.dirname, "../..");

function startWith(key: string | undefined) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: "production",
    PORT: "0",
    DATABASE_URL: `file:${path.join(os.tmpdir(), `lc-no-key-${process.pid}.sqlite`)}`,
    SHOPIFY_API_KEY: "k",
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1",
    LOYALTY_SECRET_KEY: key,
  };
  if (key === undefined) delete env.LOYALTY_SECRET_KEY;
  return spawnSync(process.execPath, ["server.mjs"], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 20_000,
  });
}

describe("LOYALTY_SECRET_KEY in production", () => {
  it("is required", () => {
    const run = startWith(undefined);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("LOYALTY_SECRET_KEY is not set");
    expect(run.stdout).not.toContain("listening on");
  });

  it("must be at least 32 characters", () => {
    const run = startWith("too-short");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/LOYALTY_SECRET_KEY is too short/);
    expect(run.stdout).not.toContain("listening on");
  });
});
