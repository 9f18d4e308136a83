// Debian's Chromium driven by playwright-core, with the flags this offline machine needs.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type FrameLocator, type Page } from "playwright-core";

export const SCREENSHOTS = path.resolve(import.meta.dirname, "../../test-results");

// authenticate.admin answers 410 to user agents that look like bots, HeadlessChrome included.
export const DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

export async function launch(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/**
 * Opens an admin page in the emulated admin and waits until the app in its frame is hydrated
 * (app/root.tsx marks it): what a test types or selects before then would be lost.
 */
export async function openAdmin(page: Page, url: string, timeout = 30_000): Promise<FrameLocator> {
  await page.goto(url);
  const app = page.frameLocator("iframe#app");
  await app.locator("html[data-hydrated]").waitFor({ state: "attached", timeout });
  return app;
}
