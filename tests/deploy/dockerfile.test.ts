// The Dockerfile, checked for structure (no Docker engine here): a multi-stage build whose final
// stage installs production dependencies only, runs as a non-root user, holds no secrets,
// migrates at start and has a health check; and `npm start`, which never downloads Node.
import { spawnSync } from "node:child_process";
import { mkdtempSync, existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | null;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile (comments dropped, continuation lines joined), grouped by stage. */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const lines = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = "", rest = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { op: op.toUpperCase(), args: rest };
    if (instruction.op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest)!;
      stages.push({ from: m[1]!, name: m[2] ?? null, instructions: [] });
    } else if (stages.length === 0) args.push(instruction);
    else stages.at(-1)!.instructions.push(instruction);
  }
  return { args, stages };
}

const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
const { args, stages } = parseDockerfile(dockerfile);
const final = stages.at(-1)!;
const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);

describe("Dockerfile", () => {
  it("is multi-stage: a build stage with dev dependencies, a final stage without", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(new Set(stages.map((s) => s.name)).size).toBe(stages.length);
    const runs = stages.flatMap((s) => ops(s, "RUN").map((r) => ({ stage: s.name, cmd: r.args })));
    expect(runs.some((r) => /npm run build/.test(r.cmd) && r.stage !== final.name)).toBe(true);
    expect(runs.some((r) => /npm ci\b.*--omit=dev/.test(r.cmd))).toBe(true);
    // The final stage installs nothing with dev dependencies and copies its node_modules from
    // a stage that ran `npm ci --omit=dev`.
    expect(ops(final, "RUN").some((r) => /npm (ci|install)(?!.*--omit=dev)/.test(r.args))).toBe(false);
    const modules = ops(final, "COPY").find((c) => /node_modules/.test(c.args));
    const source = /--from=(\S+)/.exec(modules?.args ?? "")?.[1];
    const deps = stages.find((s) => s.name === source);
    expect(deps && ops(deps, "RUN").some((r) => /npm ci\b.*--omit=dev/.test(r.args))).toBe(true);
  });

  it("pins the Node major of its base image (no :latest, Node >= 22.12)", () => {
    const image = args.find((a) => a.op === "ARG" && a.args.startsWith("NODE_IMAGE="))?.args.split("=")[1];
    for (const stage of stages) {
      const from = stage.from.replace("${NODE_IMAGE}", image ?? "");
      expect(from).toMatch(/^node:(2[4-9]|[3-9]\d)[-.]/);
    }
  });

  it("runs as a non-root user", () => {
    const users = ops(final, "USER").map((u) => u.args.split(":")[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(["root", "0"]).not.toContain(users.at(-1));
  });

  it("holds no secrets", () => {
    const settings = [...args, ...stages.flatMap((s) => s.instructions)].filter((i) => i.op === "ENV" || i.op === "ARG");
    for (const setting of settings) {
      expect(setting.args).not.toMatch(/SECRET|TOKEN|PASSWORD|API_KEY|PRIVATE/i);
    }
    expect(dockerfile).not.toMatch(/shpat_|shpss_|-----BEGIN/);
    const ignored = readFileSync(path.join(root, ".dockerignore"), "utf8").split(/\r?\n/);
    for (const entry of [".env", "node_modules", ".git", "*.sqlite", "data"]) expect(ignored).toContain(entry);
  });

  it("migrates at start, then starts the server, and checks its health", () => {
    const cmd = ops(final, "CMD").at(-1)?.args ?? "";
    expect(cmd).toMatch(/npm run setup.*&&.*(npm start|node server\.mjs)/);
    expect(ops(final, "HEALTHCHECK")).toHaveLength(1);
    expect(ops(final, "ENV").some((e) => /NODE_ENV=production/.test(e.args))).toBe(true);
  });
});

describe("npm start on an old Node", () => {
  const oldNode = ["/usr/bin/node", "/usr/local/bin/node"].find((bin) => {
    if (!existsSync(bin)) return false;
    const [major = 0, minor = 0] = spawnSync(bin, ["-p", "process.versions.node"], { encoding: "utf8" })
      .stdout.trim()
      .split(".")
      .map(Number);
    return major < 22 || (major === 22 && minor < 12);
  });

  it.skipIf(!oldNode)("fails at once with a clear message and downloads nothing", () => {
    const start = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).scripts.start as string;
    const prefix = path.join(mkdtempSync(path.join(os.tmpdir(), "lc-node24-")), "absent");
    const began = Date.now();
    const run = spawnSync("sh", ["-c", start], {
      cwd: root,
      env: { ...process.env, PATH: `${path.dirname(oldNode!)}:/usr/bin:/bin`, NODE24_PREFIX: prefix, NODE_ENV: "development" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/too old.*22\.12/);
    expect(run.stderr).not.toMatch(/installing/i);
    expect(existsSync(prefix)).toBe(false);
    expect(Date.now() - began).toBeLessThan(10_000);
  });
});
