import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';

import {
  DomainError,
  VIRTUAL_LOCATION_IDS,
  type Product,
  type Resolution,
  type Warehouse,
} from '@kura/domain';

import { ledgerMoves, ledgerPeriod, lotId, StoreError, type Workspace } from '../src/index.js';
import { exchange, Replicas, syncAll } from './replicas.js';

const replicas = new Replicas();
let alice: Workspace;
let warehouse: Warehouse;
let beans: Product;
let phone: Product;
let bolts: Product;

beforeEach(async () => {
  alice = replicas.open('alice');
  await alice.loaded;
  warehouse = alice.catalog.createWarehouse({ code: 'WH', receptionSteps: 1, deliverySteps: 1 });
  beans = alice.catalog.createProduct({ name: 'Arabica coffee beans 1 kg', tracking: 'lot' });
  phone = alice.catalog.createProduct({ name: 'Phone', tracking: 'serial' });
  bolts = alice.catalog.createProduct({ name: 'Bolts' });
});

afterEach(() => replicas.destroy());

/** Every document's state vector, to prove that a refused command wrote nothing. */
function states(workspace: Workspace): string[] {
  return workspace
    .openDocuments()
    .sort()
    .map((name) => `${name}:${Y.encodeStateVector(workspace.document(name as 'stock'))}`);
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError || error instanceof StoreError) return error.code;
    throw error;
  }
  return undefined;
}

/** Plans, confirms and reserves a shipment of bolts from the warehouse's stock location. */
function reserveShipment(replica: Workspace, quantity: number) {
  const move = replica.stock.planMove({
    productId: bolts.id,
    quantity,
    sourceId: warehouse.stockLocationId,
    destinationId: VIRTUAL_LOCATION_IDS.customers,
  });
  replica.stock.confirmMove(move.id);
  return replica.stock.reserveMove(move.id);
}

/** Alice and Bob each ship the last bolt while apart, then sync: stock ends at -1. */
function shipLastBoltApart(bob: Workspace): void {
  const stock = warehouse.stockLocationId;
  alice.stock.receive({ productId: bolts.id, quantity: 1, locationId: stock });
  syncAll([alice, bob]);
  alice.stock.deliver({ productId: bolts.id, quantity: 1, locationId: stock });
  bob.stock.deliver({ productId: bolts.id, quantity: 1, locationId: stock });
  syncAll([alice, bob]);
}

/** @returns The first resolution of that kind that the replica's conflicts offer. */
function offered<K extends Resolution['kind']>(replica: Workspace, kind: K) {
  return replica.stock
    .conflicts()
    .flatMap((conflict) => conflict.resolutions)
    .find((resolution): resolution is Extract<Resolution, { kind: K }> => resolution.kind === kind);
}

