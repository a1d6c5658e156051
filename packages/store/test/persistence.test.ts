// IndexedDB for Node, installed before Dexie and the store look for it.
import 'fake-indexeddb/auto';

import { describe, expect, it } from 'vitest';

import { ledgerPeriod, openWorkspace } from '../src/index.js';
import {
  answersOf,
  dropProjections,
  freshId,
  NOVEMBER,
  OCTOBER,
  open,
  outdateProjections,
  persistedQuantRows,
  receiveLateMove,
  reopen,
  seed,
} from './persistence.js';
import { exchange } from './replicas.js';

describe('persisted projections', () => {
  it('LED4 answers on hand from the saved quants and opens no period nobody wrote to', async () => {
    const id = freshId();
    const { seeded, answers } = await seed(id);
    expect(answers.onHand).toEqual(['25', '25', '380', '380']);

    const { workspace, firstAnswer, periods } = await reopen(id, seeded);
    expect(firstAnswer).toBe('380');
    expect(periods).toEqual([]);
    expect(await answersOf(workspace, seeded)).toEqual(answers);
    await workspace.destroy();
  });

  it('LED5 opens the one period another replica filed a late move in, and counts it', async () => {
    const id = freshId();
    const { seeded } = await seed(id);

    const { workspace, firstAnswer, periods } = await receiveLateMove(id, seeded);
    expect(firstAnswer).toBe('380');
    expect(periods).toEqual([ledgerPeriod(OCTOBER)]);
    expect(workspace.stock.onHand(seeded.bolts, seeded.view)).toBe('387');
    expect(workspace.stock.onHand(seeded.beans, seeded.view)).toBe('25');
    await workspace.destroy();

    const restored = await reopen(id, seeded);
    expect(restored.firstAnswer).toBe('387');
    expect(restored.periods).toEqual([]);
    await restored.workspace.destroy();
  });

  it('LED6 derives lost or outdated projections again from every period', async () => {
    const id = freshId();
    const { seeded, answers } = await seed(id);

    await dropProjections(id);
    const rebuilt = await reopen(id, seeded);
    expect(rebuilt.firstAnswer).toBe('380');
    expect(rebuilt.periods.sort()).toEqual([ledgerPeriod(OCTOBER), ledgerPeriod(NOVEMBER)]);
    expect(await answersOf(rebuilt.workspace, seeded)).toEqual(answers);
    await rebuilt.workspace.destroy();
    expect(await persistedQuantRows(id)).toBe(2);

    await outdateProjections(id);
    const again = await reopen(id, seeded);
    expect(again.periods).toHaveLength(2);
    expect(await answersOf(again.workspace, seeded)).toEqual(answers);
    await again.workspace.destroy();

    const restored = await reopen(id, seeded);
    expect(restored.periods).toEqual([]);
    await restored.workspace.destroy();
  });

  it('LED7 takes back a saved version of a fact that another replica replaced', async () => {
    const id = freshId();
    const alice = open(id);
    await alice.loaded;
    const warehouse = alice.catalog.createWarehouse({
      code: 'WH',
      receptionSteps: 1,
      deliverySteps: 1,
    });
    const shelf = warehouse.stockLocationId;
    const view = warehouse.viewLocationId;
    const bolts = alice.catalog.createProduct({ name: 'Hex bolt M8' }).id;
    alice.stock.receive({ productId: bolts, quantity: 10, locationId: shelf, date: OCTOBER });
    const count = alice.stock.recordCount({ productId: bolts, locationId: shelf, counted: '12' });

    // Bob receives the count, books 5 more, then applies it: his version takes 3 out.
    const bob = openWorkspace({ workspace: id, user: 'bob', persist: false });
    await bob.loaded;
    exchange(alice, bob);
    bob.stock.receive({ productId: bolts, quantity: 5, locationId: shelf, date: OCTOBER });
    bob.stock.applyCount(count.id, { confirmOutdated: true });
    expect(bob.stock.onHand(bolts, view)).toBe('12');

    // Alice applies it too, offline: her version adds 2, and is saved with the quants.
    alice.stock.applyCount(count.id);
    expect(alice.stock.onHand(bolts, view)).toBe('12');
    await alice.destroy();

    const again = open(id);
    await again.loaded;
    exchange(bob, again);
    await again.stock.settled();
    exchange(again, bob);
    const expected = bob.stock.onHand(bolts, view);
    // 15 received; then the count's version that the document keeps: Bob's -3 or Alice's +2.
    expect(['12', '17']).toContain(expected);
    expect(again.stock.onHand(bolts, view)).toBe(expected);
    expect(again.stock.quants(bolts)).toEqual(bob.stock.quants(bolts));
    await again.destroy();

    const restored = open(id);
    expect(await restored.stock.readOnHand(bolts, view)).toBe(expected);
    await restored.loaded;
    expect(restored.stock.quants(bolts)).toEqual(bob.stock.quants(bolts));
    await Promise.all([restored.destroy(), bob.destroy()]);
  });
});
