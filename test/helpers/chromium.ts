/**
 * Debian's Chromium as the browser suites and the `pageload` benchmark start it: where it is, and
 * the flags this machine needs (no sandbox as root; no background network, whose connections to
 * closed hosts would be refused many at a time).
 */
import { chromium, type Browser } from 'playwright-core';

export const chromePath = process.env['CHROME_PATH'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromePath, args: [...CHROMIUM_ARGS] });
}
