// Every test file: an unexpected console.error fails the test that caused it.
import { afterEach, beforeEach, vi } from "vitest";
import { TEST_SECRET_KEY } from "./emulator/app-process.ts";

// The app servers the tests start use this key; code the tests run in-process uses it too.
process.env.LOYALTY_SECRET_KEY ??= TEST_SECRET_KEY;

let errors: unknown[][] = [];
beforeEach(() => {
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  if (errors.length) throw new Error(`unexpected console.error: ${errors.map((e) => e.map(String).join(" ")).join("\n")}`);
});
