import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's headless Chromium (playwright cannot download its own here). The background-networking
 * flag keeps it from trying to reach Google's hosts on this closed network.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
