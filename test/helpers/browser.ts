/**
 * Headless Chromium for the browser tests: Debian's `chromium` driven by
 * playwright-core (no browser download). Absent locally: the tests skip
 * with a printed reason; absent under CI=true: they fail.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { failUnderCI } from './ci';

/** Where Debian's package puts the browser (`.ci/run` installs it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Screenshots of the browser tests (named in .gitignore). */
export const SCREENSHOT_DIR = path.join(__dirname, '..', '..', 'test-output', 'screenshots');

/** Everything that would make Chromium reach for the network on its own, off (the machine has no way out). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a fresh profile, and how to throw both away. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Why the browser tests cannot run here, or null when they can. Under CI (any truthy value) a missing browser throws instead. */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  const reason = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
  failUnderCI(`the browser tests need Chromium: ${reason}`);
  return reason;
}

/** Launches Chromium with a fresh `--user-data-dir`. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'sjwt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The path for a screenshot named `name` (the folder is created). */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}
