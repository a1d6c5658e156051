// The sync server against the reference one, side by side in one run: fan-out from one writer to
// 100 and 500 observers (latency and server CPU per update per observer), acknowledgements with
// 100 writers, and a join storm of 150 clients on a 4 MB document. Kura stores every update
// before it relays it; the reference server (@y/websocket-server 0.1.1) runs once in memory
// and once with its LevelDB persistence. Every server runs as its own process, as in production,
// and every client speaks the y-websocket protocol over loopback.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { signToken } from '@kura/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';

/** @typedef {import('../../scripts/bench.mjs').Figure} Figure */
/**
 * @typedef {object} Server
 * @property {string} name
 * @property {import('node:child_process').ChildProcess} process
 * @property {string} url
 * @property {string | undefined} token - Kura's; the reference server takes none.
 * @property {string} dataDir
 */

const UPDATES = 1_000;
const INTERVAL_MS = 10;
const OBSERVER_COUNTS = [100, 500];
const ACK_WRITERS = 100;
const ACK_ROUNDS = 10;
const JOINERS = 150;
const DOCUMENT_BYTES = 4 * 1024 * 1024;
const SECRET = 'bench-secret-of-at-least-thirty-two-characters';
const kuraCli = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));
const referenceCli = fileURLToPath(
  import.meta.resolve('@y/websocket-server/utils').replace('utils.js', 'server.js'),
);
const TICK_MS = 10; // Linux clock ticks of /proc/<pid>/stat are 1/100 s.

/**
 * @param {(line: string) => void} log
 * @returns {Promise<Record<string, Figure>>}
 */
export default async function run(log) {
  /** @type {Record<string, Figure>} */
  const figures = {};
  const servers = [
    ['kura', startKura],
    ['reference', () => startReference(false)],
    ['reference-leveldb', () => startReference(true)],
  ];
  /** @type {Record<string, Record<string, number>>} */
  const measured = {};

  for (const [name, start] of /** @type {[string, () => Promise<Server>][]} */ (servers)) {
    const server = await start();
    measured[name] = {};
    const own = /** @type {Record<string, number>} */ (measured[name]);
    try {
      for (const observers of OBSERVER_COUNTS) {
        const cpuBefore = cpuMs(server);
        const latencies = await fanOut(server, `bench/fanout-${observers}`, observers);
        const cpu = cpuMs(server) - cpuBefore;
        latencies.sort((a, b) => a - b);
        own[`fanout-${observers}-p50`] = percentile(latencies, 0.5);
        own[`fanout-${observers}-p99`] = percentile(latencies, 0.99);
        own[`fanout-${observers}-cpu`] = (cpu * 1000) / (UPDATES * observers);
        log(`${name}: ${observers} observers, ${latencies.length} deliveries, ${cpu} ms CPU`);
      }
      const joins = await joinStorm(server, 'bench/storm');
      joins.sort((a, b) => a - b);
      own['join-storm-p95'] = percentile(joins, 0.95);
      log(`${name}: ${joins.length} clients joined a 4 MB document`);
      if (name === 'kura') {
        const acks = await acknowledgements(server, 'bench/acks');
        acks.sort((a, b) => a - b);
        own['ack-p50'] = percentile(acks, 0.5);
        own['ack-p95'] = percentile(acks, 0.95);
      }
    } finally {
      await stop(server);
    }
  }

  const kura = /** @type {Record<string, number>} */ (measured['kura']);
  for (const [name, values] of Object.entries(measured)) {
    for (const observers of OBSERVER_COUNTS) {
      const target = name === 'kura' && observers === 500 ? 30 : undefined;
      figures[`${name}-fanout-${observers}-p50`] = ms(values[`fanout-${observers}-p50`]);
      figures[`${name}-fanout-${observers}-p99`] = ms(values[`fanout-${observers}-p99`], target);
      figures[`${name}-fanout-${observers}-cpu`] = {
        value: values[`fanout-${observers}-cpu`] ?? NaN,
        unit: 'µs/update/observer',
        better: 'lower',
      };
    }
    figures[`${name}-join-storm-p95`] = ms(
      values['join-storm-p95'],
      name === 'kura' ? 1000 : undefined,
    );
  }
  figures['kura-ack-p50'] = ms(kura['ack-p50']);
  figures['kura-ack-p95'] = ms(kura['ack-p95'], 50);
  const reference = /** @type {Record<string, number>} */ (measured['reference']);
  figures['kura-fanout-500-p99-vs-reference'] = {
    value: (kura['fanout-500-p99'] ?? NaN) / (reference['fanout-500-p99'] ?? NaN),
    unit: 'x',
    target: 1.2,
    better: 'lower',
  };
  return figures;
}

