import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { chromiumPath } from '../scripts/chromium.mjs';
import { startStack } from '../scripts/stack.mjs';

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function takenPort(): Promise<number> {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
  return (blocker.address() as { port: number }).port;
}

describe('npm start', () => {
  it('names a taken demo port and its variable, and frees the sync port', async () => {
    const port = await takenPort();
    const dataDir = mkdtempSync(join(tmpdir(), 'kura-commands-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const syncPort = String(await freePort());
    const env = { KURA_SYNC_PORT: syncPort, KURA_DEMO_PORT: String(port), KURA_DATA_DIR: dataDir };

    await expect(startStack(env, { log() {} })).rejects.toThrow(
      new RegExp(`port ${port} .*set KURA_DEMO_PORT to a free port`),
    );

    const again = await startStack({ ...env, KURA_DEMO_PORT: '0' }, { log() {} });
    cleanups.push(() => again.stop());
    expect(again.syncUrl).toBe(`ws://127.0.0.1:${syncPort}`);
  });
});

describe('npm start with auth', () => {
  it('AUTH6 runs the sync server in development mode, with tokens for the demo', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kura-commands-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { KURA_SYNC_PORT: '0', KURA_DEMO_PORT: '0', KURA_DATA_DIR: dataDir };

    const stack = await startStack(env, { log() {} });
    cleanups.push(() => stack.stop());

    const config = await (await fetch(`${stack.demoUrl}kura-config.json`)).json();
    expect(config).toEqual({ server: stack.syncUrl, tokenUrl: stack.tokenUrl });
    const response = await fetch(`${stack.tokenUrl}?ws=demo&sub=alice`);
    expect(response.status).toBe(200);
    expect((await response.json()).token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});

describe('npm test', () => {
  it('tells how to point CHROME_PATH at a browser when the one named is missing', () => {
    const saved = process.env['CHROME_PATH'];
    process.env['CHROME_PATH'] = '/nowhere/chromium';
    try {
      expect(() => chromiumPath()).toThrow(/CHROME_PATH is \/nowhere\/chromium, which does not/);
    } finally {
      if (saved === undefined) delete process.env['CHROME_PATH'];
      else process.env['CHROME_PATH'] = saved;
    }
  });
});
