import { describe, expect, it } from 'vitest';

import { add, compare, fromScaled } from '../src/decimal.js';
import { LocationTree, VIRTUAL_LOCATION_IDS, VIRTUAL_LOCATIONS } from '../src/location.js';
import type { Location, Move, MoveState, Quant } from '../src/model.js';
import { QuantIndex, stockQuantities, type QuantIndexSnapshot } from '../src/quantities.js';
import { planWarehouse } from '../src/warehouse.js';
import { codeOf, seededRandom } from './support.js';

/** A small seeded generator (mulberry32), so that a failing ledger can be replayed. */

const VENDORS = VIRTUAL_LOCATION_IDS.vendors;
const CUSTOMERS = VIRTUAL_LOCATION_IDS.customers;
const ADJUSTMENT = VIRTUAL_LOCATION_IDS.inventory;

const main = planWarehouse({ id: 'wh', code: 'WH', receptionSteps: 3, deliverySteps: 3 });
const second = planWarehouse({ id: 'wh2', code: 'WH2', receptionSteps: 1, deliverySteps: 1 });
const BINS: Location[] = [
  { id: 'wh/stock/a', name: 'A', usage: 'internal', parentId: 'wh/stock' },
  { id: 'wh/stock/a/1', name: '1', usage: 'internal', parentId: 'wh/stock/a' },
  { id: 'wh/stock/b', name: 'B', usage: 'internal', parentId: 'wh/stock' },
];
const LOCATIONS = [...VIRTUAL_LOCATIONS, ...main.locations, ...second.locations, ...BINS];
const TREE = new LocationTree(LOCATIONS);
const WH = main.warehouse.viewLocationId;
const STOCK = main.warehouse.stockLocationId;
const INPUT = 'wh/input';
const OUTPUT = 'wh/output';

let sequence = 0;
function move(fields: Partial<Move>): Move {
  sequence += 1;
  return {
    id: `m${sequence}`,
    productId: 'beans',
    quantity: '1',
    sourceId: VENDORS,
    destinationId: STOCK,
    state: 'done',
    date: 1000,
    ...fields,
  };
}

