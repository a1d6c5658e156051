import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';

import { DomainError, stockQuantities, VIRTUAL_LOCATION_IDS, type Product } from '@kura/domain';

import { ledgerMoves, StoreError, type Workspace } from '../src/index.js';
import { seededRandom } from '../../domain/test/support.js';
import { Replicas, sendDocument } from './replicas.js';

// Replicas apply seeded random commands while partitioned, then exchange their documents in a
// random order, each twice. They must end with identical documents, projections and conflict
// lists, and every quant must equal the sum of its done moves.

const SEEDS = process.env['KURA_FUZZ_SEED']
  ? [Number(process.env['KURA_FUZZ_SEED'])]
  : [1, 2, 3, 4, 5];
const OPERATIONS = Number(process.env['KURA_FUZZ_OPS'] ?? 300);
const REPLICAS = Number(process.env['KURA_FUZZ_REPLICAS'] ?? 5);

/** Seeded choices, so that a failing run can be replayed from its seed. */
function generator(seed: number) {
  const next = seededRandom(seed);
  return {
    next,
    int: (max: number) => Math.floor(next() * max),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j] as T, items[i] as T];
      }
      return items;
    },
  };
}

type Random = ReturnType<typeof generator>;

function documentNames(replicas: readonly Workspace[]): string[] {
  return [...new Set(replicas.flatMap((replica) => replica.openDocuments()))].sort();
}

/** Delivers every document of every replica to every other, in a random order, each twice. */
function deliverAll(replicas: readonly Workspace[], random: Random): void {
  const deliveries: [Workspace, Workspace, string][] = [];
  for (const name of documentNames(replicas)) {
    for (const from of replicas) {
      for (const to of replicas)
        if (from !== to) deliveries.push([from, to, name], [from, to, name]);
    }
  }
  for (const [from, to, name] of random.shuffle(deliveries)) sendDocument(from, to, name);
}

function quiet(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    // Commands that the replica's current data refuses are part of the game, not failures.
    if (!(error instanceof DomainError || error instanceof StoreError)) throw error;
  }
}

async function runScenario(seed: number): Promise<void> {
  const random = generator(seed);
  const pool = new Replicas();
  try {
    const replicas = Array.from({ length: REPLICAS }, (_, index) => pool.open(`user-${index}`));
    await Promise.all(replicas.map((replica) => replica.loaded));
    const [first] = replicas as [Workspace];

    const warehouse = first.catalog.createWarehouse({
      code: 'WH',
      receptionSteps: 2,
      deliverySteps: 1,
    });
    const shelf = first.catalog.createLocation({
      name: 'Shelf A',
      usage: 'internal',
      parentId: warehouse.stockLocationId,
    });
    const vendor = first.catalog.createPartner({
      name: 'Vendor',
      vendor: true,
      address: { city: 'Leeds' },
    });
    const bought = {
      buy: true,
      vendors: [{ partnerId: vendor.id, price: '2', minQuantity: '0', leadDays: 1 }],
    };
    const customer = first.catalog.createPartner({ name: 'Customer', customer: true });
    const products: Product[] = [
      first.catalog.createProduct({ name: 'Beans', tracking: 'lot', removal: 'fefo' }),
      first.catalog.createProduct({ name: 'Phone', tracking: 'serial' }),
      first.catalog.createProduct({ name: 'Bolts', ...bought }),
      first.catalog.createProduct({ name: 'Cups', ...bought, procureMethod: 'make-to-order' }),
      first.catalog.createProduct({ name: 'Flour', unitId: 'kg' }),
      first.catalog.createProduct({ name: 'Tape', type: 'consumable' }),
    ];
    for (let round = 0; round < 2; round++) deliverAll(replicas, random);
    const locations = [warehouse.stockLocationId, shelf.id, warehouse.inputLocationId ?? shelf.id];

    // Partitions: each replica syncs only with replicas of its group until the end.
    const groups = replicas.map(() => random.int(2));
    for (let step = 0; step < OPERATIONS; step++) {
      const replica = random.pick(replicas);
      const product = random.pick(products);
      const location = random.pick(locations);
      if (random.int(3) === 0) operateOrders(replica, product, customer.id, random);
      else operate(replica, product, location, random);
      // Now and then the automations (reservations, the reorder scheduler) run.
      if (random.next() < 0.1) await Promise.resolve();

      if (random.next() < 0.05) {
        const from = random.pick(replicas);
        const to = random.pick(replicas);
        if (from !== to && groups[replicas.indexOf(from)] === groups[replicas.indexOf(to)]) {
          for (const name of from.openDocuments()) sendDocument(from, to, name);
        }
      }
    }

    deliverAll(replicas, random);
    deliverAll(replicas, random);
    // What the merge sets off is written alike everywhere, and sent round once more.
    await new Promise((resolve) => setTimeout(resolve, 0));
    deliverAll(replicas, random);
    deliverAll(replicas, random);
    compare(replicas, products, [...locations, warehouse.viewLocationId]);
  } catch (error) {
    throw new Error(`convergence failed with KURA_FUZZ_SEED=${seed}: ${String(error)}`, {
      cause: error,
    });
  } finally {
    await pool.destroy();
  }
}