describe('done moves', () => {
  it('STK1 files a receipt in the period of its date and raises the quantity on hand', () => {
    const date = Date.UTC(2026, 10, 20);
    const stock = warehouse.stockLocationId;
    alice.stock.receive({
      productId: bolts.id,
      quantity: 2,
      unitId: 'dozen',
      locationId: stock,
      date,
    });

    expect(alice.stock.onHand(bolts.id, stock)).toBe('24');
    expect(alice.stock.onHand(bolts.id, warehouse.viewLocationId)).toBe('24');
    expect(ledgerMoves(alice.document(ledgerPeriod(date) as 'stock'))).toMatchObject([
      { quantity: '24', entered: { quantity: '2', unitId: 'dozen' }, state: 'done', date },
    ]);
    expect(ledgerPeriod(date)).toBe('ledger-2026-11');
  });

  it('STK2 refuses to ship more than is available and writes nothing', () => {
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 3, locationId: stock });
    const before = states(alice);

    expect(
      codeOf(() => alice.stock.deliver({ productId: bolts.id, quantity: 4, locationId: stock })),
    ).toBe('stock-insufficient');
    expect(states(alice)).toEqual(before);
    alice.stock.deliver({ productId: bolts.id, quantity: 3, locationId: stock });
    expect(alice.stock.onHand(bolts.id, stock)).toBe('0');
  });

  it('STK3 validates every command before writing: each refusal has its code', () => {
    const stock = warehouse.stockLocationId;
    const before = states(alice);
    const receive = (draft: object) => () =>
      alice.stock.receive({ productId: bolts.id, quantity: 1, locationId: stock, ...draft });

    expect(codeOf(receive({ productId: 'nope' }))).toBe('product-unknown');
    expect(codeOf(receive({ locationId: 'nowhere' }))).toBe('move-location-unknown');
    expect(codeOf(receive({ quantity: 0 }))).toBe('move-quantity-not-positive');
    expect(codeOf(receive({ quantity: -2 }))).toBe('move-quantity-not-positive');
    expect(codeOf(receive({ unitId: 'kg' }))).toBe('unit-category-mismatch');
    expect(codeOf(receive({ productId: beans.id }))).toBe('move-lot-required');
    const serial = alice.stock.createLot({ productId: phone.id, name: 'SN-1' });
    expect(codeOf(receive({ productId: phone.id, lotId: serial.id, quantity: 2 }))).toBe(
      'move-serial-quantity',
    );
    expect(codeOf(() => alice.stock.createLot({ productId: beans.id, name: ' ' }))).toBe(
      'lot-name-empty',
    );
    expect(codeOf(() => alice.stock.createLot({ productId: phone.id, name: 'SN-1' }))).toBe(
      'lot-name-taken',
    );
    expect(codeOf(() => alice.stock.createLot({ productId: bolts.id, name: 'L1' }))).toBe(
      'lot-product-untracked',
    );
    const withoutLot = states(alice).filter((state) => !state.startsWith('stock:'));
    expect(withoutLot).toEqual(before.filter((state) => !state.startsWith('stock:')));
  });

  it('STK14 lists the done moves of a lot across periods, by date, for its trace', async () => {
    const stock = warehouse.stockLocationId;
    const lot = alice.stock.createLot({ productId: beans.id, name: 'L-7' });
    const october = Date.UTC(2026, 9, 2);
    const november = Date.UTC(2026, 10, 9);
    const beansOf = { productId: beans.id, locationId: stock, lotId: lot.id };
    alice.stock.receive({ ...beansOf, quantity: 9, date: november });
    alice.stock.deliver({ ...beansOf, quantity: 4, date: october });
    alice.stock.receive({ productId: bolts.id, quantity: 9, locationId: stock, date: october });

    const moves = await alice.stock.lotMoves(lot.id);
    expect(moves.map((move) => [move.date, move.quantity, move.destinationId])).toEqual([
      [october, '4', VIRTUAL_LOCATION_IDS.customers],
      [november, '9', stock],
    ]);
    expect(await alice.stock.lotMoves('lot:none')).toEqual([]);
  });

  it('STK4 counts a move dated in an older period on every replica', () => {
    const bob = replicas.open('bob');
    syncAll([alice, bob]);
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 10, locationId: stock });
    const weeksAgo = Date.now() - 60 * 86_400_000;
    bob.stock.receive({ productId: bolts.id, quantity: 5, locationId: stock, date: weeksAgo });

    syncAll([alice, bob]);

    for (const replica of [alice, bob]) {
      expect(replica.stock.onHand(bolts.id, stock)).toBe('15');
      expect(replica.stock.periods()).toContain(ledgerPeriod(weeksAgo));
    }
  });
});

