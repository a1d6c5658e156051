// Fan-out through the sync server: one writer, many observers, every update stored before it is
// relayed. The server runs as its own process, as in production; writer and observers speak the
// y-websocket protocol over loopback.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';

const UPDATES = 200;
const INTERVAL_MS = 10;
const OBSERVER_COUNTS = [100, 500];
const cli = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));

/**
 * @param {(line: string) => void} log
 * @returns {Promise<Record<string, import('../../scripts/bench.mjs').Figure>>}
 */
export default async function run(log) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kura-bench-sync-'));
  const server = await startServer(dataDir);
  /** @type {Record<string, import('../../scripts/bench.mjs').Figure>} */
  const figures = {};

  try {
    for (const observers of OBSERVER_COUNTS) {
      const latencies = await fanOut(server.url, `bench/fanout-${observers}`, observers);
      latencies.sort((a, b) => a - b);
      log(`${observers} observers: ${latencies.length} deliveries`);
      figures[`fanout-${observers}-p50`] = ms(percentile(latencies, 0.5));
      figures[`fanout-${observers}-p99`] = ms(percentile(latencies, 0.99));
    }
  } finally {
    server.process.kill('SIGTERM');
    await new Promise((resolve) => server.process.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

/** @param {number} value */
function ms(value) {
  return { value, unit: 'ms', target: 30, better: /** @type {const} */ ('lower') };
}

/**
 * @param {number[]} sorted
 * @param {number} p
 */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** @param {string} dataDir */
async function startServer(dataDir) {
  const child = spawn(process.execPath, [cli], {
    env: { ...process.env, KURA_SYNC_PORT: '0', KURA_DATA_DIR: dataDir, KURA_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const entry = JSON.parse(line);
    if (entry.event === 'listening') {
      return { process: child, url: `ws://127.0.0.1:${entry.port}` };
    }
  }
  throw new Error('the sync server stopped before it listened');
}

/**
 * Connects `count` observers and one writer to `room`, sends {@link UPDATES} updates and
 * returns, for every update at every observer, the milliseconds from send to receipt.
 *
 * @param {string} url
 * @param {string} room
 * @param {number} count
 * @returns {Promise<number[]>}
 */
async function fanOut(url, room, count) {
  /** @type {number[]} */
  const sentAt = [];
  /** @type {number[]} */
  const latencies = [];
  let pending = count * UPDATES;
  /** @type {() => void} */
  let done = () => {};
  const finished = new Promise((resolve) => (done = () => resolve(undefined)));

  const observers = await Promise.all(
    Array.from({ length: count }, () =>
      connect(url, room, (received) => {
        latencies.push(performance.now() - (sentAt[received] ?? NaN));
        if (--pending === 0) done();
      }),
    ),
  );
  const doc = new Y.Doc();
  const writer = await connect(url, room, () => {});
  doc.on('update', (/** @type {Uint8Array} */ update) => {
    const message = encoding.createEncoder();
    encoding.writeVarUint(message, 0);
    encoding.writeVarUint(message, 2);
    encoding.writeVarUint8Array(message, update);
    sentAt.push(performance.now());
    writer.send(encoding.toUint8Array(message));
  });

  for (let i = 0; i < UPDATES; i++) {
    doc.getMap('bench').set('counter', i);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  const timeout = setTimeout(done, 30_000);
  await finished;
  clearTimeout(timeout);

  for (const socket of [...observers, writer]) socket.close();
  if (pending > 0) throw new Error(`${pending} deliveries never arrived`);
  return latencies;
}

/**
 * Opens a raw y-websocket connection that counts the document updates it receives, in order.
 *
 * @param {string} url
 * @param {string} room
 * @param {(index: number) => void} onUpdate Called with 0 for the first update, 1 for the next.
 * @returns {Promise<WebSocket>}
 */
function connect(url, room, onUpdate) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url}/${room}`);
    let received = 0;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (/** @type {Buffer} */ data) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(decoder) === 0 && decoding.readVarUint(decoder) === 2) {
        onUpdate(received++);
      }
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}
