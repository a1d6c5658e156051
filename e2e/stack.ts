import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type Browser } from 'playwright-core';

import { CHROMIUM_ARGS, chromiumPath } from '../scripts/chromium.mjs';
import { startStack } from '../scripts/stack.mjs';

/** The sync server and the built demo on free loopback ports, and a headless Chromium. */
export interface E2eStack {
  demoUrl: string;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * Starts what `npm start` starts, on free ports with a data folder of its own, and a browser.
 * The demo must be built first (`npm test` does it).
 */
export async function startE2eStack(): Promise<E2eStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kura-e2e-'));
  const env = { KURA_SYNC_PORT: '0', KURA_DEMO_PORT: '0', KURA_DATA_DIR: dataDir };
  const stack = await startStack(env, { log() {} });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true,
  });

  return {
    demoUrl: stack.demoUrl,
    browser,
    async stop() {
      await browser.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