describe('open moves and reservation', () => {
  it('STK5 books a move once when two replicas validate it while apart', () => {
    const bob = replicas.open('bob');
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 5, locationId: stock });
    const move = reserveShipment(alice, 3);
    syncAll([alice, bob]);

    alice.stock.validateMove(move.id);
    bob.stock.validateMove(move.id);
    syncAll([alice, bob]);

    for (const replica of [alice, bob]) {
      expect(replica.stock.onHand(bolts.id, stock)).toBe('2');
      expect(replica.stock.openMoves()).toEqual([]);
      expect(replica.stock.conflicts()).toEqual([]);
    }
  });

  it('STK5 reserves the first expiring lot, validates line by line and closes the move', () => {
    const stock = warehouse.stockLocationId;
    const late = alice.stock.createLot({
      productId: beans.id,
      name: 'L-LATE',
      removeOn: '2027-06-01',
    });
    const soon = alice.stock.createLot({
      productId: beans.id,
      name: 'L-SOON',
      removeOn: '2027-01-01',
    });
    alice.catalog.updateProduct(beans.id, { removal: 'fefo' });
    alice.stock.receive({ productId: beans.id, quantity: 4, locationId: stock, lotId: late.id });
    alice.stock.receive({ productId: beans.id, quantity: 3, locationId: stock, lotId: soon.id });

    const move = alice.stock.planMove({
      productId: beans.id,
      quantity: 5,
      sourceId: stock,
      destinationId: VIRTUAL_LOCATION_IDS.customers,
    });
    expect(codeOf(() => alice.stock.validateMove(move.id))).toBe('move-transition-forbidden');
    alice.stock.confirmMove(move.id);
    expect(codeOf(() => alice.stock.validateMove(move.id))).toBe('move-not-reserved');
    const reserved = alice.stock.reserveMove(move.id);

    expect(reserved.state).toBe('assigned');
    expect(reserved.reservation?.lines).toEqual([
      { locationId: stock, lotId: soon.id, quantity: '3' },
      { locationId: stock, lotId: late.id, quantity: '2' },
    ]);
    expect(alice.stock.quantities(beans.id, stock)).toMatchObject({
      onHand: '7',
      reserved: '5',
      available: '2',
      outgoing: '5',
      forecast: '2',
    });

    const done = alice.stock.validateMove(move.id);
    expect(done.map((line) => [line.lotId, line.quantity])).toEqual([
      [soon.id, '3'],
      [late.id, '2'],
    ]);
    expect(alice.stock.openMoves()).toEqual([]);
    expect(alice.stock.onHand(beans.id, stock)).toBe('2');
  });

  it('STK6 holds a partial reservation and leaves the move confirmed', () => {
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 2, locationId: stock });
    const move = alice.stock.planMove({
      productId: bolts.id,
      quantity: 5,
      sourceId: stock,
      destinationId: VIRTUAL_LOCATION_IDS.customers,
    });
    alice.stock.confirmMove(move.id);

    const partial = alice.stock.reserveMove(move.id);

    expect(partial.state).toBe('confirmed');
    expect(partial.reservation?.lines).toEqual([
      { locationId: stock, lotId: undefined, quantity: '2' },
    ]);
    expect(alice.stock.unreserveMove(move.id).reservation).toBeUndefined();
  });
});

describe('lots and counts', () => {
  it('STK7 gives a lot an id derived from product and name, so replicas create one record', () => {
    const bob = replicas.open('bob');
    syncAll([alice, bob]);

    const fromAlice = alice.stock.createLot({
      productId: beans.id,
      name: 'L-42',
      expiresOn: '2027-03-01',
    });
    const fromBob = bob.stock.createLot({ productId: beans.id, name: 'L-42' });
    syncAll([alice, bob]);

    expect(fromAlice.id).toBe(lotId(beans.id, 'L-42'));
    expect(fromBob.id).toBe(fromAlice.id);
    expect(alice.stock.lots(beans.id)).toEqual(bob.stock.lots(beans.id));
    expect(alice.stock.lots(beans.id)).toHaveLength(1);
  });

  it('STK8 applies a count as one move for the difference', () => {
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 10, locationId: stock });
    const count = alice.stock.recordCount({ productId: bolts.id, locationId: stock, counted: '7' });

    const outcome = alice.stock.applyCount(count.id);

    expect(outcome.kind).toBe('move');
    expect(alice.stock.onHand(bolts.id, stock)).toBe('7');
    expect(alice.stock.onHand(bolts.id, VIRTUAL_LOCATION_IDS.inventory)).toBe('3');
    expect(codeOf(() => alice.stock.applyCount(count.id))).toBe('count-closed');
  });

  it('STK9 asks for confirmation of a count that another device made outdated', () => {
    const bob = replicas.open('bob');
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 10, locationId: stock });
    syncAll([alice, bob]);
    const count = alice.stock.recordCount({
      productId: bolts.id,
      locationId: stock,
      counted: '10',
    });
    bob.stock.deliver({ productId: bolts.id, quantity: 4, locationId: stock });
    syncAll([alice, bob]);

    expect(alice.stock.applyCount(count.id)).toMatchObject({ kind: 'outdated', current: '6' });
    expect(alice.stock.onHand(bolts.id, stock)).toBe('6');
    expect(alice.stock.conflicts().map((conflict) => conflict.kind)).toEqual(['outdated-count']);

    alice.stock.applyCount(count.id, { confirmOutdated: true });
    expect(alice.stock.onHand(bolts.id, stock)).toBe('10');
    expect(alice.stock.conflicts()).toEqual([]);
  });
  it('STK9 books a count once when two replicas apply it while apart', () => {
    const bob = replicas.open('bob');
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 10, locationId: stock });
    const count = alice.stock.recordCount({ productId: bolts.id, locationId: stock, counted: '6' });
    syncAll([alice, bob]);

    alice.stock.applyCount(count.id);
    bob.stock.applyCount(count.id);
    syncAll([alice, bob]);

    for (const replica of [alice, bob]) {
      expect(replica.stock.onHand(bolts.id, stock)).toBe('6');
      expect(replica.stock.onHand(bolts.id, VIRTUAL_LOCATION_IDS.inventory)).toBe('4');
    }
  });
});

