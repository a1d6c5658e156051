// The ledger at scale: a million done moves over 10,000 products and 50 internal locations,
// recorded through the store's write path into monthly period documents, then the quantity index
// rebuilt, updated and queried, and the time to a first on-hand answer after a cold start from
// IndexedDB (an in-memory implementation in Node), with the persisted projections and without.
//
// The measuring runs in a child process with a large heap and `--expose-gc`, unless this process
// has them already.
import 'fake-indexeddb/auto';

import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';

import { QuantIndex, VIRTUAL_LOCATION_IDS } from '@kura/domain';
import { forEachLedgerMove, openWorkspace, ProjectionDatabase, randomId } from '@kura/store';
import * as Y from 'yjs';
import { seededRandom } from '../support.mjs';

/** @typedef {import('../../scripts/bench.mjs').Figure} Figure */
/** @typedef {import('@kura/domain').Move} Move */

const MOVES = Number(process.env.KURA_BENCH_MOVES ?? 1_000_000);
const PRODUCTS = 10_000;
const LOCATIONS = 50;
const COMMAND_SAMPLE = 50_000;
const BATCH = 1_000;
const UPDATES = 100_000;
const QUERIES = 1_000_000;
/** Share of the generated moves that are receipts from vendors; the rest are transfers. */
const RECEIPTS = 0.3;
const YEAR_START = Date.UTC(2025, 0, 1);
const YEAR_SPAN = Date.UTC(2026, 0, 1) - YEAR_START;
const HEAP_MB = 8192;
const self = fileURLToPath(import.meta.url);

/**
 * @param {(line: string) => void} log
 * @returns {Promise<Record<string, Figure>>}
 */
