import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

import {
  signToken,
  SqliteStorage,
  startServer,
  TokenVerifier,
  type Acl,
  type ServerOptions,
  type SyncServer,
} from '../src/index.js';

/** The secret that test servers check tokens with. */
export const TEST_SECRET = 'kura-test-secret-0123456789abcdef';

/** A server on a free loopback port with a database in a folder of its own. */
export interface TestServer {
  server: SyncServer;
  dataDir: string;
  /** Stops the server and closes its storage; the data folder stays for a restart. */
  stop(): Promise<void>;
}

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'kura-server-test-'));
}

export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Starts a server that accepts tokens signed with {@link TEST_SECRET}; `options` replace the
 * defaults, such as the verifier or the limits.
 */
export async function startTestServer(
  dataDir = makeDataDir(),
  options: Partial<ServerOptions> = {},
): Promise<TestServer> {
  const storage = new SqliteStorage(dataDir);
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    storage,
    verifier: new TokenVerifier({ secret: TEST_SECRET }),
    ...options,
  });

  return {
    server,
    dataDir,
    async stop() {
      await server.close();
      storage.close();
    },
  };
}

/**
 * A token signed with {@link TEST_SECRET}; by default it writes every document of the
 * workspace for 15 minutes.
 */
export function testToken(
  workspace: string,
  acl: Acl = { '*': 'write' },
  options: { sub?: string; seconds?: number; now?: number } = {},
): Promise<string> {
  return signToken({ sub: options.sub ?? 'tester', ws: workspace, acl }, TEST_SECRET, options);
}

/** How a test client presents itself. */
export interface ClientOptions {
  /**
   * The token, sent as the `token` query parameter; by default one that writes the room's
   * workspace. `null` sends none.
   */
  token?: string | null;
  /** Subprotocols to offer, such as `kura-token.<jwt>`; the query then carries no token. */
  protocols?: string[];
}

/**
 * A stock y-websocket client in Node; the broadcast channel is off so only the server links.
 * It connects once its token is signed, so it can be returned at once.
 */
export function connectClient(
  url: string,
  room: string,
  doc = new Y.Doc(),
  options: ClientOptions = {},
): WebsocketProvider {
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: false,
    protocols: options.protocols ?? [],
  });
  let destroyed = false;
  const destroy = provider.destroy.bind(provider);
  provider.destroy = () => {
    destroyed = true;
    destroy();
  };

  const defaultToken = options.protocols ? null : testToken(room.split('/')[0] ?? '');
  void Promise.resolve(options.token === undefined ? defaultToken : options.token).then((token) => {
    if (token !== null) provider.params = { token };
    if (!destroyed) provider.connect();
  });
  return provider;
}

export function whenSynced(provider: WebsocketProvider): Promise<void> {
  if (provider.synced) return Promise.resolve();
  return new Promise((resolve) => {
    const onSync = (synced: boolean) => {
      if (!synced) return;
      provider.off('sync', onSync);
      resolve();
    };
    provider.on('sync', onSync);
  });
}

/** Resolves with the code of the next close that the server sends the provider. */
export function nextCloseCode(provider: WebsocketProvider): Promise<number> {
  return new Promise((resolve) => {
    const onClose = (event: CloseEvent | null) => {
      if (event === null) return;
      provider.off('connection-close', onClose);
      resolve(event.code);
    };
    provider.on('connection-close', onClose);
  });
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Opens a raw WebSocket and resolves with the close code the server sends. */
export function closeCodeOf(
  url: string,
  send?: (socket: WebSocket) => void,
  options: WebSocket.ClientOptions & { protocols?: string[] } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [], options);
    socket.on('open', () => send?.(socket));
    socket.on('close', (code) => resolve(code));
    socket.on('error', reject);
  });
}

/** `url` with the `token` query parameter. */
export function withToken(url: string, token: string): string {
  return `${url}?token=${encodeURIComponent(token)}`;
}

/**
 * The cleanups of a test file: what a test pushes runs after it, newest first, each awaited.
 * Call it once at the top level of the file.
 */
export function cleanupsAfterEach(): (() => unknown)[] {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

/** Starts a test server that stops after the test, through `cleanups`. */
export async function serverFor(
  cleanups: (() => unknown)[],
  dataDir?: string,
  options: Partial<ServerOptions> = {},
): Promise<TestServer> {
  const running = await startTestServer(dataDir, options);
  cleanups.push(() => running.stop());
  return running;
}