describe('conflicts after a merge', () => {
  it('STK10 keeps the earlier reservation when two devices reserve the last unit', () => {
    const bob = replicas.open('bob');
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 1, locationId: stock });
    syncAll([alice, bob]);
    const first = reserveShipment(alice, 1);
    const second = reserveShipment(bob, 1);

    syncAll([alice, bob]);

    // The verdict keeps the reservation first in (time, client, move id) order.
    const order = (move: typeof first) => [move.reservation!.at, move.reservation!.client, move.id];
    const [a, b] = [order(first), order(second)];
    const firstWins =
      a[0]! < b[0]! || (a[0] === b[0] && (a[1]! < b[1]! || (a[1] === b[1] && a[2]! < b[2]!)));
    const loser = firstWins ? second : first;
    for (const replica of [alice, bob]) {
      const conflicts = replica.stock.conflicts();
      expect(conflicts.map((conflict) => conflict.kind)).toEqual(['reservation']);
      expect(conflicts[0]?.moveIds).toEqual([loser.id]);
      expect(replica.stock.quantities(bolts.id, stock).reserved).toBe('1');
    }
    expect(alice.stock.conflicts()).toEqual(bob.stock.conflicts());
  });

  it('STK11 shows negative stock when two devices both ship the last unit offline', () => {
    const bob = replicas.open('bob');

    shipLastBoltApart(bob);

    for (const replica of [alice, bob]) {
      expect(replica.stock.onHand(bolts.id, warehouse.stockLocationId)).toBe('-1');
      expect(replica.stock.conflicts()).toMatchObject([{ kind: 'negative-stock', quantity: '-1' }]);
    }
  });

  it('STK12 names a serial number received on two devices', () => {
    const bob = replicas.open('bob');
    syncAll([alice, bob]);
    const stock = warehouse.stockLocationId;
    for (const replica of [alice, bob]) {
      const serial = replica.stock.createLot({ productId: phone.id, name: 'SN-7' });
      replica.stock.receive({
        productId: phone.id,
        quantity: 1,
        locationId: stock,
        lotId: serial.id,
      });
    }

    syncAll([alice, bob]);

    for (const replica of [alice, bob]) {
      expect(replica.stock.conflicts().map((conflict) => conflict.kind)).toEqual([
        'duplicate-serial',
      ]);
    }
  });
});

