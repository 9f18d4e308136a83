// Once per run, before any test file: is PostgreSQL there? With REQUIRE_POSTGRES=1 (CI) its
// absence stops the run at once; without, the PostgreSQL variants are collected as skipped tests
// (tests/support/app.ts, describeDialects) and the end of the run says so, whichever reporter runs.
import type { TestProject } from "vitest/node";
import { checkPostgres, POSTGRES_SKIP_MARK, type PostgresStatus } from "./support/postgres.ts";

let status: PostgresStatus;
let project: TestProject;

export async function setup(p: TestProject) {
  project = p;
  status = await checkPostgres();
  if (!status.available && process.env.REQUIRE_POSTGRES === "1")
    throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL is ${status.reason}`);
  project.provide("postgres", status);
}

/** Runs after the reporters' summary: the last thing the run prints. */
export function teardown() {
  if (status?.available !== false) return;
  const skipped = new Map<string, number>();
  for (const module of project.vitest.state.getTestModules()) {
    for (const test of module.children.allTests()) {
      if (test.result().state !== "skipped") continue;
      for (let parent = test.parent; parent.type === "suite"; parent = parent.parent) {
        if (parent.name.includes(POSTGRES_SKIP_MARK)) {
          skipped.set(module.relativeModuleId, (skipped.get(module.relativeModuleId) ?? 0) + 1);
          break;
        }
      }
    }
  }
  if (skipped.size === 0) return; // no file with PostgreSQL variants ran
  const tests = [...skipped.values()].reduce((a, b) => a + b, 0);
  const line = "=".repeat(78);
  console.log(
    `\n${line}\n PostgreSQL variants SKIPPED: PostgreSQL is ${status.reason}\n` +
      ` ${tests} tests in ${skipped.size} files did not run (${[...skipped.keys()].join(", ")}).\n` +
      ` Start PostgreSQL (or set TEST_POSTGRES_URL); REQUIRE_POSTGRES=1 makes its absence an error.\n${line}`,
  );
}
