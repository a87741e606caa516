// Debian's Chromium for the browser tests, driven by playwright-core (which never downloads a browser of its own).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { hasTool } from './tools.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless, no GPU, and nothing that talks to the network by itself (updates, sync, QUIC probes). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Whether the browser tests can run; under SIPLENS_REQUIRE_TOOLS=1 a missing Chromium fails instead (hasTool). */
export function haveChromium(): boolean {
  const found = existsSync(CHROMIUM) && hasTool('chromium');
  if (!found) process.stderr.write(`${CHROMIUM} not found: the browser tests are skipped\n`);
  return found;
}

/** Starts Chromium; playwright gives each launch a fresh temporary --user-data-dir and removes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}