/**
 * @param {number | undefined} value
 * @param {number} [target]
 * @returns {Figure}
 */
function ms(value, target) {
  return {
    value: value ?? NaN,
    unit: 'ms',
    ...(target !== undefined && { target }),
    better: 'lower',
  };
}

/**
 * @param {number[]} sorted
 * @param {number} p
 */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** @returns {Promise<number>} A free loopback port. */
async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (probe.address());
  await new Promise((resolve) => probe.close(() => resolve(undefined)));
  return address.port;
}

/** @returns {Promise<Server>} */
async function startKura() {
  const dataDir = mkdtempSync(join(tmpdir(), 'kura-bench-sync-'));
  const port = await freePort();
  const child = spawn(process.execPath, [kuraCli], {
    env: {
      ...process.env,
      KURA_SYNC_PORT: String(port),
      KURA_DATA_DIR: dataDir,
      KURA_SECRET: SECRET,
      KURA_LOG_LEVEL: 'info',
      // The bench is one client process opening hundreds of connections at once.
      KURA_RATE_LIMIT: '100000',
      KURA_RATE_BURST: '100000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await listening(child, (line) => line.includes('"listening"'));
  const token = await signToken({ sub: 'bench', ws: 'bench', acl: { '*': 'write' } }, SECRET, {
    seconds: 3600,
  });
  return { name: 'kura', process: child, url: `ws://127.0.0.1:${port}`, token, dataDir };
}

/**
 * @param {boolean} persist
 * @returns {Promise<Server>}
 */
async function startReference(persist) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kura-bench-reference-'));
  const port = await freePort();
  const child = spawn(process.execPath, [referenceCli], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      ...(persist && { YPERSISTENCE: join(dataDir, 'leveldb') }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await listening(child, (line) => line.includes('running at'));
  const name = persist ? 'reference-leveldb' : 'reference';
  return { name, process: child, url: `ws://127.0.0.1:${port}`, token: undefined, dataDir };
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {(line: string) => boolean} ready
 */
async function listening(child, ready) {
  const lines = createInterface({ input: /** @type {NodeJS.ReadableStream} */ (child.stdout) });
  for await (const line of lines) if (ready(line)) return;
  throw new Error('the server stopped before it listened');
}

/** @param {Server} server */
async function stop(server) {
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGTERM');
  await exited;
  rmSync(server.dataDir, { recursive: true, force: true });
}

/**
 * The CPU time the server process used so far, from /proc; 0 where there is none.
 *
 * @param {Server} server
 */
function cpuMs(server) {
  try {
    const stat = readFileSync(`/proc/${server.process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * Connects `count` observers and one writer to `room`, sends {@link UPDATES} updates and
 * returns, for every update at every observer, the milliseconds from send to receipt.
 *
 * @param {Server} server
 * @param {string} room
 * @param {number} count
 * @returns {Promise<number[]>}
 */
async function fanOut(server, room, count) {
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
      connect(server, room, {
        onUpdate(received) {
          latencies.push(performance.now() - (sentAt[received] ?? NaN));
          if (--pending === 0) done();
        },
      }),
    ),
  );
  const doc = new Y.Doc();
  const writer = await connect(server, room, {});
  doc.on('update', (/** @type {Uint8Array} */ update) => {
    sentAt.push(performance.now());
    writer.send(updateMessage(update));
  });

  for (let i = 0; i < UPDATES; i++) {
    doc.getMap('bench').set('counter', i);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  const timeout = setTimeout(done, 30_000);
  await finished;
  clearTimeout(timeout);

  for (const socket of [...observers, writer]) socket.close();
  if (pending > 0) throw new Error(`${server.name}: ${pending} deliveries never arrived`);
  return latencies;
}

/**
 * 100 writers each send {@link ACK_ROUNDS} updates, one at a time, and time each from send to
 * the acknowledgement that covers it.
 *
 * @param {Server} server
 * @param {string} room
 * @returns {Promise<number[]>}
 */
async function acknowledgements(server, room) {
  /** @type {number[]} */
  const latencies = [];
  await Promise.all(
    Array.from({ length: ACK_WRITERS }, async () => {
      const doc = new Y.Doc();
      /** @type {(clock: number) => void} */
      let onAck = () => {};
      const socket = await connect(server, room, {
        acks: true,
        onAck: (clocks) => onAck(clocks.get(doc.clientID) ?? 0),
      });
      for (let round = 0; round < ACK_ROUNDS; round++) {
        const acked = new Promise((resolve) => {
          onAck = (clock) => {
            if (clock >= round + 1) resolve(undefined);
          };
        });
        const started = performance.now();
        doc.getMap('acks').set('round', round);
        socket.send(updateMessage(Y.encodeStateAsUpdate(doc)));
        await acked;
        latencies.push(performance.now() - started);
      }
      socket.close();
    }),
  );
  return latencies;
}

/**
 * Fills `room` with a 4 MB document in messages under the size limit, then connects
 * {@link JOINERS} clients at once and times each until it holds the whole document.
 *
 * @param {Server} server
 * @param {string} room
 * @returns {Promise<number[]>}
 */
async function joinStorm(server, room) {
  const doc = new Y.Doc();
  const writer = await connect(server, room, {});
  const chunk = 'x'.repeat(512 * 1024);
  for (let written = 0; written < DOCUMENT_BYTES; written += chunk.length) {
    const before = Y.encodeStateVector(doc);
    doc.getArray('blobs').push([chunk]);
    writer.send(updateMessage(Y.encodeStateAsUpdate(doc, before)));
  }
  // A reader that receives everything shows the writes are in the room.
  const expected = DOCUMENT_BYTES;
  await connect(server, room, { whole: expected }).then((socket) => socket.close());
  writer.close();

  return Promise.all(
    Array.from({ length: JOINERS }, async () => {
      const started = performance.now();
      const socket = await connect(server, room, { whole: expected });
      const elapsed = performance.now() - started;
      socket.close();
      return elapsed;
    }),
  );
}

/** @param {Uint8Array} update */
function updateMessage(update) {
  const message = encoding.createEncoder();
  encoding.writeVarUint(message, 0);
  encoding.writeVarUint(message, 2);
  encoding.writeVarUint8Array(message, update);
  return encoding.toUint8Array(message);
}

/**
 * Opens a raw y-websocket connection. `onUpdate` counts the document updates relayed, in order;
 * `onAck` receives Kura's acknowledgements (offered with `acks`); with `whole`, the promise
 * settles only once the server's answer to our empty state vector holds at least that many
 * bytes.
 *
 * @param {Server} server
 * @param {string} room
 * @param {{ onUpdate?: (index: number) => void, acks?: boolean,
 *   onAck?: (clocks: Map<number, number>) => void, whole?: number }} options
 * @returns {Promise<WebSocket>}
 */
function connect(server, room, options) {
  return new Promise((resolve, reject) => {
    const query = server.token === undefined ? '' : `?token=${server.token}`;
    const protocols = options.acks ? ['kura-ack'] : [];
    const socket = new WebSocket(`${server.url}/${room}${query}`, protocols);
    const doc = options.whole === undefined ? undefined : new Y.Doc();
    let received = 0;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (/** @type {Buffer} */ data) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      const type = decoding.readVarUint(decoder);
      if (type === 100) {
        const clocks = new Map();
        const entries = decoding.readVarUint(decoder);
        for (let i = 0; i < entries; i++) {
          clocks.set(decoding.readVarUint(decoder), decoding.readVarUint(decoder));
        }
        options.onAck?.(clocks);
        return;
      }
      if (type !== 0) return;
      const step = decoding.readVarUint(decoder);
      if (step === 0 && doc !== undefined) {
        // Answer the server's state vector with ours, so that a server waiting for it goes on.
        socket.send(updateMessage(Y.encodeStateAsUpdate(doc)));
      }
      // Step 1 answers our state vector with the whole document: the client is in sync once it
      // has it. Decoding it is the client's work, not the server's, and is left out: 150
      // decodes of 4 MB in this one process would measure the bench, not the server.
      if (step === 1 && options.whole !== undefined) {
        const update = decoding.readVarUint8Array(decoder);
        if (update.byteLength >= options.whole) resolve(socket);
      } else if (step === 2) {
        options.onUpdate?.(received++);
      }
    });
    socket.once('open', () => {
      if (doc !== undefined) {
        const request = encoding.createEncoder();
        encoding.writeVarUint(request, 0);
        encoding.writeVarUint(request, 0);
        encoding.writeVarUint8Array(request, Y.encodeStateVector(doc));
        socket.send(encoding.toUint8Array(request));
      } else {
        resolve(socket);
      }
    });
    socket.once('error', reject);
  });
}
