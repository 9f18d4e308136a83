// Every test file: an unexpected console.error fails the test that caused it, and so does an
// error printed by an app server the file started (tests/support/server-errors.ts).
import { afterAll, afterEach, beforeEach, vi } from "vitest";
import { TEST_SECRET_KEY } from "./emulator/app-process.ts";
import { checkServerErrors, testEnded, testStarted } from "./support/server-errors.ts";

// The app servers the tests start use this key; code the tests run in-process uses it too.
process.env.LOYALTY_SECRET_KEY ??= TEST_SECRET_KEY;

let errors: unknown[][] = [];
beforeEach(async () => {
  // Printed while the file's beforeAll ran, or after the previous test had finished.
  await checkServerErrors("before this test (in beforeAll, or after the previous test ended)");
  testStarted();
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  testEnded();
  const failures: string[] = [];
  if (errors.length) failures.push(`unexpected console.error: ${errors.map((e) => e.map(String).join(" ")).join("\n")}`);
  try {
    await checkServerErrors("during this test", { endsTest: true });
  } catch (error) {
    failures.push((error as Error).message);
  }
  if (failures.length) throw new Error(failures.join("\n"));
});
// Hooks run in reverse order of registration, so this one runs after the file's own afterAll
// (which stops its servers): what they printed while stopping is read to the end.
afterAll(async () => {
  await checkServerErrors("after the file's last test (in afterAll, or while stopping)", { final: true });
});