describe('stock quantities from the ledger', () => {
  it('QTY1 adds done moves into the scope and subtracts done moves out of it', () => {
    const moves = [
      move({ quantity: '10', sourceId: VENDORS, destinationId: INPUT }),
      move({ quantity: '10', sourceId: INPUT, destinationId: STOCK }),
      move({ quantity: '2.5', sourceId: STOCK, destinationId: 'wh/stock/a/1' }),
      move({ quantity: '3', sourceId: STOCK, destinationId: CUSTOMERS }),
      move({ quantity: '4', productId: 'tea' }),
    ];

    expect(stockQuantities(moves, 'beans', WH, TREE).onHand).toBe('7');
    expect(stockQuantities(moves, 'beans', STOCK, TREE).onHand).toBe('7');
    expect(stockQuantities(moves, 'beans', 'wh/stock/a', TREE).onHand).toBe('2.5');
    expect(stockQuantities(moves, 'beans', INPUT, TREE).onHand).toBe('0');
    expect(stockQuantities(moves, 'beans', VENDORS, TREE).onHand).toBe('-10');
    expect(stockQuantities(moves, 'beans', 'wh2/view', TREE).onHand).toBe('0');
  });

  it('QTY1 counts only done moves dated up to the given instant', () => {
    const moves = [
      move({ quantity: '10', date: 100 }),
      move({ quantity: '4', sourceId: STOCK, destinationId: CUSTOMERS, date: 200 }),
      move({ quantity: '1', date: 300 }),
    ];

    expect(stockQuantities(moves, 'beans', WH, TREE, { at: 99 }).onHand).toBe('0');
    expect(stockQuantities(moves, 'beans', WH, TREE, { at: 200 }).onHand).toBe('6');
    expect(stockQuantities(moves, 'beans', WH, TREE).onHand).toBe('7');
  });

  it('QTY2 counts the reservation lines of open moves that lie in the scope', () => {
    const moves = [
      move({ quantity: '10', destinationId: 'wh/stock/a' }),
      move({ quantity: '5', destinationId: 'wh/stock/b' }),
      move({
        quantity: '6',
        sourceId: STOCK,
        destinationId: OUTPUT,
        state: 'assigned',
        reservation: {
          at: 1,
          client: 1,
          lines: [
            { locationId: 'wh/stock/a', quantity: '4' },
            { locationId: 'wh/stock/b', quantity: '2' },
          ],
        },
      }),
      move({
        quantity: '9',
        sourceId: STOCK,
        destinationId: CUSTOMERS,
        state: 'confirmed',
        reservation: { at: 2, client: 2, lines: [{ locationId: 'wh/stock/a', quantity: '1.5' }] },
      }),
      move({
        quantity: '1',
        sourceId: STOCK,
        destinationId: CUSTOMERS,
        state: 'cancelled',
        reservation: { at: 3, client: 3, lines: [{ locationId: 'wh/stock/a', quantity: '1' }] },
      }),
    ];

    const inStock = stockQuantities(moves, 'beans', STOCK, TREE);
    expect(inStock).toMatchObject({ onHand: '15', reserved: '7.5', available: '7.5' });
    expect(stockQuantities(moves, 'beans', 'wh/stock/b', TREE)).toMatchObject({
      onHand: '5',
      reserved: '2',
      available: '3',
    });
  });

  it('QTY3 counts open moves that cross the scope boundary as incoming or outgoing', () => {
    const moves = [
      move({ quantity: '10' }),
      move({ quantity: '8', sourceId: VENDORS, destinationId: INPUT, state: 'waiting' }),
      move({ quantity: '8', sourceId: INPUT, destinationId: STOCK, state: 'waiting' }),
      move({ quantity: '3', sourceId: STOCK, destinationId: OUTPUT, state: 'assigned' }),
      move({ quantity: '3', sourceId: OUTPUT, destinationId: CUSTOMERS, state: 'confirmed' }),
      move({ quantity: '50', sourceId: VENDORS, destinationId: STOCK, state: 'draft' }),
      move({ quantity: '50', sourceId: VENDORS, destinationId: STOCK, state: 'cancelled' }),
    ];

    expect(stockQuantities(moves, 'beans', WH, TREE)).toEqual({
      onHand: '10',
      reserved: '0',
      available: '10',
      incoming: '8',
      outgoing: '3',
      forecast: '15',
    });
    expect(stockQuantities(moves, 'beans', STOCK, TREE)).toMatchObject({
      incoming: '8',
      outgoing: '3',
      forecast: '15',
    });
    expect(stockQuantities(moves, 'beans', OUTPUT, TREE)).toMatchObject({
      incoming: '3',
      outgoing: '3',
      forecast: '0',
    });
  });

  it('QTY3 forecasts up to an instant with the open moves planned by then', () => {
    const moves = [
      move({ quantity: '10', date: 100 }),
      move({ quantity: '5', state: 'confirmed', date: 500 }),
      move({
        quantity: '7',
        sourceId: STOCK,
        destinationId: CUSTOMERS,
        state: 'waiting',
        date: 300,
      }),
    ];

    expect(stockQuantities(moves, 'beans', WH, TREE, { at: 200 }).forecast).toBe('10');
    expect(stockQuantities(moves, 'beans', WH, TREE, { at: 300 }).forecast).toBe('3');
    expect(stockQuantities(moves, 'beans', WH, TREE, { at: 500 }).forecast).toBe('8');
  });

  it('QTY4 gives a service zero everywhere and adds up a consumable like a storable one', () => {
    const moves = [
      move({ quantity: '3' }),
      move({ quantity: '5', sourceId: STOCK, destinationId: CUSTOMERS }),
      move({ quantity: '2', state: 'confirmed' }),
    ];

    expect(stockQuantities(moves, 'beans', WH, TREE, { type: 'service' })).toEqual({
      onHand: '0',
      reserved: '0',
      available: '0',
      incoming: '0',
      outgoing: '0',
      forecast: '0',
    });
    expect(stockQuantities(moves, 'beans', WH, TREE, { type: 'consumable' })).toMatchObject({
      onHand: '-2',
      forecast: '0',
    });
  });
});

