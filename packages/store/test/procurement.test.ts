import { afterEach, describe, expect, it } from 'vitest';

import { VIRTUAL_LOCATION_IDS } from '@kura/domain';

import type { Workspace, WorkspaceOptions } from '../src/index.js';
import { openShop, type Shop } from './operations.js';
import { Replicas, syncAll } from './replicas.js';

const replicas = new Replicas();
afterEach(() => replicas.destroy());

const NOW = Date.UTC(2026, 11, 3, 12);

async function open(user: string, options: Omit<WorkspaceOptions, 'workspace'> = {}) {
  const workspace = replicas.open(user, 'acme', { scheduler: false, ...options });
  await workspace.loaded;
  return workspace;
}

/** A rule of the guide's example: minimum 10, maximum 40, multiple 6, for the shop's cups. */
function cupRule(workspace: Workspace, shop: Shop, trigger: 'auto' | 'manual' = 'auto') {
  return workspace.replenishment.createReorderRule({
    productId: shop.cups,
    locationId: shop.warehouse.stockLocationId,
    minimum: 10,
    maximum: 40,
    multiple: 6,
    trigger,
  });
}

function receive(workspace: Workspace, shop: Shop, quantity: number) {
  workspace.stock.receive({
    productId: shop.cups,
    quantity,
    locationId: shop.warehouse.stockLocationId,
  });
}

/** The lines of every draft purchase order, as product and quantity. */
function draftLines(workspace: Workspace) {
  return workspace.operations
    .orders('purchase')
    .filter((order) => order.state === 'rfq')
    .flatMap((order) => order.lines.map((line) => [order.id, line.productId, line.quantity]));
}

describe('ordering what the rules propose', () => {
  it('RPL5 orders a proposal into the vendor draft once; the rule moves on a cycle', async () => {
    const alice = await open('alice');
    const shop = openShop(alice);
    const rule = cupRule(alice, shop, 'manual');
    receive(alice, shop, 8);

    const ordered = alice.replenishment.orderOnce(rule.id, NOW);
    expect(ordered?.proposal).toMatchObject({ id: `proposal:${rule.id}:0`, quantity: '36' });
    expect(ordered?.purchases).toEqual([`rfq:${shop.vendor}:0`]);
    expect(draftLines(alice)).toEqual([[`rfq:${shop.vendor}:0`, shop.cups, '36']]);
    expect(alice.replenishment.reorderRules()[0]?.cycle).toBe(1);
    expect(alice.replenishment.proposals(NOW)).toEqual([]);

    // Confirmed, the purchase is an incoming receipt: still nothing more to order.
    alice.operations.confirmOrder(`rfq:${shop.vendor}:0`);
    expect(alice.stock.quantities(shop.cups, shop.warehouse.stockLocationId).incoming).toBe('36');
    expect(alice.replenishment.proposals(NOW)).toEqual([]);
    expect(alice.replenishment.orderOnce(rule.id, NOW)).toBeUndefined();
  });

  it('RPL5 adds to an open draft, and leaves a rule nothing can supply in its cycle', async () => {
    const alice = await open('alice');
    const shop = openShop(alice);
    const stockId = shop.warehouse.stockLocationId;
    cupRule(alice, shop, 'manual');
    const grinders = alice.replenishment.createReorderRule({
      productId: shop.grinder,
      locationId: stockId,
      minimum: 1,
      maximum: 2,
      trigger: 'manual',
    });
    const orphan = alice.catalog.createProduct({ name: 'Nobody sells this' }).id;
    const stranded = alice.replenishment.createReorderRule({
      productId: orphan,
      locationId: stockId,
      minimum: 1,
      maximum: 5,
      trigger: 'manual',
    });

    for (const rule of alice.replenishment.reorderRules()) {
      if (rule.id !== stranded.id && rule.id !== grinders.id)
        alice.replenishment.orderOnce(rule.id, NOW);
    }
    expect(alice.replenishment.orderOnce(grinders.id, NOW)?.purchases).toEqual([
      `rfq:${shop.vendor}:0`,
    ]);
    expect(
      draftLines(alice)
        .map((line) => line[1])
        .sort(),
    ).toEqual([shop.cups, shop.grinder].sort());

    const nothing = alice.replenishment.orderOnce(stranded.id, NOW);
    expect(nothing?.unplanned).toMatchObject([{ productId: orphan, locationId: stockId }]);
    expect(alice.replenishment.reorderRules().find((rule) => rule.id === stranded.id)?.cycle).toBe(
      0,
    );
    expect(alice.replenishment.proposals(NOW).map((proposal) => proposal.ruleId)).toEqual([
      stranded.id,
    ]);
  });

  it('RPL5 counts the planned receipt steps, so a rule at stock orders once', async () => {
    const alice = await open('alice');
    const shop = openShop(alice, { receipt: 3, delivery: 1 });
    const rule = cupRule(alice, shop, 'manual');

    expect(alice.replenishment.orderOnce(rule.id, NOW)?.moves).toHaveLength(2);
    expect(draftLines(alice)).toEqual([[`rfq:${shop.vendor}:0`, shop.cups, '42']]);
    expect(alice.stock.quantities(shop.cups, shop.warehouse.stockLocationId)).toMatchObject({
      incoming: '42',
      forecast: '42',
    });
    expect(alice.replenishment.proposals(NOW)).toEqual([]);
  });

  it('RPL6 runs only automatic rules; "automate" makes a manual rule one of them', async () => {
    const alice = await open('alice');
    const shop = openShop(alice);
    const manual = cupRule(alice, shop, 'manual');
    receive(alice, shop, 8);

    expect(alice.replenishment.run(NOW)).toEqual([]);
    expect(draftLines(alice)).toEqual([]);
    expect(alice.replenishment.automate(manual.id).trigger).toBe('auto');
    expect(alice.replenishment.run(NOW).map((ordered) => ordered.proposal.quantity)).toEqual([
      '36',
    ]);
    expect(draftLines(alice)).toHaveLength(1);
  });

  it('RPL7 orders by itself when a change, local or remote, lowers the forecast', async () => {
    const alice = await open('alice', { scheduler: {} });
    const bob = await open('bob', { scheduler: false });
    const shop = openShop(alice);
    receive(alice, shop, 12);
    cupRule(alice, shop);
    syncAll([alice, bob]);
    const stockId = shop.warehouse.stockLocationId;

    // Bob runs no scheduler: his delivery lowers the forecast and orders nothing there.
    bob.stock.deliver({ productId: shop.cups, quantity: 4, locationId: stockId });
    await Promise.resolve();
    expect(draftLines(bob)).toEqual([]);

    // Alice's scheduler hears of it when the change reaches her, and orders once.
    syncAll([alice, bob]);
    expect(draftLines(alice)).toEqual([]);
    await Promise.resolve();
    expect(draftLines(alice)).toEqual([[`rfq:${shop.vendor}:0`, shop.cups, '36']]);
    alice.stock.deliver({ productId: shop.cups, quantity: 1, locationId: stockId });
    await Promise.resolve();
    expect(draftLines(alice)).toHaveLength(1);
  });

  it('RPL7 orders on the tick what no change announced, such as a new rule', async () => {
    const alice = await open('alice', { scheduler: { tickMs: 10 } });
    const shop = openShop(alice);
    receive(alice, shop, 8);
    await Promise.resolve();
    cupRule(alice, shop);
    await Promise.resolve();
    expect(draftLines(alice)).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(draftLines(alice)).toEqual([[`rfq:${shop.vendor}:0`, shop.cups, '36']]);
  });
});