export default async function run(log) {
  const heapLimitMb = getHeapStatistics().heap_size_limit / 2 ** 20;
  if (typeof globalThis.gc === 'function' && heapLimitMb >= HEAP_MB * 0.9) return measure(log);

  const child = fork(self, [], {
    execArgv: [`--max-old-space-size=${HEAP_MB}`, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  /** @type {Record<string, Figure> | undefined} */
  let figures;
  /** @type {string | undefined} */
  let failure;
  child.on('message', (/** @type {any} */ message) => {
    if (typeof message.log === 'string') log(message.log);
    if (message.figures !== undefined) figures = message.figures;
    if (typeof message.error === 'string') failure = message.error;
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (failure !== undefined) throw new Error(`the ledger benchmark failed:\n${failure}`);
  if (figures === undefined) throw new Error(`the ledger benchmark's process ended with ${code}`);
  return figures;
}

/**
 * @param {(line: string) => void} log
 * @returns {Promise<Record<string, Figure>>}
 */
async function measure(log) {
  const gc = /** @type {() => void} */ (globalThis.gc);
  const random = seededRandom(0x6b757261);
  /** @type {Record<string, Figure>} */
  const figures = {};

  // Setup: one warehouse, 50 internal locations under its stock location, 10,000 products.
  let started = performance.now();
  const workspace = openWorkspace({ workspace: 'bench-ledger', persist: false });
  const warehouse = workspace.catalog.createWarehouse({
    code: 'WH',
    name: 'Main',
    receptionSteps: 1,
    deliverySteps: 1,
  });
  /** @type {string[]} */
  const locations = [];
  for (let i = 0; i < LOCATIONS; i++) {
    const location = workspace.catalog.createLocation({
      name: `Shelf ${i + 1}`,
      usage: 'internal',
      parentId: warehouse.stockLocationId,
    });
    locations.push(location.id);
  }
  /** @type {string[]} */
  const products = [];
  for (let i = 0; i < PRODUCTS; i++) {
    products.push(workspace.catalog.createProduct({ name: `Product ${i + 1}` }).id);
  }
  log(
    `setup: ${LOCATIONS} locations, ${PRODUCTS} products in ` +
      `${Math.round(performance.now() - started)} ms`,
  );

  const author = { user: 'anonymous', client: workspace.document('stock').clientID };
  /**
   * What a person books for a planned step.
   *
   * @param {ReturnType<typeof plan>} step
   * @returns {import('@kura/store').DoneMoveDraft}
   */
  const draftOf = (step) => ({
    productId: /** @type {string} */ (products[step.product]),
    quantity: String(step.quantity),
    sourceId: locationId(step.source) ?? '',
    destinationId: locationId(step.destination) ?? '',
    date: step.date,
  });
  /**
   * A done move as the ledger stores it, for a planned step.
   *
   * @param {ReturnType<typeof plan>} step
   * @returns {Move}
   */
  const doneMove = (step) => ({
    ...draftOf(step),
    id: randomId(),
    quantity: String(step.quantity),
    state: 'done',
    date: step.date,
    author,
  });
  // What the history should hold: per product and internal location, the units on hand.
  const expected = new Float64Array(PRODUCTS * LOCATIONS);
  const plan = movePlanner(random);

  /**
   * @param {{ product: number; source: number; destination: number; quantity: number }} step
   */
  function expect(step) {
    const row = step.product * LOCATIONS;
    if (step.source >= 0) expected[row + step.source] = at(row + step.source) - step.quantity;
    expected[row + step.destination] = at(row + step.destination) + step.quantity;
  }
  /** @param {number} cell */
  function at(cell) {
    return expected[cell] ?? 0;
  }
  /** @param {number} product */
  function expectedInWarehouse(product) {
    let sum = 0;
    for (let i = 0; i < LOCATIONS; i++) sum += expected[product * LOCATIONS + i] ?? 0;
    return String(sum);
  }
  /** @param {number} index */
  const locationId = (index) => (index < 0 ? VIRTUAL_LOCATION_IDS.vendors : locations[index]);

  gc();
  const heapBefore = process.memoryUsage().heapUsed;

  // 1. One command at a time, the way a person books moves.
  const commands = Math.min(COMMAND_SAMPLE, Math.floor(MOVES / 20));
  const drafts = Array.from({ length: commands }, () => plan());
  started = performance.now();
  for (const step of drafts) {
    const common = {
      productId: /** @type {string} */ (products[step.product]),
      quantity: String(step.quantity),
      date: step.date,
    };
    if (step.source < 0) {
      workspace.stock.receive({ ...common, locationId: locationId(step.destination) ?? '' });
    } else {
      workspace.stock.recordMove({
        ...common,
        sourceId: locationId(step.source) ?? '',
        destinationId: locationId(step.destination) ?? '',
      });
    }
  }
  // The task ends: the directory entry the commands left is written, and counts in the time.
  await Promise.resolve();
  const commandMs = performance.now() - started;
  for (const step of drafts) expect(step);
  drafts.length = 0;
  figures['record-rate'] = {
    value: commands / (commandMs / 1000),
    unit: 'moves/s',
    target: 50_000,
    better: 'higher',
  };
  log(
    `recorded ${commands} moves one command at a time in ${Math.round(commandMs)} ms ` +
      '(in one task: the directory is written once at its end)',
  );

  // The rest of the history in batches, each validated and then written once per period.
  let batchedMs = 0;
  let batched = 0;
  while (commands + batched < MOVES) {
    const count = Math.min(BATCH, MOVES - commands - batched);
    /** @type {import('@kura/store').DoneMoveDraft[]} */
    const batch = [];
    for (let i = 0; i < count; i++) {
      const step = plan();
      expect(step);
      batch.push(draftOf(step));
    }
    started = performance.now();
    workspace.stock.recordMoves(batch);
    // One batch a task, as an import of a day's work would come.
    await Promise.resolve();
    batchedMs += performance.now() - started;
    batched += count;
    if (batched % 200_000 === 0) log(`  ${commands + batched} moves recorded`);
  }
  figures['record-rate-batched'] = {
    value: batched / (batchedMs / 1000),
    unit: 'moves/s',
    target: 50_000,
    better: 'higher',
  };
  log(`recorded ${batched} moves in batches of ${BATCH} in ${Math.round(batchedMs)} ms`);

  // The store's own index saw every move through the ledger's listener.
  for (let i = 0; i < 50; i++) {
    const product = Math.floor(random() * PRODUCTS);
    const answer = workspace.stock.onHand(products[product] ?? '', warehouse.viewLocationId);
    check(answer, expectedInWarehouse(product), 'the store after recording');
  }

  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  figures['heap-per-move'] = {
    value: (heapAfter - heapBefore) / MOVES,
    unit: 'bytes',
    target: 1000,
    better: 'lower',
  };
  log(
    `heap: ${mb(heapBefore)} before the history, ${mb(heapAfter)} after ` +
      "(target 1000 B/move is our own; it counts the Yjs documents and the store's index)",
  );

  // 2. Size of the period documents as stored.
  const periods = workspace
    .openDocuments()
    .filter((name) => name.startsWith('ledger-'))
    .sort();
  /** @type {Map<string, Uint8Array>} */
  const persisted = new Map();
  let ledgerBytes = 0;
  for (const name of periods) {
    const update = Y.encodeStateAsUpdate(
      workspace.document(/** @type {`ledger-${string}`} */ (name)),
    );
    persisted.set(name, update);
    ledgerBytes += update.byteLength;
  }
  for (const name of /** @type {const} */ (['catalog', 'stock'])) {
    persisted.set(name, Y.encodeStateAsUpdate(workspace.document(name)));
  }
  figures['bytes-per-move'] = {
    value: ledgerBytes / MOVES,
    unit: 'bytes',
    target: 150,
    better: 'lower',
  };
  log(
    `${periods.length} period documents, ${mb(ledgerBytes)} in all; ` +
      `catalog ${mb(persisted.get('catalog')?.byteLength ?? 0)}, ` +
      `stock ${mb(persisted.get('stock')?.byteLength ?? 0)}`,
  );

  // 4. A fresh index from every done move in the period documents.
  const tree = workspace.catalog.locationTree();
  const places = () => 0;
  started = performance.now();
  const index = new QuantIndex(tree, places);
  for (const name of periods) {
    const doc = workspace.document(/** @type {`ledger-${string}`} */ (name));
    forEachLedgerMove(doc, (move) => index.applyDone(move));
  }
  const rebuildMs = performance.now() - started;
  if (index.size !== MOVES) throw new Error(`the rebuilt index holds ${index.size} moves`);
  for (let i = 0; i < 200; i++) {
    const product = Math.floor(random() * PRODUCTS);
    const location = Math.floor(random() * LOCATIONS);
    check(
      index.onHand(products[product] ?? '', locations[location] ?? ''),
      String(expected[product * LOCATIONS + location]),
      'the rebuilt index',
    );
    check(
      index.onHand(products[product] ?? '', warehouse.viewLocationId),
      expectedInWarehouse(product),
      'the rebuilt index',
    );
  }
  figures['rebuild-all-quants'] = ms(rebuildMs, 1000);
  log(`rebuilt the quantity index from ${MOVES} moves in ${Math.round(rebuildMs)} ms`);

  // 5. Incremental updates.
  /** @type {Move[]} */
  const fresh = [];
  for (let i = 0; i < UPDATES; i++) {
    const step = plan();
    fresh.push(doneMove(step));
  }
  started = performance.now();
  for (const move of fresh) index.applyDone(move);
  const updateMs = performance.now() - started;
  figures['quant-update'] = {
    value: (updateMs * 1000) / UPDATES,
    unit: 'µs',
    target: 20,
    better: 'lower',
  };
  fresh.length = 0;

  // 6. On-hand queries over products and scopes: each location, the stock location, the view.
  const scopes = [...locations, warehouse.stockLocationId, warehouse.viewLocationId];
  const queryProducts = new Array(QUERIES);
  const queryScopes = new Array(QUERIES);
  for (let i = 0; i < QUERIES; i++) {
    queryProducts[i] = products[Math.floor(random() * PRODUCTS)];
    queryScopes[i] = scopes[Math.floor(random() * scopes.length)];
  }
  let sink = 0;
  started = performance.now();
  for (let i = 0; i < QUERIES; i++) sink += index.onHand(queryProducts[i], queryScopes[i]).length;
  const queryMs = performance.now() - started;
  if (sink === 0) throw new Error('the on-hand queries answered nothing');
  figures['onhand-query'] = {
    value: (queryMs * 1000) / QUERIES,
    unit: 'µs',
    target: 5,
    better: 'lower',
  };
  log(`${QUERIES} on-hand queries in ${Math.round(queryMs)} ms`);

  // 7. Cold starts from IndexedDB. The history goes into a persisted workspace, which counts it
  // and saves its projections when it closes; the history's own workspace goes first.
  const probe = Math.floor(random() * PRODUCTS);
  const probeId = products[probe] ?? '';
  const answer = expectedInWarehouse(probe);
  const view = warehouse.viewLocationId;
  await workspace.destroy();
  gc();

  started = performance.now();
  const stored = openWorkspace({ workspace: 'bench-ledger-cold', persist: true });
  await stored.loaded;
  for (const [name, update] of persisted) {
    Y.applyUpdate(stored.document(/** @type {'catalog'} */ (name)), update);
  }
  await stored.stock.settled();
  check(stored.stock.onHand(probeId, view), answer, 'the persisted workspace');
  await stored.destroy();
  persisted.clear();
  gc();
  log(`stored the history in IndexedDB in ${Math.round(performance.now() - started)} ms`);

  started = performance.now();
  const cold = openWorkspace({ workspace: 'bench-ledger-cold', persist: true });
  check(await cold.stock.readOnHand(probeId, view), answer, 'the first answer');
  const firstMs = performance.now() - started;
  await cold.loaded;
  const loadedMs = performance.now() - started;
  check(cold.stock.onHand(probeId, view), answer, 'the restored quants');
  const opened = cold.openDocuments().filter((name) => name.startsWith('ledger-'));
  if (opened.length > 0) throw new Error(`the cold start opened ${opened.join(', ')}`);
  figures['first-answer'] = ms(firstMs, 300);
  figures['start-restored'] = { value: loadedMs, unit: 'ms', better: 'lower' };
  log(
    `first answer from the persisted quants in ${Math.round(firstMs)} ms; every quant restored ` +
      `and the catalog decoded in ${Math.round(loadedMs)} ms, no period opened`,
  );
  await cold.destroy();
  gc();

  await new ProjectionDatabase('bench-ledger-cold').delete();
  started = performance.now();
  const rebuilt = openWorkspace({ workspace: 'bench-ledger-cold', persist: true });
  check(await rebuilt.stock.readOnHand(probeId, view), answer, 'the decoded ledger');
  const fullMs = performance.now() - started;
  figures['first-answer-full-decode'] = { value: fullMs, unit: 'ms', better: 'lower' };
  log(`first answer without projections, decoding every period, in ${Math.round(fullMs)} ms`);
  await rebuilt.destroy();

  return figures;
}

/**
 * Draws moves: receipts from vendors into a location, and transfers between two locations.
 *
 * @param {() => number} random
 */
function movePlanner(random) {
  return () => {
    const product = Math.floor(random() * PRODUCTS);
    const destination = Math.floor(random() * LOCATIONS);
    let source = -1;
    if (random() >= RECEIPTS) {
      source = Math.floor(random() * (LOCATIONS - 1));
      if (source >= destination) source++;
    }
    const quantity = 1 + Math.floor(random() * 20);
    const date = YEAR_START + Math.floor(random() * YEAR_SPAN);
    return { product, source, destination, quantity, date };
  };
}

/**
 * @param {string} actual
 * @param {string} wanted
 * @param {string} where
 */
function check(actual, wanted, where) {
  if (actual !== wanted) throw new Error(`${where} answered ${actual} instead of ${wanted}`);
}

/**
 * @param {number} value
 * @param {number} target
 * @returns {Figure}
 */
function ms(value, target) {
  return { value, unit: 'ms', target, better: 'lower' };
}

/** @param {number} bytes */
function mb(bytes) {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

if (process.argv[1] === self && typeof process.send === 'function') {
  const send = /** @type {(message: unknown) => boolean} */ (process.send.bind(process));
  measure((line) => send({ log: line })).then(
    (figures) => {
      send({ figures });
      process.disconnect();
    },
    (error) => {
      send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.disconnect();
    },
  );
}
