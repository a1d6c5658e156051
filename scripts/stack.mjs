// Starts what `npm start` runs and the end-to-end tests drive: the sync server with its
// embedded storage, in development mode, and the built demo on a web server of its own.
import { join } from 'node:path';

import { preview } from 'vite';

import { readPort, runServer, StartError } from '@kura/server';
import { root } from './setup.mjs';

/**
 * @typedef {object} Stack
 * @property {string} syncUrl The sync server's address.
 * @property {string} tokenUrl The sync server's development endpoint that hands out tokens.
 * @property {string} demoUrl The demo's address.
 * @property {() => Promise<void>} stop Stops the demo server, then the sync server.
 */

/**
 * Starts the sync server and the demo server. The ports come from `KURA_SYNC_PORT` (1234) and
 * `KURA_DEMO_PORT` (5173); 0 picks free ones. The server runs in development mode
 * (`KURA_DEV=1` unless `env` says otherwise), so that the demo gets its tokens from
 * `GET /dev/token` without an identity service.
 *
 * @param {Record<string, string | undefined>} env
 * @param {import('@kura/server').Logger} [logger]
 * @returns {Promise<Stack>}
 * @throws {StartError} When a port is taken; the message names the variable to change.
 * @throws {import('@kura/server').ConfigError} When a variable has a bad value.
 */
export async function startStack(env, logger) {
  const demoPort = readPort(env, 'KURA_DEMO_PORT', 5173);
  const host = env['KURA_SYNC_HOST'] || '127.0.0.1';
  const sync = await runServer({ KURA_DEV: '1', ...env }, logger);
  const syncUrl = sync.server.url;
  const tokenUrl = `${syncUrl.replace(/^ws/, 'http')}/dev/token`;

  let demo;
  try {
    demo = await preview({
      configFile: false,
      root: join(root, 'demo'),
      logLevel: 'silent',
      build: { outDir: 'dist' },
      preview: { host, port: demoPort, strictPort: true },
      plugins: [demoConfig({ server: syncUrl, tokenUrl })],
    });
  } catch (error) {
    await sync.stop();
    if (/already in use/i.test(String(error))) {
      throw new StartError(
        `[kura/demo] port-in-use: port ${demoPort} on ${host} is taken by another program; ` +
          'set KURA_DEMO_PORT to a free port',
      );
    }
    throw error;
  }

  const address = /** @type {import('node:net').AddressInfo} */ (demo.httpServer.address());
  return {
    syncUrl,
    tokenUrl,
    demoUrl: `http://${host}:${address.port}/`,
    async stop() {
      await demo.close();
      await sync.stop();
    },
  };
}

/**
 * Serves `/kura-config.json`, which tells the demo page where the sync server listens and where
 * it gets its tokens.
 *
 * @param {{ server: string, tokenUrl: string }} config
 * @returns {import('vite').Plugin}
 */
function demoConfig(config) {
  return {
    name: 'kura-demo-config',
    configurePreviewServer(server) {
      server.middlewares.use('/kura-config.json', (_request, response) => {
        response.setHeader('content-type', 'application/json');
        response.setHeader('cache-control', 'no-store');
        response.end(JSON.stringify(config));
      });
    },
  };
}
