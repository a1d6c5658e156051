import { describe, expect, it } from 'vitest';

import { add, compare, fromScaled } from '../src/decimal.js';
import { LocationTree, VIRTUAL_LOCATION_IDS, VIRTUAL_LOCATIONS } from '../src/location.js';
import type { Location, Move, MoveState, Quant } from '../src/model.js';
import {
  onHandInSnapshot,
  type ProductQuantsSnapshot,
  QuantIndex,
  stockQuantities,
} from '../src/quantities.js';
import { planWarehouse } from '../src/warehouse.js';
import { codeOf, seededRandom, shuffled } from './support.js';

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

  it('QTY5 counts a done move given once at both ends and every scope above them', () => {
    const index = new QuantIndex(TREE, places);
    index.applyDone(move({ quantity: '12.5', destinationId: 'wh/stock/a/1' }));

    expect(index.size).toBe(1);
    expect(index.onHand('beans', 'wh/stock/a/1')).toBe('12.5');
    expect(index.onHand('beans', 'wh/stock/a')).toBe('12.5');
    expect(index.onHand('beans', WH)).toBe('12.5');
    expect(index.onHand('beans', VENDORS)).toBe('-12.5');
    expect(index.onHand('beans', 'partners')).toBe('-12.5');
    expect(index.onHand('beans', 'wh/stock/b')).toBe('0');
    expect(index.onHand('tea', WH)).toBe('0');
  });

  it.each([1, 7, 99])(
    'QTY5 gives the same quants and in-dates whatever order the done moves come in (seed %i)',
    (seed) => {
      const done = randomLedger(seed, 300).filter(({ state }) => state === 'done');
      const random = seededRandom(seed);
      const placesOf = (productId: string) => PRODUCT_PLACES[productId] ?? 0;
      const reference = new QuantIndex(TREE, placesOf);
      for (const item of done) reference.applyDone(item);

      for (let order = 0; order < 4; order++) {
        const index = new QuantIndex(TREE, placesOf);
        for (const item of shuffled(done, random)) {
          index.applyDone(item);
          // Questions in between switch a product to keeping its sums move by move.
          if (random() < 0.05) index.onHand(item.productId, WH);
        }

        const where = `seed ${seed}, order ${order}`;
        expect(index.size, where).toBe(done.length);
        for (const productId of Object.keys(PRODUCT_PLACES)) {
          expect(index.quants(productId), where).toEqual(reference.quants(productId));
          for (const scopeId of SCOPES) {
            expect(index.onHand(productId, scopeId), where).toBe(
              reference.onHand(productId, scopeId),
            );
          }
        }
        expect(index.negativeQuants(), where).toEqual(reference.negativeQuants());
      }
    },
  );

  it('QTY5 refuses a move that is not done, since only facts are counted', () => {
    const index = new QuantIndex(TREE, places);
    const planned = move({ state: 'assigned' });

    expect(codeOf(() => index.applyDone(planned))).toBe('quant-move-not-done');
    expect(codeOf(() => index.revertDone(planned))).toBe('quant-move-not-done');
    expect(index.size).toBe(0);
    expect(index.takeChanged()).toEqual([]);
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

  it.each([3, 42])(
    'QTY7 restores from its rows through JSON with the same answers everywhere (seed %i)',
    (seed) => {
      const placesOf = (productId: string) => PRODUCT_PLACES[productId] ?? 0;
      const index = new QuantIndex(TREE, placesOf);
      for (const item of randomLedger(seed, 400)) {
        if (item.state === 'done') index.applyDone(item);
      }
      index.onHand('p1', WH);

      const rows = Object.keys(PRODUCT_PLACES).map((productId) => index.productSnapshot(productId));
      const saved = JSON.parse(JSON.stringify(rows)) as ProductQuantsSnapshot[];
      const restored = QuantIndex.restore(saved, TREE, placesOf);

      expect(restored.negativeQuants()).toEqual(index.negativeQuants());
      for (const row of saved) {
        const { productId } = row;
        expect(restored.quants(productId)).toEqual(index.quants(productId));
        expect(restored.productSnapshot(productId)).toEqual(index.productSnapshot(productId));
        for (const quant of index.quants(productId)) {
          const { locationId, lotId } = quant;
          expect(restored.quant(productId, locationId, lotId)).toEqual(quant);
        }
        for (const scopeId of SCOPES) {
          const answer = index.onHand(productId, scopeId);
          expect(restored.onHand(productId, scopeId), `${productId} in ${scopeId}`).toBe(answer);
          expect(onHandInSnapshot(row, scopeId), `${productId} in ${scopeId}`).toBe(answer);
        }
      }
    },
  );

  it('QTY7 answers on hand from a row alone, as the index does', () => {
    const index = new QuantIndex(TREE, places);
    index.applyDone(move({ quantity: '2.25', destinationId: 'wh/stock/a/1', date: 5 }));
    index.applyDone(move({ quantity: '1', sourceId: 'wh/stock/a/1', destinationId: CUSTOMERS }));
    index.applyDone(move({ quantity: '7', destinationId: 'wh/stock/b' }));
    index.applyDone(move({ quantity: '7', sourceId: 'wh/stock/b', destinationId: CUSTOMERS }));

    const row = index.productSnapshot('beans');
    expect(row?.onHand).toEqual({
      'wh/stock/a/1': 125,
      'wh/stock/a': 125,
      [STOCK]: 125,
      [WH]: 125,
      [VENDORS]: -925,
      partners: -125,
      [CUSTOMERS]: 800,
    });
    for (const scopeId of [...SCOPES, 'toString', '__proto__']) {
      expect(onHandInSnapshot(row as ProductQuantsSnapshot, scopeId)).toBe(
        index.onHand('beans', scopeId),
      );
    }
    expect(index.productSnapshot('tea')).toBeUndefined();
  });

  it('QTY7 lists the products changed since it was last asked, and all after a new tree', () => {
    const index = new QuantIndex(TREE, (productId) => (productId === 'broken' ? -1 : 2));
    expect(index.takeChanged()).toEqual([]);

    index.applyDone(move({ productId: 'beans' }));
    index.applyDone(move({ productId: 'tea' }));
    index.applyDone(move({ productId: 'beans', sourceId: STOCK, destinationId: CUSTOMERS }));
    expect(() => index.applyDone(move({ productId: 'rice', quantity: 'lots' }))).toThrow(
      RangeError,
    );
    expect(() => index.applyDone(move({ productId: 'broken' }))).toThrow(RangeError);
    expect(index.takeChanged().sort()).toEqual(['beans', 'tea']);
    expect(index.takeChanged()).toEqual([]);

    const counted = move({ productId: 'tea', quantity: '3' });
    index.applyDone(counted);
    index.onHand('beans', WH);
    expect(index.takeChanged()).toEqual(['tea']);
    index.revertDone(counted);
    expect(index.takeChanged()).toEqual(['tea']);
    expect(index.productSnapshot('rice')).toBeUndefined();

    index.setTree(new LocationTree(LOCATIONS));
    expect(index.takeChanged().sort()).toEqual(['beans', 'tea']);

    const rows = ['beans', 'tea'].map((productId) => index.productSnapshot(productId));
    const restored = QuantIndex.restore(rows as ProductQuantsSnapshot[], TREE, places);
    expect(restored.takeChanged()).toEqual([]);
    expect(restored.size).toBe(0);
    expect(restored.onHand('tea', WH)).toBe('1');
  });

  it('QTY7 refuses rows it cannot read', () => {
    const row = {
      productId: 'beans',
      places: 2,
      quants: [{ locationId: STOCK, scaled: 100, inDate: 5, firstDate: 5 }],
      onHand: { [STOCK]: 100, [WH]: 100 },
    };
    const quant = row.quants[0];
    const broken: unknown[][] = [
      [null],
      [{ ...row, productId: 7 }],
      [{ ...row, places: 16 }],
      [{ ...row, places: 1.5 }],
      [{ ...row, quants: undefined }],
      [{ ...row, onHand: null }],
      [{ ...row, quants: [null] }],
      [{ ...row, quants: [{ ...quant, locationId: undefined }] }],
      [{ ...row, quants: [{ ...quant, scaled: 0.5 }] }],
      [{ ...row, quants: [{ ...quant, inDate: '5' }] }],
      [{ ...row, quants: [{ ...quant, firstDate: undefined }] }],
      [{ ...row, quants: [quant, quant] }],
      [
        {
          ...row,
          quants: [
            { ...quant, lotId: 'L1' },
            { ...quant, lotId: 'L1' },
          ],
        },
      ],
      [row, row],
    ];

    expect(QuantIndex.restore([row], TREE, places).onHand('beans', WH)).toBe('1');
    for (const rows of broken) {
      expect(
        codeOf(() => QuantIndex.restore(rows as ProductQuantsSnapshot[], TREE, places)),
        JSON.stringify(rows),
      ).toBe('quant-snapshot-invalid');
    }
  });

  it('QTY8 counts a quantity finer than the unit exactly instead of rounding it', () => {
    const index = new QuantIndex(TREE, () => 0);
    index.applyDone(move({ quantity: '3' }));
    index.onHand('beans', WH);
    index.applyDone(move({ quantity: '0.125' }));
    index.applyDone(move({ quantity: '.001' }));

    expect(index.onHand('beans', WH)).toBe('3.126');
    expect(index.onHand('beans', VENDORS)).toBe('-3.126');
    expect(index.quant('beans', STOCK)?.quantity).toBe('3.126');
    expect(index.productSnapshot('beans')?.places).toBe(3);
  });

  it('QTY8 refuses quantities it cannot count exactly, and units with impossible places', () => {
    const index = new QuantIndex(TREE, () => 2);
    const refused = [
      '',
      '5.',
      '1..2',
      '-',
      'abc',
      '1e3',
      '0.0000000000000001',
      '90071992547409.93',
    ];

    for (const quantity of refused) {
      expect(() => index.applyDone(move({ quantity })), quantity).toThrow(RangeError);
    }
    index.applyDone(move({ quantity: '90071992547409.91' }));
    expect(() => index.applyDone(move({ quantity: '0.001' }))).toThrow(RangeError);
    expect(index.onHand('beans', WH)).toBe('90071992547409.91');
    expect(() => new QuantIndex(TREE, () => -1).applyDone(move({}))).toThrow(RangeError);
    expect(() => new QuantIndex(TREE, () => 16).applyDone(move({}))).toThrow(RangeError);
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
/** Every location as a scope, and one that the tree does not know. */
const SCOPES = [...TREE.locations().map(({ id }) => id), 'wh/limbo'];

function randomLedger(seed: number, size: number, tree = TREE): Move[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const places = tree
    .locations()
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

describe('quant index against the ledger', () => {
  const seeds = [1, 2, 3, 42, 1234, 20_240_611, 987_654_321];
  const placesOf = (productId: string) => PRODUCT_PLACES[productId] ?? 0;

  it.each(seeds)('QTY10 agrees with stockQuantities on hand for seed %i', (seed) => {
    const moves = randomLedger(seed, 400);
    const done = moves.filter(({ state }) => state === 'done');
    const random = seededRandom(seed ^ 0x5eed);

    const inOrder = new QuantIndex(TREE, placesOf);
    for (const item of done) inOrder.applyDone(item);
    const scrambled = new QuantIndex(TREE, placesOf);
    for (const item of shuffled(done, random)) scrambled.applyDone(item);
    // Half the ledger, saved and restored, then the other half.
    const half = new QuantIndex(TREE, placesOf);
    const order = shuffled(done, random);
    const middle = Math.floor(order.length / 2);
    for (const item of order.slice(0, middle)) half.applyDone(item);
    const rows = Object.keys(PRODUCT_PLACES).flatMap((id) => half.productSnapshot(id) ?? []);
    const saved = JSON.parse(JSON.stringify(rows)) as ProductQuantsSnapshot[];
    const restored = QuantIndex.restore(saved, TREE, placesOf);
    for (const item of order.slice(middle)) restored.applyDone(item);

    for (const productId of Object.keys(PRODUCT_PLACES)) {
      for (const scopeId of SCOPES) {
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
      expect(restored.quants(productId)).toEqual(inOrder.quants(productId));
    }
    expect(scrambled.size).toBe(done.length);
    expect(scrambled.negativeQuants()).toEqual(inOrder.negativeQuants());
  });

  it.each(seeds)('QTY10 agrees with stockQuantities at a past instant for seed %i', (seed) => {
    const moves = randomLedger(seed, 300);
    const at = 500;
    const index = new QuantIndex(TREE, placesOf);
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

  it('QTY10 agrees with stockQuantities in a warehouse of many bins', () => {
    const aisles: Location[] = Array.from({ length: 12 }, (_, aisle) => ({
      id: `wh/stock/aisle-${aisle}`,
      name: `Aisle ${aisle}`,
      usage: 'internal',
      parentId: STOCK,
    }));
    const bins: Location[] = Array.from({ length: 600 }, (_, bin) => ({
      id: `wh/stock/aisle-${bin % 12}/bin-${bin}`,
      name: `Bin ${bin}`,
      usage: 'internal',
      parentId: `wh/stock/aisle-${bin % 12}`,
    }));
    const tree = new LocationTree([...LOCATIONS, ...aisles, ...bins]);
    const moves = randomLedger(77, 3000, tree);
    const index = new QuantIndex(tree, placesOf);
    for (const item of moves) {
      if (item.state === 'done') index.applyDone(item);
    }

    const scopes = [WH, STOCK, VENDORS, ...aisles.map(({ id }) => id), ...bins.map(({ id }) => id)];
    for (const productId of Object.keys(PRODUCT_PLACES)) {
      for (const scopeId of scopes) {
        const expected = stockQuantities(moves, productId, scopeId, tree).onHand;
        expect(compare(index.onHand(productId, scopeId), expected), scopeId).toBe(0);
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
    const kept: Move = { ...mine, quantity: '5', date: 2 };
    index.applyDone(mine);
    index.revertDone(mine);
    index.applyDone(kept);

    expect(index.onHand('bolts', 'wh')).toBe('5');
    expect(index.onHand('bolts', VIRTUAL_LOCATION_IDS.inventory)).toBe('-5');
    expect(index.quant('bolts', 'wh/stock')).toMatchObject({ quantity: '5', inDate: 1 });
    expect(index.size).toBe(1);
  });
});