function operate(replica: Workspace, product: Product, location: string, random: Random): void {
  const stock = replica.stock;
  const quantity = product.tracking === 'serial' ? 1 : 1 + random.int(5);
  const lotFor = () => {
    if (product.tracking === 'none') return undefined;
    const name = product.tracking === 'serial' ? `SN-${random.int(12)}` : `L-${random.int(3)}`;
    const existing = stock.lots(product.id).find((lot) => lot.name === name);
    return (existing ?? stock.createLot({ productId: product.id, name })).id;
  };
  const openMoves = stock.openMoves().filter((move) => move.productId === product.id);

  switch (random.int(9)) {
    case 0:
    case 1:
      quiet(() =>
        stock.receive({ productId: product.id, quantity, locationId: location, lotId: lotFor() }),
      );
      break;
    case 2:
      quiet(() => stock.deliver({ productId: product.id, quantity, locationId: location }));
      break;
    case 3:
      quiet(() => {
        const move = stock.planMove({
          productId: product.id,
          quantity,
          sourceId: location,
          destinationId: VIRTUAL_LOCATION_IDS.customers,
        });
        stock.confirmMove(move.id);
        stock.reserveMove(move.id);
      });
      break;
    case 4:
      if (openMoves.length > 0) quiet(() => stock.validateMove(random.pick(openMoves).id));
      break;
    case 5:
      if (openMoves.length > 0) {
        const move = random.pick(openMoves);
        quiet(() =>
          random.next() < 0.5 ? stock.unreserveMove(move.id) : stock.cancelMove(move.id),
        );
      }
      break;
    case 6:
      quiet(() => {
        const lotId = product.tracking === 'none' ? undefined : lotFor();
        const counted =
          product.tracking === 'serial' ? String(random.int(2)) : String(random.int(8));
        const count = stock.recordCount({
          productId: product.id,
          locationId: location,
          lotId,
          counted,
        });
        if (random.next() < 0.7)
          stock.applyCount(count.id, { confirmOutdated: random.next() < 0.5 });
      });
      break;
    case 7:
      quiet(() =>
        replica.catalog.updateProduct(product.id, { reference: `REF-${random.int(100)}` }),
      );
      break;
    default:
      quiet(() =>
        stock.recordMove({
          productId: product.id,
          quantity,
          sourceId: location,
          destinationId: random.pick([
            VIRTUAL_LOCATION_IDS.customers,
            VIRTUAL_LOCATION_IDS.inventory,
          ]),
          lotId: product.tracking === 'none' ? undefined : lotFor(),
          date: Date.now() - random.int(90) * 86_400_000,
        }),
      );
  }
}

