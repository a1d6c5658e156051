import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';

import { ProtocolError, Room, silentLogger, SqliteStorage, type Peer } from '../src/index.js';
import { seededRandom } from '../../packages/domain/test/support.js';
import {
  cleanupsAfterEach,
  connectClient,
  eventually,
  makeDataDir,
  removeDataDir,
  startTestServer,
  type TestServer,
  testToken,
  whenSynced,
  withToken,
} from './harness.js';

const FRAMES = Number(process.env['KURA_FUZZ_FRAMES'] ?? 100_000);
const NETWORK_FRAMES = 2_000;
const SEED = Number(process.env['KURA_FUZZ_SEED'] ?? 7);

const cleanups = cleanupsAfterEach();

/** Valid frames to start from: sync steps, updates and awareness of a small document. */
function validFrames(): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < 20; i++) doc.getMap('notes').set(`k${i}`, 'x'.repeat(i));
  const frame = (type: number, step: number | undefined, payload: Uint8Array) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, type);
    if (step !== undefined) encoding.writeVarUint(encoder, step);
    encoding.writeVarUint8Array(encoder, payload);
    return encoding.toUint8Array(encoder);
  };
  return [
    frame(0, 0, Y.encodeStateVector(doc)),
    frame(0, 1, Y.encodeStateAsUpdate(doc)),
    ...updates.map((update) => frame(0, 2, update)),
    frame(1, undefined, new Uint8Array([1, 200, 1, 1, 2, 123, 125])),
  ];
}

/** A hostile frame: random bytes, a cut or mutated valid frame, a wrong type, a huge length. */
function hostileFrame(random: () => number, valid: readonly Uint8Array[]): Uint8Array {
  const pick = valid[Math.floor(random() * valid.length)] ?? new Uint8Array();
  const bytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256));
  switch (Math.floor(random() * 7)) {
    case 0:
      return bytes(1 + Math.floor(random() * 64));
    case 1:
      return pick.slice(0, Math.floor(random() * pick.length));
    case 2: {
      const mutated = pick.slice();
      for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
        mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      }
      return mutated;
    }
    case 3:
      return Uint8Array.of(2 + Math.floor(random() * 120), ...pick.slice(1));
    case 4:
      // A length prefix far beyond the frame: 2^31 as a varuint.
      return Uint8Array.of(0, 2, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3);
    case 5:
      return new Uint8Array();
    default:
      return Uint8Array.of(...pick, ...bytes(1 + Math.floor(random() * 16)));
  }
}

function stateOf(storage: SqliteStorage, room: string): string {
  const doc = new Y.Doc();
  for (const update of storage.load(room)) Y.applyUpdate(doc, update);
  return JSON.stringify(doc.toJSON());
}

describe('protocol fuzz', () => {
  it(`SYN4 refuses or applies each of ${FRAMES} hostile frames; nothing else moves`, () => {
    const dataDir = makeDataDir();
    const storage = new SqliteStorage(dataDir, { compactAfter: 0 });
    cleanups.push(
      () => removeDataDir(dataDir),
      () => storage.close(),
    );
    const calm = new Y.Doc();
    calm.getMap('stock').set('beans', 12);
    storage.append('acme/calm', Y.encodeStateAsUpdate(calm));
    const before = stateOf(storage, 'acme/calm');

    const room = new Room('acme/hostile', storage, silentLogger);
    const peer: Peer = { access: 'write', send() {}, updateRefused() {} };
    room.join(peer);
    const random = seededRandom(SEED);
    const valid = validFrames();
    let refused = 0;
    for (let i = 0; i < FRAMES; i++) {
      try {
        room.receive(peer, hostileFrame(random, valid));
      } catch (error) {
        if (!(error instanceof ProtocolError)) {
          throw new Error(`frame ${i} (KURA_FUZZ_SEED=${SEED}) threw ${String(error)}`, {
            cause: error,
          });
        }
        refused++;
      }
    }
    room.destroy();

    expect(refused).toBeGreaterThan(FRAMES / 2);
    expect(stateOf(storage, 'acme/calm')).toBe(before);
    // What the hostile room stored, it stored as valid updates: it loads.
    expect(() => stateOf(storage, 'acme/hostile')).not.toThrow();
    // A bound, not a measure: 100,000 frames take a few seconds, more on a busy machine.
  }, 120_000);

  it('SYN4 stays up under hostile connections while other rooms keep syncing', async () => {
    const running: TestServer = await startTestServer(undefined, {
      rateLimit: { perSecond: 1_000_000, burst: 1_000_000 },
    });
    cleanups.push(() => running.stop());
    const { server } = running;
    const alice = connectClient(server.url, 'acme/calm');
    const bob = connectClient(server.url, 'acme/calm');
    cleanups.push(
      () => alice.destroy(),
      () => bob.destroy(),
    );
    await Promise.all([whenSynced(alice), whenSynced(bob)]);

    const token = await testToken('acme');
    const random = seededRandom(SEED + 1);
    const valid = validFrames();
    let sent = 0;
    const attacker = async () => {
      while (sent < NETWORK_FRAMES) {
        const socket = new WebSocket(withToken(`${server.url}/acme/hostile`, token));
        await new Promise((resolve) => {
          socket.once('open', resolve);
          socket.once('error', resolve);
        });
        const closed = new Promise((resolve) => socket.once('close', resolve));
        for (let i = 0; i < 50 && socket.readyState === WebSocket.OPEN; i++) {
          sent++;
          socket.send(hostileFrame(random, valid), { binary: random() < 0.95 });
        }
        socket.close();
        await closed;
      }
    };
    const writes = (async () => {
      for (let i = 0; i < 50; i++) {
        alice.doc.getMap('stock').set(`item-${i}`, i);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await Promise.all([attacker(), attacker(), attacker(), attacker(), writes]);

    await eventually(() => bob.doc.getMap('stock').size === 50, 'the calm room to sync');
    const health = await fetch(`${server.url.replace('ws://', 'http://')}/healthz`);
    expect(health.status).toBe(200);
    expect(sent).toBeGreaterThanOrEqual(NETWORK_FRAMES);
  });
});