describe('quant index', () => {
  const places = () => 2;

  it('QTY5 counts a done move once however often it is applied', () => {
    const index = new QuantIndex(TREE, places);
    const receipt = move({ quantity: '12.5', destinationId: 'wh/stock/a/1' });

    expect(index.applyDone(receipt)).toBe(true);
    expect(index.applyDone(receipt)).toBe(false);
    expect(index.applyDone({ ...receipt })).toBe(false);
    expect(index.size).toBe(1);
    expect(index.hasApplied(receipt.id)).toBe(true);
    expect(index.hasApplied('other')).toBe(false);
    expect(index.onHand('beans', 'wh/stock/a/1')).toBe('12.5');
    expect(index.onHand('beans', 'wh/stock/a')).toBe('12.5');
    expect(index.onHand('beans', WH)).toBe('12.5');
    expect(index.onHand('beans', VENDORS)).toBe('-12.5');
    expect(index.onHand('beans', 'wh/stock/b')).toBe('0');
    expect(index.onHand('tea', WH)).toBe('0');
  });

  it('QTY5 refuses a move that is not done, since only facts are counted', () => {
    const index = new QuantIndex(TREE, places);

    expect(codeOf(() => index.applyDone(move({ state: 'assigned' })))).toBe('quant-move-not-done');
    expect(index.size).toBe(0);
  });

  it('QTY6 keeps quants per location and lot with the earliest in-date, in any order', () => {
    const moves = [
      move({ quantity: '5', lotId: 'L1', destinationId: 'wh/stock/a', date: 300 }),
      move({ quantity: '2', lotId: 'L1', destinationId: 'wh/stock/a', date: 100 }),
      move({ quantity: '4', lotId: 'L2', destinationId: 'wh/stock/a', date: 200 }),
      move({ quantity: '3', destinationId: 'wh/stock/b', date: 150 }),
      move({ quantity: '4', lotId: 'L2', sourceId: 'wh/stock/a', destinationId: CUSTOMERS }),
    ];
    const forward = new QuantIndex(TREE, places);
    const backward = new QuantIndex(TREE, places);
    for (const item of moves) forward.applyDone(item);
    for (const item of [...moves].reverse()) backward.applyDone(item);

    const expected: Quant[] = [
      { productId: 'beans', locationId: 'wh/stock/a', lotId: 'L1', quantity: '7', inDate: 100 },
      { productId: 'beans', locationId: 'wh/stock/b', quantity: '3', inDate: 150 },
    ];
    expect(forward.quants('beans', STOCK)).toEqual(expected);
    expect(backward.quants('beans', STOCK)).toEqual(expected);
    expect(forward.quant('beans', 'wh/stock/a', 'L2')).toMatchObject({
      quantity: '0',
      inDate: 200,
    });
    expect(forward.quant('beans', 'wh/stock/a')).toBeUndefined();
    expect(forward.quants('beans').map(({ locationId }) => locationId)).toContain(CUSTOMERS);
  });

  it('QTY6 lists negative quants at internal locations as conflicts, and no others', () => {
    const index = new QuantIndex(TREE, places);
    index.applyDone(move({ quantity: '1', productId: 'tea', date: 10 }));
    index.applyDone(
      move({ quantity: '1', productId: 'tea', sourceId: STOCK, destinationId: CUSTOMERS }),
    );
    index.applyDone(
      move({ quantity: '1', productId: 'tea', sourceId: STOCK, destinationId: CUSTOMERS }),
    );
    index.applyDone(
      move({ quantity: '2', sourceId: 'wh/stock/b', destinationId: ADJUSTMENT, date: 50 }),
    );

    expect(index.negativeQuants()).toEqual([
      { productId: 'beans', locationId: 'wh/stock/b', quantity: '-2', inDate: 50 },
      { productId: 'tea', locationId: STOCK, quantity: '-1', inDate: 10 },
    ]);
    expect(index.onHand('tea', WH)).toBe('-1');
  });

  it('QTY7 restores from a snapshot through JSON with the same answers and applied moves', () => {
    const index = new QuantIndex(TREE, places);
    const receipt = move({ quantity: '3.25', lotId: 'L1', destinationId: 'wh/stock/a', date: 5 });
    index.applyDone(receipt);
    index.applyDone(
      move({ quantity: '1', sourceId: 'wh/stock/a', destinationId: CUSTOMERS, lotId: 'L1' }),
    );

    const snapshot = JSON.parse(JSON.stringify(index.snapshot())) as QuantIndexSnapshot;
    const restored = QuantIndex.restore(snapshot, TREE, places);

    expect(restored.snapshot()).toEqual(index.snapshot());
    expect(restored.onHand('beans', WH)).toBe('2.25');
    expect(restored.quants('beans')).toEqual(index.quants('beans'));
    expect(restored.applyDone(receipt)).toBe(false);
    expect(restored.size).toBe(2);
  });

  it('QTY7 refuses a snapshot it cannot read', () => {
    const broken = [
      null,
      { version: 2, applied: [], products: [] },
      { version: 1, products: [] },
      { version: 1, applied: [], products: [{ productId: 'beans', places: 2 }] },
      {
        version: 1,
        applied: [],
        products: [{ productId: 'beans', places: 2, quants: [{ locationId: STOCK, scaled: 0.5 }] }],
      },
    ];

    for (const snapshot of broken) {
      expect(
        codeOf(() => QuantIndex.restore(snapshot as unknown as QuantIndexSnapshot, TREE, places)),
      ).toBe('quant-snapshot-invalid');
    }
  });

  it('QTY8 counts a quantity finer than the unit exactly instead of rounding it', () => {
    const index = new QuantIndex(TREE, () => 0);
    index.applyDone(move({ quantity: '3' }));
    index.applyDone(move({ quantity: '0.125' }));

    expect(index.onHand('beans', WH)).toBe('3.125');
    expect(index.quant('beans', STOCK)?.quantity).toBe('3.125');
    expect(() => new QuantIndex(TREE, () => -1).applyDone(move({}))).toThrow(RangeError);
  });

  it('QTY9 counts a move to a location the tree does not know there alone, until it does', () => {
    const index = new QuantIndex(TREE, places);
    index.applyDone(move({ quantity: '4', destinationId: 'wh/stock/c' }));

    expect(index.onHand('beans', 'wh/stock/c')).toBe('4');
    expect(index.onHand('beans', WH)).toBe('0');

    const grown = new LocationTree([
      ...LOCATIONS,
      { id: 'wh/stock/c', name: 'C', usage: 'internal', parentId: STOCK },
    ]);
    index.setTree(grown);
    expect(index.onHand('beans', WH)).toBe('4');
    expect(index.onHand('beans', STOCK)).toBe('4');
    expect(index.quants('beans', WH)).toHaveLength(1);
  });
});