/** Sales, purchases, pickings and reorder rules, as a team works on them. */
function operateOrders(replica: Workspace, product: Product, customer: string, random: Random) {
  const { operations, replenishment } = replica;
  const open = operations.pickings().filter((picking) => picking.state === 'open');
  const done = operations.pickings().filter((picking) => picking.state === 'done');
  const rfqs = operations.orders('purchase').filter((order) => order.state === 'rfq');

  switch (random.int(5)) {
    case 0:
      quiet(() => {
        const sale = operations.createOrder({
          kind: 'sale',
          partnerId: customer,
          lines: [{ productId: product.id, quantity: 1 + random.int(3) }],
        });
        operations.confirmOrder(sale.id);
      });
      break;
    case 1:
      if (open.length > 0) quiet(() => operations.validatePicking(random.pick(open).id));
      break;
    case 2:
      if (rfqs.length > 0) quiet(() => operations.confirmOrder(random.pick(rfqs).id));
      break;
    case 3: {
      const picking = done.length > 0 ? random.pick(done) : undefined;
      const move = picking?.done?.[0];
      if (picking !== undefined && move !== undefined) {
        quiet(() => operations.returnPicking(picking.id, [{ moveId: move.id, quantity: '1' }]));
      }
      break;
    }
    default:
      quiet(() => {
        const stockId = replica.catalog.warehouses()[0]?.stockLocationId ?? '';
        if (replenishment.reorderRules(product.id).length === 0) {
          replenishment.createReorderRule({
            productId: product.id,
            locationId: stockId,
            minimum: 2,
            maximum: 6,
          });
        }
        replenishment.run();
      });
  }
}

/** JSON with object keys sorted, so that two maps with the same entries print the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    const fields = entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A short fingerprint of a long text, so that a failure prints which document differs. */
function digest(text: string): string {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return `${text.length}:${(hash >>> 0).toString(16)}`;
}

function compare(replicas: readonly Workspace[], products: Product[], scopes: string[]): void {
  const names = documentNames(replicas);
  const [reference, ...others] = replicas as [Workspace, ...Workspace[]];
  const snapshot = (replica: Workspace) => ({
    documents: names.map((name) => {
      const doc = replica.document(name as 'stock');
      return `${name} ${Y.encodeStateVector(doc).join(',')} ${digest(canonical(doc.toJSON()))}`;
    }),
    quantities: products.flatMap((product) =>
      scopes.map((scope) => replica.stock.quantities(product.id, scope)),
    ),
    // A quant's in-date is the earliest arrival a replica counted: when two replicas validate
    // one move while apart, each books it at its own time, the ledger keeps one version, and a
    // replica that counted the other one first keeps that earlier date (QuantIndex.revertDone).
    // FIFO orders quants by that date, so they are compared in an order of their own.
    quants: products.map((product) =>
      replica.stock
        .quants(product.id)
        .map(({ inDate: _inDate, ...quant }) => quant)
        .sort((a, b) => canonical(a).localeCompare(canonical(b))),
    ),
    conflicts: replica.stock.conflicts(),
    lots: replica.stock.lots(),
    orders: replica.operations.orders(),
    pickings: replica.operations.pickings(),
    rules: replica.replenishment.reorderRules(),
  });

  const expected = snapshot(reference);
  for (const replica of others) expect(snapshot(replica)).toEqual(expected);

  for (const replica of replicas) {
    const ledger = names
      .filter((name) => name.startsWith('ledger-'))
      .flatMap((name) => ledgerMoves(replica.document(name as 'stock')));
    const tree = replica.catalog.locationTree();
    for (const product of products) {
      for (const quant of replica.stock.quants(product.id)) {
        const moves = ledger.filter(
          (move) => move.productId === product.id && (move.lotId ?? '') === (quant.lotId ?? ''),
        );
        const fromLedger = stockQuantities(moves, product.id, quant.locationId, tree);
        const deeper = replica.stock
          .quants(product.id, quant.locationId)
          .filter((other) => other.locationId !== quant.locationId && other.lotId === quant.lotId);
        if (deeper.length === 0) expect(quant.quantity).toBe(fromLedger.onHand);
      }
      for (const scope of scopes) {
        const fromLedger = stockQuantities(ledger, product.id, scope, tree);
        expect(replica.stock.onHand(product.id, scope)).toBe(fromLedger.onHand);
      }
    }
  }
}

