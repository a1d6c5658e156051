import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

import { ACK_MESSAGE, ACK_PROTOCOL } from '../src/acks.js';
import { TOKEN_PROTOCOL_PREFIX } from '../src/auth.js';
import { signToken, SqliteStorage } from '../src/index.js';
import { connectClient, eventually, makeDataDir, removeDataDir, whenSynced } from './harness.js';

// The server runs as its own process, from the build the test command makes first, so that it
// can be killed with SIGKILL as a crash would: no commit finishes, no socket closes cleanly.

const CLIENTS = 20;
const WRITES = 10_000;
const KILLS = 3;
const SECRET = 'crash-test-secret-of-at-least-32-characters';
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dataDir = makeDataDir();
/** The server processes started, so that none outlives the test, whatever happens in it. */
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  removeDataDir(dataDir);
});

/** A free loopback port, so that the restarted server listens where the clients reconnect. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts the server process; resolves once it listens. */
async function start(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli], {
    env: {
      ...process.env,
      KURA_SYNC_HOST: '127.0.0.1',
      KURA_SYNC_PORT: String(port),
      KURA_DATA_DIR: dataDir,
      KURA_SECRET: SECRET,
      KURA_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with ${String(code)}`)));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.includes('"listening"')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return child;
}

/** Per Yjs client, the clock up to which the data folder holds its writes. */
function storedState(): Map<number, number> {
  const storage = new SqliteStorage(dataDir, { compactAfter: 0 });
  const doc = new Y.Doc();
  for (const update of storage.load('crash/stock')) Y.applyUpdate(doc, update);
  storage.close();
  return Y.decodeStateVector(Y.encodeStateVector(doc));
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('crashes', () => {
  it('STO4 keeps every write of 20 clients through three SIGKILLs', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}`;
    let server = await start(port);
    const token = await signToken({ sub: 'writer', ws: 'crash', acl: { stock: 'write' } }, SECRET, {
      seconds: 3600,
    });
    // Each client asks for acknowledgements and remembers the highest clock of its own.
    const clients: { doc: Y.Doc; provider: WebsocketProvider; acked: number }[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const doc = new Y.Doc();
      const provider = connectClient(url, 'crash/stock', doc, {
        protocols: [ACK_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`],
      });
      const client = { doc, provider, acked: 0 };
      provider.messageHandlers[ACK_MESSAGE] = (_encoder, decoder: decoding.Decoder) => {
        const entries = decoding.readVarUint(decoder);
        for (let entry = 0; entry < entries; entry++) {
          const id = decoding.readVarUint(decoder);
          const clock = decoding.readVarUint(decoder);
          if (id === doc.clientID) client.acked = Math.max(client.acked, clock);
        }
      };
      clients.push(client);
    }
    await Promise.all(clients.map(({ provider }) => whenSynced(provider)));

    // Each client writes its share in small steps while the server is killed and restarted.
    const perClient = WRITES / CLIENTS;
    let acknowledgedAtKills = 0;
    const killAt = new Set(
      Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 1) * perClient) / (KILLS + 1))),
    );
    for (let step = 0; step < perClient; step++) {
      for (const [index, { doc }] of clients.entries()) {
        doc.getMap('writes').set(`${index}:${step}`, step);
      }
      if (killAt.has(step)) {
        const acked = clients.map((client) => client.acked);
        await kill(server);
        // Read the data folder as the crash left it: everything acknowledged is there.
        const stored = storedState();
        clients.forEach(({ doc }, index) => {
          expect(stored.get(doc.clientID) ?? 0).toBeGreaterThanOrEqual(acked[index] ?? 0);
        });
        acknowledgedAtKills += acked.filter((clock) => clock > 0).length;
        server = await start(port);
      }
      if (step % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const complete = (doc: Y.Doc) => doc.getMap('writes').size === WRITES;
    await eventually(() => clients.every(({ doc }) => complete(doc)), 'every write', 60_000);
    const reference = Y.encodeStateVector(clients[0]?.doc ?? new Y.Doc());
    for (const { doc } of clients) expect(Y.encodeStateVector(doc)).toEqual(reference);

    // What the server stored: a fresh client after one more crash sees every write, and every
    // acknowledged clock of every client.
    await eventually(
      () => clients.every(({ provider }) => provider.synced),
      'the clients to sync',
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const { provider } of clients) provider.destroy();
    await kill(server);
    server = await start(port);
    expect(acknowledgedAtKills).toBeGreaterThan(0);
    const reader = connectClient(url, 'crash/stock', new Y.Doc(), { token });
    await whenSynced(reader);
    expect(reader.doc.getMap('writes').size).toBe(WRITES);
    const stored = Y.decodeStateVector(Y.encodeStateVector(reader.doc));
    for (const { doc, acked } of clients) {
      expect(acked).toBeGreaterThan(0);
      expect(stored.get(doc.clientID) ?? 0).toBeGreaterThanOrEqual(acked);
    }
    reader.destroy();
    await kill(server);
  }, 120_000);
});
