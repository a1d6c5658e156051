import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

import { SqliteStorage, startServer, type SyncServer } from '../src/index.js';

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

export async function startTestServer(dataDir = makeDataDir()): Promise<TestServer> {
  const storage = new SqliteStorage(dataDir);
  const server = await startServer({ host: '127.0.0.1', port: 0, storage });

  return {
    server,
    dataDir,
    async stop() {
      await server.close();
      storage.close();
    },
  };
}

/** A stock y-websocket client in Node; the broadcast channel is off so only the server links. */
export function connectClient(url: string, room: string, doc = new Y.Doc()): WebsocketProvider {
  return new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
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

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Opens a raw WebSocket and resolves with the close code the server sends. */
export function closeCodeOf(url: string, send?: (socket: WebSocket) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('open', () => send?.(socket));
    socket.on('close', (code) => resolve(code));
    socket.on('error', reject);
  });
}
