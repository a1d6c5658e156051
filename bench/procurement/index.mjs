// Procurement at scale: 10,000 products with reorder rules over a year of generated sales, the
// proposals of every rule computed at once (what each scheduler tick checks), the run that orders
// them all into the vendor's draft, the run after one delivery, and the trace of a lot that
// 10,000 deliveries took downstream, as the store answers it.
import { performance } from 'node:perf_hooks';

import { VIRTUAL_LOCATION_IDS } from '@kura/domain';
import { openWorkspace } from '@kura/store';
import { median } from '../support.mjs';

/** @typedef {import('../../scripts/bench.mjs').Figure} Figure */

const PRODUCTS = Number(process.env.KURA_BENCH_PRODUCTS ?? 10_000);
const SALES_PER_PRODUCT = 52;
const TRACED_DELIVERIES = 10_000;
const RUNS = 5;
const TRACE_RUNS = 15;
const YEAR_START = Date.UTC(2026, 0, 1);
const NOW = Date.UTC(2026, 11, 31);

/**
 * @param {(line: string) => void} log
 * @returns {Promise<Record<string, Figure>>}
 */
export default async function run(log) {
  /** @type {Record<string, Figure>} */
  const figures = {};
  // The scheduler is run by hand here, so that each figure times one run.
  const workspace = openWorkspace({
    workspace: 'bench-procurement',
    persist: false,
    scheduler: false,
  });
  await workspace.loaded;
  const warehouse = workspace.catalog.createWarehouse({
    code: 'WH',
    receptionSteps: 1,
    deliverySteps: 1,
  });
  const stock = warehouse.stockLocationId;
  const vendor = workspace.catalog.createPartner({
    name: 'Bench Supplies',
    vendor: true,
    address: { city: 'Leeds' },
  }).id;
  const bought = {
    buy: true,
    vendors: [{ partnerId: vendor, price: '2', minQuantity: '0', leadDays: 2 }],
  };

  // A year: each product received in bulk, then sold weekly; three in five end below their
  // minimum.
  let started = performance.now();
  /** @type {string[]} */
  const products = [];
  for (let i = 0; i < PRODUCTS; i++) {
    const product = workspace.catalog.createProduct({ name: `Product ${i + 1}`, ...bought }).id;
    products.push(product);
    workspace.replenishment.createReorderRule({
      productId: product,
      locationId: stock,
      minimum: 20,
      maximum: 100,
      multiple: 10,
      leadDays: 3,
    });
  }
  /** @type {import('@kura/store').DoneMoveDraft[]} */
  const year = [];
  for (const [i, product] of products.entries()) {
    year.push({
      productId: product,
      quantity: 190 + (i % 20),
      sourceId: VIRTUAL_LOCATION_IDS.vendors,
      destinationId: stock,
      date: YEAR_START,
    });
    for (let week = 0; week < SALES_PER_PRODUCT; week++) {
      year.push({
        productId: product,
        quantity: 3 + ((i + week) % 2),
        sourceId: stock,
        destinationId: VIRTUAL_LOCATION_IDS.customers,
        date: YEAR_START + (week + 1) * 7 * 86_400_000,
      });
    }
  }
  for (let at = 0; at < year.length; at += 10_000) {
    workspace.stock.recordMoves(year.slice(at, at + 10_000));
    await Promise.resolve();
  }
  log(
    `${PRODUCTS} products and rules, ${year.length} done moves in ` +
      `${Math.round(performance.now() - started)} ms`,
  );

  // What every tick checks: every rule's proposal.
  let proposals = workspace.replenishment.proposals(NOW);
  const fullRuns = [];
  for (let i = 0; i < RUNS; i++) {
    started = performance.now();
    proposals = workspace.replenishment.proposals(NOW);
    fullRuns.push(performance.now() - started);
  }
  if (proposals.length === 0) throw new Error('the scheduler proposed nothing');
  figures['scheduler-full-run'] = {
    value: median(fullRuns),
    unit: 'ms',
    target: 500,
    better: 'lower',
  };
  log(`a run proposes ${proposals.length} orders for ${PRODUCTS} rules`);

  // The run that orders them all: one line each in the vendor's draft purchase order.
  started = performance.now();
  const ordered = workspace.replenishment.run(NOW);
  figures['scheduler-order-all'] = {
    value: performance.now() - started,
    unit: 'ms',
    better: 'lower',
  };
  const lines = workspace.operations.orders('purchase').flatMap((order) => order.lines).length;
  if (ordered.length !== proposals.length || lines !== proposals.length) {
    throw new Error(`ordered ${ordered.length} proposals into ${lines} lines`);
  }
  if (workspace.replenishment.proposals(NOW).length > 0) throw new Error('ordered twice');
  log(`the run that orders them writes ${lines} lines in the vendor's draft`);

  // After one delivery: the scheduler's run for the product it touched, all that can change.
  const incremental = [];
  for (let i = 0; i < RUNS; i++) {
    const product = products[products.length - 1 - i] ?? '';
    workspace.stock.deliver({ productId: product, quantity: 1, locationId: stock });
    started = performance.now();
    workspace.replenishment.run(NOW, [product]);
    incremental.push(performance.now() - started);
  }
  figures['scheduler-after-delivery'] = {
    value: median(incremental),
    unit: 'ms',
    target: 5,
    better: 'lower',
  };

  // The trace of a lot received once and delivered 10,000 times.
  const traced = workspace.catalog.createProduct({ name: 'Traced beans', tracking: 'lot' }).id;
  const lot = workspace.stock.createLot({ productId: traced, name: 'L-1' });
  workspace.stock.receive({
    productId: traced,
    quantity: TRACED_DELIVERIES,
    locationId: stock,
    lotId: lot.id,
    date: YEAR_START,
  });
  /** @type {import('@kura/store').DoneMoveDraft[]} */
  const deliveries = [];
  for (let i = 0; i < TRACED_DELIVERIES; i++) {
    deliveries.push({
      productId: traced,
      quantity: 1,
      sourceId: stock,
      destinationId: VIRTUAL_LOCATION_IDS.customers,
      lotId: lot.id,
      date: YEAR_START + 86_400_000 + i * 60_000,
      origin: `delivery-${i}`,
    });
  }
  workspace.stock.recordMoves(deliveries);
  await Promise.resolve();
  const moves = await workspace.stock.lotMoves(lot.id);
  // Steady state: the median of many runs; the first, before the code is optimised, is logged.
  // Each run reads the lot's moves from the store and draws the whole graph.
  const traces = [];
  let edges = 0;
  for (let i = 0; i < TRACE_RUNS; i++) {
    started = performance.now();
    edges = (await workspace.operations.traceLot(lot.id, 'downstream')).edges.length;
    traces.push(performance.now() - started);
  }
  if (edges < TRACED_DELIVERIES) throw new Error(`the trace has only ${edges} edges`);
  figures['trace-10k-downstream'] = {
    value: median(traces),
    unit: 'ms',
    target: 50,
    better: 'lower',
  };
  log(
    `the trace of a lot with ${moves.length} moves has ${edges} edges; first run ` +
      `${Math.round(traces[0] ?? 0)} ms, median of ${TRACE_RUNS} runs ` +
      `${Math.round(median(traces))} ms`,
  );

  await workspace.destroy();
  return figures;
}