/** The CRM: replicas move cards, insert at one spot, edit and delete stages, win and lose. */
async function runCrmScenario(seed: number): Promise<void> {
  const random = generator(seed);
  const pool = new Replicas();
  try {
    const replicas = Array.from({ length: REPLICAS }, (_, index) => pool.open(`seller-${index}`));
    await Promise.all(replicas.map((replica) => replica.loaded));
    const [first] = replicas as [Workspace];
    const pipeline = first.crm.createPipelineFromTemplate('b2b', 'en');
    for (let i = 0; i < 6; i++) {
      first.crm.createOpportunity({ pipelineId: pipeline.id, title: `Deal ${i}` }, NOW - DAY);
    }
    deliverAll(replicas, random);

    const groups = replicas.map(() => random.int(2));
    for (let step = 0; step < OPERATIONS; step++) {
      operateCrm(random.pick(replicas), pipeline.id, random);
      if (random.next() < 0.05) {
        const from = random.pick(replicas);
        const to = random.pick(replicas);
        if (from !== to && groups[replicas.indexOf(from)] === groups[replicas.indexOf(to)]) {
          sendDocument(from, to, 'crm');
        }
      }
    }

    deliverAll(replicas, random);
    deliverAll(replicas, random);
    const period = { from: NOW - 30 * DAY, to: NOW + 30 * DAY };
    const snapshot = (replica: Workspace) => ({
      document: Y.encodeStateVector(replica.document('crm')).join(','),
      content: digest(canonical(replica.document('crm').toJSON())),
      board: replica.crm.board(pipeline.id),
      kpis: replica.crm.kpis(period, NOW),
      history: replica.crm.history(),
      conflicts: replica.crm.conflicts(),
    });
    const [reference, ...others] = replicas as [Workspace, ...Workspace[]];
    const expected = snapshot(reference);
    for (const replica of others) expect(snapshot(replica)).toEqual(expected);
  } catch (error) {
    throw new Error(`CRM convergence failed with KURA_FUZZ_SEED=${seed}: ${String(error)}`, {
      cause: error,
    });
  } finally {
    await pool.destroy();
  }
}

const NOW = Date.UTC(2026, 11, 3, 12);
const DAY = 86_400_000;

function operateCrm(replica: Workspace, pipelineId: string, random: Random): void {
  const { crm } = replica;
  const stages = crm.stages(pipelineId);
  const cards = crm.opportunities();
  const card = cards.length > 0 ? random.pick(cards) : undefined;
  const stage = stages.length > 0 ? random.pick(stages) : undefined;
  const at = NOW - random.int(20) * DAY;

  switch (random.int(8)) {
    case 0:
      quiet(() =>
        crm.createOpportunity(
          {
            pipelineId,
            title: `Lead ${random.int(1000)}`,
            expectedRevenue: random.int(20_000),
            probability: random.int(101),
            salespersonId: `seller-${random.int(3)}`,
            source: random.pick(['website', 'fair', 'referral']),
          },
          at,
        ),
      );
      break;
    case 1:
    case 2: {
      // Often between the same two cards, so that replicas insert at one spot.
      const column = stage === undefined ? [] : crm.board(pipelineId).columns;
      const there = column.find((entry) => entry.stage.id === stage?.id)?.opportunities ?? [];
      const after = there.length > 0 ? there[0] : undefined;
      if (card !== undefined && stage !== undefined) {
        quiet(() => crm.moveOpportunity(card.id, { stageId: stage.id, afterId: after?.id }, at));
      }
      break;
    }
    case 3:
      if (stage !== undefined) {
        quiet(() =>
          crm.updateStage(stage.id, {
            name: `${stage.name.split(' ')[0] ?? 'Stage'} ${random.int(9)}`,
            folded: random.next() < 0.5,
          }),
        );
      }
      break;
    case 4:
      if (stage !== undefined && random.next() < 0.3) {
        const other = stages.find((candidate) => candidate.id !== stage.id);
        quiet(() => crm.deleteStage(stage.id, { moveTo: other?.id }));
      } else {
        quiet(() => crm.addStage(pipelineId, { name: `Extra ${random.int(9)}` }));
      }
      break;
    case 5:
      if (card !== undefined) quiet(() => crm.markWon(card.id, at));
      break;
    case 6:
      if (card !== undefined) quiet(() => crm.markLost(card.id, 'price', at));
      break;
    default:
      if (card !== undefined) quiet(() => crm.reopen(card.id));
  }
}

describe('convergence', () => {
  for (const seed of SEEDS) {
    const title = `CNV1 converges on ${REPLICAS} replicas: documents, quantities, conflicts`;
    it(`${title} (seed ${seed})`, () => runScenario(seed));
  }
  for (const seed of SEEDS) {
    const title = `CNV4 converges on ${REPLICAS} replicas: boards, KPIs, history, conflicts`;
    it(`${title} (seed ${seed})`, () => runCrmScenario(seed));
  }
});