const STATES: MoveState[] = ['draft', 'waiting', 'confirmed', 'assigned', 'done', 'cancelled'];
const PRODUCT_PLACES: Record<string, number> = { p0: 0, p1: 2, p2: 3, p3: 1 };
/** p3's quantities have two places though its unit counts one, to widen its scale mid-ledger. */
const QUANTITY_PLACES: Record<string, number> = { p0: 0, p1: 2, p2: 3, p3: 2 };

function randomLedger(seed: number, size: number): Move[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const places = TREE.locations()
    .filter(({ usage }) => usage !== 'view')
    .map(({ id }) => id)
    .concat('wh/limbo');
  const products = Object.keys(PRODUCT_PLACES);

  const moves: Move[] = [];
  for (let i = 0; i < size; i++) {
    const productId = pick(products);
    const sourceId = pick(places);
    let destinationId = pick(places);
    if (destinationId === sourceId) destinationId = STOCK === sourceId ? CUSTOMERS : STOCK;
    const state: MoveState = random() < 0.7 ? 'done' : pick(STATES);
    const lotId = random() < 0.4 ? pick(['L1', 'L2']) : undefined;
    const quantityPlaces = QUANTITY_PLACES[productId] ?? 0;
    const scaled = 1 + Math.floor(random() * 10 ** (quantityPlaces + 2));
    moves.push({
      id: `s${seed}-m${i}`,
      productId,
      quantity: fromScaled(scaled, quantityPlaces),
      sourceId,
      destinationId,
      state,
      date: Math.floor(random() * 1000),
      ...(lotId !== undefined && { lotId }),
    });
  }
  return moves;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe('quant index against the ledger', () => {
  const seeds = [1, 2, 3, 42, 1234, 20_240_611, 987_654_321];

  it.each(seeds)('QTY10 agrees with stockQuantities on hand for seed %i', (seed) => {
    const moves = randomLedger(seed, 400);
    const done = moves.filter(({ state }) => state === 'done');
    const random = seededRandom(seed ^ 0x5eed);
    const placesOf = (productId: string) => PRODUCT_PLACES[productId] ?? 0;

    const inOrder = new QuantIndex(TREE, placesOf);
    for (const item of done) inOrder.applyDone(item);
    const scrambled = new QuantIndex(TREE, placesOf);
    for (const item of shuffled([...done, ...done.slice(0, 150)], random)) {
      scrambled.applyDone(item);
    }
    const restored = QuantIndex.restore(
      JSON.parse(JSON.stringify(scrambled.snapshot())) as QuantIndexSnapshot,
      TREE,
      placesOf,
    );
    for (const item of shuffled(done, random)) restored.applyDone(item);

    const scopes = [...TREE.locations().map(({ id }) => id), 'wh/limbo'];
    for (const productId of Object.keys(PRODUCT_PLACES)) {
      for (const scopeId of scopes) {
        const expected = stockQuantities(moves, productId, scopeId, TREE).onHand;
        const where = `seed ${seed}, ${productId} in ${scopeId}`;
        expect(compare(inOrder.onHand(productId, scopeId), expected), where).toBe(0);
        expect(scrambled.onHand(productId, scopeId), where).toBe(
          inOrder.onHand(productId, scopeId),
        );
        expect(restored.onHand(productId, scopeId), where).toBe(inOrder.onHand(productId, scopeId));

        const sum = scrambled
          .quants(productId, scopeId)
          .reduce((total, { quantity }) => add(total, quantity), '0');
        expect(compare(sum, expected), where).toBe(0);
      }
      expect(scrambled.quants(productId)).toEqual(inOrder.quants(productId));
    }
    expect(scrambled.size).toBe(done.length);
    expect(scrambled.negativeQuants()).toEqual(inOrder.negativeQuants());
  });

  it.each(seeds)('QTY10 agrees with stockQuantities at a past instant for seed %i', (seed) => {
    const moves = randomLedger(seed, 300);
    const at = 500;
    const index = new QuantIndex(TREE, (productId) => PRODUCT_PLACES[productId] ?? 0);
    for (const item of moves) {
      if (item.state === 'done' && item.date <= at) index.applyDone(item);
    }

    for (const productId of Object.keys(PRODUCT_PLACES)) {
      for (const scopeId of [WH, STOCK, 'wh/stock/a', 'wh2/view', VENDORS]) {
        const expected = stockQuantities(moves, productId, scopeId, TREE, { at }).onHand;
        expect(compare(index.onHand(productId, scopeId), expected), `seed ${seed}`).toBe(0);
      }
    }
  });
});

describe('QuantIndex.revertDone', () => {
  it('QTY11 takes back a counted move so that the version the document kept counts instead', () => {
    const tree = new LocationTree([
      ...VIRTUAL_LOCATIONS,
      { id: 'wh', name: 'WH', usage: 'view' },
      { id: 'wh/stock', name: 'Stock', usage: 'internal', parentId: 'wh' },
    ]);
    const index = new QuantIndex(tree, () => 0);
    const mine: Move = {
      id: 'count-c1',
      productId: 'bolts',
      quantity: '3',
      sourceId: VIRTUAL_LOCATION_IDS.inventory,
      destinationId: 'wh/stock',
      state: 'done',
      date: 1,
    };
    const kept: Move = { ...mine, quantity: '5' };
    index.applyDone(mine);

    expect(index.revertDone(mine)).toBe(true);
    expect(index.revertDone(mine)).toBe(false);
    expect(index.applyDone(kept)).toBe(true);
    expect(index.onHand('bolts', 'wh')).toBe('5');
    expect(index.onHand('bolts', VIRTUAL_LOCATION_IDS.inventory)).toBe('-5');
    expect(index.size).toBe(1);
  });
});