describe('resolving conflicts', () => {
  const kinds = (replica: Workspace) => replica.stock.conflicts().map((conflict) => conflict.kind);

  it('STK15 settles negative stock with the count it offers, on every replica', () => {
    const bob = replicas.open('bob');
    shipLastBoltApart(bob);
    const count = offered(alice, 'count');

    expect(codeOf(() => alice.stock.resolveConflict(count!))).toBe('resolution-input-missing');
    alice.stock.resolveConflict(count!, { counted: '0' });
    syncAll([alice, bob]);

    for (const replica of [alice, bob]) {
      expect(replica.stock.onHand(bolts.id, warehouse.stockLocationId)).toBe('0');
      expect(kinds(replica)).toEqual([]);
    }
  });

  it('STK15 settles an outdated count by confirming or discarding it', () => {
    const bob = replicas.open('bob');
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 10, locationId: stock });
    syncAll([alice, bob]);
    for (const counted of ['10', '12']) {
      alice.stock.recordCount({ productId: bolts.id, locationId: stock, counted });
    }
    bob.stock.deliver({ productId: bolts.id, quantity: 4, locationId: stock });
    syncAll([alice, bob]);

    const discard = offered(alice, 'discard-count');
    alice.stock.resolveConflict(discard!);
    expect(kinds(alice)).toEqual(['outdated-count']);
    const confirm = offered(alice, 'confirm-count');
    alice.stock.resolveConflict(confirm!);

    expect(kinds(alice)).toEqual([]);
    const state = (id: string | undefined) => alice.stock.counts().find((count) => count.id === id);
    const discarded = state(discard?.countId);
    const applied = state(confirm?.countId);
    expect([discarded?.state, applied?.state]).toEqual(['discarded', 'applied']);
    expect(alice.stock.onHand(bolts.id, stock)).toBe(applied?.counted);
  });

  it('STK15 settles a lost reservation by unreserving the move it names', () => {
    const bob = replicas.open('bob');
    const stock = warehouse.stockLocationId;
    alice.stock.receive({ productId: bolts.id, quantity: 1, locationId: stock });
    syncAll([alice, bob]);
    for (const replica of [alice, bob]) reserveShipment(replica, 1);
    syncAll([alice, bob]);
    const unreserve = offered(bob, 'unreserve');

    bob.stock.resolveConflict(unreserve!);
    syncAll([alice, bob]);

    expect(kinds(alice)).toEqual([]);
    expect(kinds(bob)).toEqual([]);
    expect(alice.stock.quantities(bolts.id, stock).reserved).toBe('1');
  });

  it('STK15 settles a duplicate serial by renaming the unit on one shelf', () => {
    const bob = replicas.open('bob');
    syncAll([alice, bob]);
    const shelf = alice.catalog.createLocation({
      name: 'Shelf B',
      usage: 'internal',
      parentId: warehouse.stockLocationId,
    });
    syncAll([alice, bob]);
    for (const [replica, locationId] of [
      [alice, warehouse.stockLocationId],
      [bob, shelf.id],
    ] as const) {
      const serial = replica.stock.createLot({ productId: phone.id, name: 'SN-7' });
      replica.stock.receive({ productId: phone.id, quantity: 1, locationId, lotId: serial.id });
    }
    syncAll([alice, bob]);
    const rename = offered(alice, 'rename-serial');

    expect(
      codeOf(() => alice.stock.resolveConflict(rename!, { locationId: shelf.id, name: 'SN-7' })),
    ).toBe('resolution-input-missing');
    alice.stock.resolveConflict(rename!, { locationId: shelf.id, name: 'SN-8' });
    syncAll([alice, bob]);

    for (const replica of [alice, bob]) {
      expect(replica.stock.quants(phone.id, warehouse.viewLocationId)).toMatchObject([
        { locationId: warehouse.stockLocationId, lotId: lotId(phone.id, 'SN-7'), quantity: '1' },
        { locationId: shelf.id, lotId: lotId(phone.id, 'SN-8'), quantity: '1' },
      ]);
    }
    // The receipt is corrected: SN-7 and SN-8 were each received once.
    expect(kinds(alice)).toEqual([]);
    expect(kinds(bob)).toEqual([]);
  });
});

describe('initial inventory', () => {
  it('STK13 reports every bad row with its line and applies nothing', async () => {
    alice.catalog.updateProduct(bolts.id, { reference: 'BOLT' });
    const before = alice.stock.onHand(bolts.id, warehouse.stockLocationId);
    const csv = [
      'product,location,lot,quantity,unit',
      'BOLT,WH/Stock,,5,',
      'NOPE,WH/Stock,,5,',
      'BOLT,Atlantis,,5,',
      'BOLT,WH/Stock,,-1,',
      'BOLT,WH/Stock,,1,kg',
    ].join('\n');

    const result = await alice.stock.importInventory(csv);

    expect(result.ok).toBe(false);
    expect(result.ok ? [] : [...new Set(result.errors.map((error) => error.line))]).toEqual([
      3, 4, 5, 6,
    ]);
    expect(alice.stock.onHand(bolts.id, warehouse.stockLocationId)).toBe(before);
  });

  it('STK13 applies a good file as counts into each location', async () => {
    alice.catalog.updateProduct(bolts.id, { reference: 'BOLT' });
    alice.catalog.updateProduct(beans.id, { reference: 'ARB' });
    const csv = 'product,location,lot,quantity,unit\nBOLT,WH/Stock,,2,dozen\nARB,WH/Stock,L1,7,\n';

    expect(await alice.stock.importInventory(csv)).toEqual({ ok: true, applied: 2 });
    expect(alice.stock.onHand(bolts.id, warehouse.stockLocationId)).toBe('24');
    expect(alice.stock.quants(beans.id, warehouse.stockLocationId)).toMatchObject([
      { lotId: lotId(beans.id, 'L1'), quantity: '7' },
    ]);
  });
});

it('STK4 hears remote changes: subscribers run when another replica books a move', () => {
  const bob = replicas.open('bob');
  syncAll([alice, bob]);
  let calls = 0;
  const stop = bob.stock.subscribe(() => calls++);
  alice.stock.receive({ productId: bolts.id, quantity: 1, locationId: warehouse.stockLocationId });

  exchange(alice, bob);
  stop();

  expect(calls).toBeGreaterThan(0);
  expect(bob.stock.onHand(bolts.id, warehouse.stockLocationId)).toBe('1');
});