describe('replenishment exceptions in the store', () => {
  it('RPL8 shows a made product without a bill of materials until one is added', async () => {
    const alice = await open('alice');
    const shop = openShop(alice);
    const mug = alice.catalog.createProduct({ name: 'Mug', manufacture: true }).id;
    const causes = () =>
      alice.replenishment
        .exceptions(NOW)
        .filter((exception) => exception.productId === mug)
        .map((exception) => exception.cause);

    expect(causes()).toEqual(['missing-bill-of-materials']);
    alice.catalog.createBom({
      productId: mug,
      quantity: '1',
      unitId: 'unit',
      components: [{ productId: shop.cups, quantity: '1', unitId: 'unit' }],
    });
    expect(causes()).toEqual([]);
  });

  it('RPL8 shows a vendor without address and an uncovered shortage until fixed', async () => {
    const alice = await open('alice');
    const shop = openShop(alice);
    const bare = alice.catalog.createPartner({ name: 'No Address Ltd', vendor: true }).id;
    alice.catalog.updateProduct(shop.cups, {
      vendors: [{ partnerId: bare, price: '1', minQuantity: '0', leadDays: 1 }],
    });
    const sale = alice.operations.createOrder({
      kind: 'sale',
      partnerId: shop.customer,
      lines: [{ productId: shop.cups, quantity: 5 }],
    });
    alice.operations.confirmOrder(sale.id);
    const causes = () =>
      alice.replenishment
        .exceptions(NOW)
        .filter((exception) => exception.productId === shop.cups)
        .map((exception) => exception.cause)
        .sort();

    expect(causes()).toEqual(['unreplenished-shortage', 'vendor-without-address']);
    alice.catalog.updatePartner(bare, { address: { street: '2 Mill Lane', city: 'Leeds' } });
    cupRule(alice, shop);
    expect(causes()).toEqual([]);
  });
});

describe('procurement across replicas', () => {
  it('CNV2 ends with one order per rule when partitioned replicas run the scheduler', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const shop = openShop(alice);
    cupRule(alice, shop);
    receive(alice, shop, 8);
    syncAll([alice, bob]);

    expect(alice.replenishment.run(NOW)).toHaveLength(1);
    expect(bob.replenishment.run(NOW)).toHaveLength(1);
    syncAll([alice, bob]);

    for (const workspace of [alice, bob]) {
      expect(draftLines(workspace)).toEqual([[`rfq:${shop.vendor}:0`, shop.cups, '36']]);
      expect(workspace.replenishment.reorderRules()[0]?.cycle).toBe(1);
      expect(workspace.replenishment.proposals(NOW)).toEqual([]);
      expect(workspace.replenishment.run(NOW)).toEqual([]);
    }
  });

  it('CNV3 reserves a sale once when the goods arrive on another replica', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const shop = openShop(alice);
    syncAll([alice, bob]);

    const sale = alice.operations.createOrder({
      kind: 'sale',
      partnerId: shop.customer,
      lines: [{ productId: shop.cups, quantity: 3 }],
    });
    alice.operations.confirmOrder(sale.id);
    receive(bob, shop, 5);
    syncAll([alice, bob]);
    await Promise.resolve();
    syncAll([alice, bob]);

    const view = shop.warehouse.viewLocationId;
    for (const workspace of [alice, bob]) {
      const moves = workspace.stock
        .openMoves()
        .filter((move) => move.destinationId === VIRTUAL_LOCATION_IDS.customers);
      expect(moves.map((move) => move.state)).toEqual(['assigned']);
      expect(workspace.stock.quantities(shop.cups, view)).toMatchObject({
        onHand: '5',
        reserved: '3',
        available: '2',
      });
      expect(workspace.stock.conflicts()).toEqual([]);
    }
  });
});
