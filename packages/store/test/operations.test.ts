import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';

import { VIRTUAL_LOCATION_IDS } from '@kura/domain';

import { lotId, type PickingWithMoves, type Workspace } from '../src/index.js';
import { codeOf } from '../../domain/test/support.js';
import { openShop, type Shop } from './operations.js';
import { Replicas } from './replicas.js';

const { customers, vendors } = VIRTUAL_LOCATION_IDS;
const replicas = new Replicas();
let workspace: Workspace;

beforeEach(() => fresh());

/** Opens a new workspace, without the reorder scheduler, as the one the tests work in. */
async function fresh(id = 'acme') {
  workspace = replicas.open('clerk', id, { scheduler: false });
  await workspace.loaded;
}

afterEach(() => replicas.destroy());

/** Where each picking goes from and to, sorted. */
function pairs(pickings: readonly PickingWithMoves[]) {
  return pickings.map((picking) => [picking.sourceId, picking.destinationId]).sort();
}

/** The legs of a path of locations, sorted. */
function pathPairs(path: readonly string[]) {
  return path
    .slice(0, -1)
    .map((from, index) => [from, path[index + 1]])
    .sort();
}

function openPicking(orderId: string, sourceId: string): PickingWithMoves {
  const picking = workspace.operations
    .pickings({ orderId })
    .find((candidate) => candidate.state === 'open' && candidate.sourceId === sourceId);
  if (picking === undefined) throw new Error(`no open picking from ${sourceId}`);
  return picking;
}

function sell(shop: Shop, productId: string, quantity: number, extra = {}) {
  const sale = workspace.operations.createOrder({
    kind: 'sale',
    partnerId: shop.customer,
    lines: [{ productId, quantity, ...extra }],
  });
  workspace.operations.confirmOrder(sale.id);
  return sale.id;
}

/** Confirms a purchase of one line from the shop's vendor. */
function buy(shop: Shop, productId: string, quantity: number) {
  const purchase = workspace.operations.createOrder({
    kind: 'purchase',
    partnerId: shop.vendor,
    lines: [{ productId, quantity }],
  });
  workspace.operations.confirmOrder(purchase.id);
  return purchase.id;
}

function stockUp(shop: Shop, productId: string, quantity: number, lot?: string) {
  workspace.stock.receive({
    productId,
    quantity,
    locationId: shop.warehouse.stockLocationId,
    lotId: lot === undefined ? undefined : workspace.stock.ensureLot(productId, lot).id,
  });
}

/** A fingerprint of everything the stock document holds, to prove a refusal wrote nothing. */
function snapshot() {
  return Y.encodeStateVector(workspace.document('stock')).join();
}

describe('sales', () => {
  it('OPS1 plans a sale’s delivery by the warehouse steps, the first leg reserved', async () => {
    for (const steps of [1, 2, 3] as const) {
      await fresh(`delivery-${steps}`);
      const { stock, operations } = workspace;
      const shop = openShop(workspace, { receipt: 1, delivery: steps });
      const { warehouse } = shop;
      stockUp(shop, shop.cups, 5);
      const saleId = sell(shop, shop.cups, 3);

      const path = [
        warehouse.stockLocationId,
        ...(steps === 3 ? [warehouse.packingLocationId ?? ''] : []),
        ...(steps >= 2 ? [warehouse.outputLocationId ?? ''] : []),
        customers,
      ];
      const pickings = operations.pickings({ orderId: saleId });
      expect(pairs(pickings)).toEqual(pathPairs(path));
      expect(pickings.find((picking) => picking.destinationId === customers)?.operation).toBe(
        'delivery',
      );
      const first = openPicking(saleId, warehouse.stockLocationId).moves[0];
      expect(first?.state).toBe('assigned');
      const later = pickings.flatMap((picking) => picking.moves).filter((move) => move !== first);
      expect(later.every((move) => move.state === 'waiting')).toBe(true);
      expect(stock.quantities(shop.cups, warehouse.viewLocationId)).toMatchObject({
        reserved: '3',
        forecast: '2',
      });
    }
  });

  it('OPS1 refuses to confirm an order without lines, and writes nothing', () => {
    const shop = openShop(workspace);
    const empty = workspace.operations.createOrder({ kind: 'sale', partnerId: shop.customer });
    const before = snapshot();

    expect(codeOf(() => workspace.operations.confirmOrder(empty.id))).toBe('order-lines-empty');
    expect(snapshot()).toBe(before);
    expect(workspace.operations.order(empty.id)?.state).toBe('quotation');
  });

  it('OPS3 leaves a backorder for what a partial delivery left, and the order open', async () => {
    const shop = openShop(workspace);
    stockUp(shop, shop.cups, 2);
    const saleId = sell(shop, shop.cups, 5);
    const picking = openPicking(saleId, shop.warehouse.stockLocationId);

    const { backorder } = workspace.operations.validatePicking(picking.id);
    expect(workspace.stock.onHand(shop.cups, shop.warehouse.stockLocationId)).toBe('0');
    expect(backorder?.backorderOf).toBe(picking.id);
    expect(backorder?.moves).toMatchObject([{ quantity: '3', state: 'confirmed' }]);
    expect(workspace.operations.order(saleId)?.state).toBe('sale');

    // The goods arrive: the backorder is reserved by itself and ships the rest.
    stockUp(shop, shop.cups, 3);
    await Promise.resolve();
    expect(
      workspace.operations.pickings().find((p) => p.id === backorder?.id)?.moves[0]?.state,
    ).toBe('assigned');
    workspace.operations.validatePicking(backorder?.id ?? '');
    expect(workspace.operations.order(saleId)?.state).toBe('done');
  });

  it('OPS4 delivers reserved serials and refuses more than reserved, writing nothing', () => {
    const shop = openShop(workspace);
    for (const serial of ['G-1', 'G-2', 'G-3']) stockUp(shop, shop.grinder, 1, serial);
    const saleId = sell(shop, shop.grinder, 2);
    const picking = openPicking(saleId, shop.warehouse.stockLocationId);
    const move = picking.moves[0];
    const serial = (name: string) => ({ lotId: lotId(shop.grinder, name), quantity: 1 });
    const before = snapshot();

    const code = codeOf(() =>
      workspace.operations.validatePicking(picking.id, {
        [move?.id ?? '']: [serial('G-1'), serial('G-2'), serial('G-3')],
      }),
    );
    expect(code).toBe('order-serial-quantity');
    expect(snapshot()).toBe(before);

    const reserved = move?.reservation?.lines.map((line) => line.lotId) ?? [];
    workspace.operations.validatePicking(picking.id, {
      [move?.id ?? '']: reserved.map((id) => ({ lotId: id, quantity: 1 })),
    });
    expect(workspace.stock.quants(shop.grinder, shop.warehouse.stockLocationId)).toHaveLength(1);
  });

  it('OPS5 takes back what was delivered, never more, chained to the delivery', () => {
    const shop = openShop(workspace);
    stockUp(shop, shop.beans, 4, 'L-7');
    const saleId = sell(shop, shop.beans, 4);
    const { picking } = workspace.operations.validatePicking(
      openPicking(saleId, shop.warehouse.stockLocationId).id,
    );
    const shipped = picking.done?.[0];

    expect(
      codeOf(() =>
        workspace.operations.returnPicking(picking.id, [
          { moveId: shipped?.id ?? '', quantity: '5' },
        ]),
      ),
    ).toBe('return-exceeds-delivered');
    const back = workspace.operations.returnPicking(picking.id, [
      { moveId: shipped?.id ?? '', quantity: '3' },
    ]);
    expect(back.moves).toMatchObject([
      {
        quantity: '3',
        sourceId: customers,
        lotId: lotId(shop.beans, 'L-7'),
        chainedFrom: [shipped?.id],
      },
    ]);
    expect(
      codeOf(() =>
        workspace.operations.returnPicking(picking.id, [
          { moveId: shipped?.id ?? '', quantity: '2' },
        ]),
      ),
    ).toBe('return-exceeds-delivered');
    workspace.operations.validatePicking(back.id);
    expect(workspace.stock.onHand(shop.beans, shop.warehouse.stockLocationId)).toBe('3');
  });
});

describe('purchases', () => {
  it('OPS2 receives a purchase by the receipt steps and creates its lots at the dock', async () => {
    for (const steps of [1, 2, 3] as const) {
      await fresh(`receipt-${steps}`);
      const shop = openShop(workspace, { receipt: steps, delivery: 1 });
      const { warehouse } = shop;
      const purchase = buy(shop, shop.beans, 6);
      const receipt = openPicking(purchase, vendors);
      const path = [
        vendors,
        ...(steps >= 2 ? [warehouse.inputLocationId ?? ''] : []),
        ...(steps === 3 ? [warehouse.qualityLocationId ?? ''] : []),
        warehouse.stockLocationId,
      ];
      expect(pairs(workspace.operations.pickings({ orderId: purchase }))).toEqual(pathPairs(path));
      expect(receipt.operation).toBe('receipt');

      const moveId = receipt.moves[0]?.id ?? '';
      expect(codeOf(() => workspace.operations.validatePicking(receipt.id))).toBe(
        'order-lot-required',
      );
      workspace.operations.validatePicking(receipt.id, {
        [moveId]: [
          { lotName: `R${steps}-A`, quantity: 4 },
          { lotName: `R${steps}-B`, quantity: 2 },
        ],
      });
      for (const from of path.slice(1, -1)) {
        workspace.operations.validatePicking(openPicking(purchase, from).id);
      }
      expect(
        workspace.stock
          .quants(shop.beans, warehouse.stockLocationId)
          .map((quant) => [quant.lotId, quant.quantity]),
      ).toEqual([
        [lotId(shop.beans, `R${steps}-A`), '4'],
        [lotId(shop.beans, `R${steps}-B`), '2'],
      ]);
      expect(workspace.operations.order(purchase)?.state).toBe('done');
    }
  });

  it('OPS5 sends a received lot back to the vendor, reserving that lot', () => {
    const shop = openShop(workspace);
    const stockId = shop.warehouse.stockLocationId;
    stockUp(shop, shop.beans, 9, 'OLD');
    const receipt = openPicking(buy(shop, shop.beans, 5), vendors);
    const { picking } = workspace.operations.validatePicking(receipt.id, {
      [receipt.moves[0]?.id ?? '']: [{ lotName: 'BAD', quantity: 5 }],
    });

    const back = workspace.operations.returnPicking(picking.id, [
      { moveId: picking.done?.[0]?.id ?? '', quantity: '2' },
    ]);
    expect(back.moves).toMatchObject([
      { sourceId: stockId, destinationId: vendors, lotId: lotId(shop.beans, 'BAD') },
    ]);
    expect(back.moves[0]?.reservation?.lines).toEqual([
      { locationId: stockId, lotId: lotId(shop.beans, 'BAD'), quantity: '2' },
    ]);
    workspace.operations.validatePicking(back.id);
    expect(
      workspace.stock
        .quants(shop.beans, stockId)
        .map((quant) => [quant.lotId, quant.quantity])
        .sort(),
    ).toEqual(
      [
        [lotId(shop.beans, 'BAD'), '3'],
        [lotId(shop.beans, 'OLD'), '9'],
      ].sort(),
    );
  });

  it('OPS6 collects what is bought from one vendor in one draft until it is confirmed', () => {
    const shop = openShop(workspace);
    workspace.catalog.updateProduct(shop.cups, { procureMethod: 'make-to-order' });
    workspace.catalog.updateProduct(shop.grinder, { procureMethod: 'make-to-order' });
    sell(shop, shop.cups, 3);
    sell(shop, shop.grinder, 1);

    const drafts = workspace.operations.orders('purchase');
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ id: `rfq:${shop.vendor}:0`, state: 'rfq' });
    expect(drafts[0]?.lines.map((line) => [line.productId, line.quantity]).sort()).toEqual(
      [
        [shop.cups, '3'],
        [shop.grinder, '1'],
      ].sort(),
    );
    // The sale's delivery waits for the purchase's receipt.
    expect(workspace.stock.quantities(shop.cups, shop.warehouse.viewLocationId).forecast).toBe(
      '-3',
    );

    workspace.operations.confirmOrder(drafts[0]?.id ?? '');
    sell(shop, shop.cups, 2);
    expect(workspace.operations.orders('purchase').map((order) => order.id)).toEqual([
      `rfq:${shop.vendor}:0`,
      `rfq:${shop.vendor}:1`,
    ]);

    // Receiving the first purchase lets the first sale's delivery go.
    const receipt = openPicking(`rfq:${shop.vendor}:0`, vendors);
    workspace.operations.validatePicking(receipt.id, {
      [receipt.moves.find((move) => move.productId === shop.grinder)?.id ?? '']: [
        { lotName: 'SN-1', quantity: 1 },
      ],
    });
    const deliveries = workspace.operations
      .pickings()
      .filter((picking) => picking.operation === 'delivery' && picking.state === 'open');
    expect(deliveries.flatMap((picking) => picking.moves.map((move) => move.state)).sort()).toEqual(
      ['assigned', 'assigned', 'confirmed'],
    );
  });

  it('OPS6 takes from stock when enough is there, else orders (from stock, else on order)', () => {
    const shop = openShop(workspace);
    workspace.catalog.updateProduct(shop.cups, { procureMethod: 'mts-else-mto' });
    stockUp(shop, shop.cups, 4);

    sell(shop, shop.cups, 3);
    expect(workspace.operations.orders('purchase')).toEqual([]);
    sell(shop, shop.cups, 2);
    expect(workspace.operations.orders('purchase')[0]?.lines).toMatchObject([
      { productId: shop.cups, quantity: '2' },
    ]);
  });
});

describe('manufacturing', () => {
  it('OPS7 plans a manufacturing order for a product made to order; none without a bill', () => {
    const shop = openShop(workspace);
    workspace.catalog.updateProduct(shop.giftBox, { procureMethod: 'make-to-order' });
    const saleId = sell(shop, shop.giftBox, 2);
    const [made] = workspace.operations.manufacturingOrders();
    expect(made).toMatchObject({ productId: shop.giftBox, quantity: '2', state: 'draft' });
    expect(made?.id).toMatch(/^mo:/);

    const mug = workspace.catalog.createProduct({
      name: 'Mug',
      manufacture: true,
      procureMethod: 'make-to-order',
    }).id;
    const sale = workspace.operations.createOrder({
      kind: 'sale',
      partnerId: shop.customer,
      lines: [{ productId: mug, quantity: 1 }],
    });
    const { unplanned } = workspace.operations.confirmOrder(sale.id);
    expect(unplanned).toMatchObject([
      { productId: mug, locationId: shop.warehouse.stockLocationId },
    ]);
    expect(workspace.operations.order(saleId)?.state).toBe('sale');
  });

  it('OPS8 consumes component lots into a finished lot, and refuses what is not on hand', () => {
    const shop = openShop(workspace);
    stockUp(shop, shop.beans, 5, 'L-1');
    const order = workspace.operations.createManufacturingOrder({
      productId: shop.giftBox,
      quantity: 2,
    });
    workspace.operations.confirmManufacturingOrder(order.id);
    const stockId = shop.warehouse.stockLocationId;
    const before = snapshot();
    const pick = (quantity: string) => ({
      productId: shop.beans,
      lotId: lotId(shop.beans, 'L-1'),
      quantity,
      locationId: stockId,
    });

    expect(
      codeOf(() =>
        workspace.operations.produce(order.id, { picks: [pick('6')], producedLot: 'F-1' }),
      ),
    ).toBe('stock-insufficient');
    expect(snapshot()).toBe(before);

    const done = workspace.operations.produce(order.id, { picks: [pick('4')], producedLot: 'F-1' });
    expect(done).toMatchObject({ state: 'done', producedLotId: lotId(shop.giftBox, 'F-1') });
    expect(workspace.stock.onHand(shop.beans, stockId)).toBe('1');
    expect(workspace.stock.quants(shop.giftBox, stockId)).toMatchObject([
      { lotId: lotId(shop.giftBox, 'F-1'), quantity: '2' },
    ]);
  });

  it('OPS8 refuses a bill of materials that contains itself, writing nothing', () => {
    const shop = openShop(workspace);
    const catalog = workspace.document('catalog');
    const before = Y.encodeStateVector(catalog).join();
    const code = codeOf(() =>
      workspace.catalog.updateBom(shop.bom, {
        components: [{ productId: shop.giftBox, quantity: '1', unitId: 'unit' }],
      }),
    );
    expect(code).toBe('bom-cycle');
    expect(Y.encodeStateVector(catalog).join()).toBe(before);
  });
});

describe('routes', () => {
  it('OPS9 plans a rental’s return at its end, and pushes it through the receipt steps', () => {
    const shop = openShop(workspace, { receipt: 3, delivery: 1 });
    const { warehouse } = shop;
    stockUp(shop, shop.cups, 1);
    const end = Date.now() + 7 * 86_400_000;
    const saleId = sell(shop, shop.cups, 1, { rentalEnd: end });
    workspace.operations.validatePicking(openPicking(saleId, warehouse.stockLocationId).id);

    const rental = openPicking(saleId, customers);
    expect(rental).toMatchObject({ operation: 'return', destinationId: warehouse.inputLocationId });
    expect(rental.moves).toMatchObject([{ date: end, quantity: '1' }]);
    workspace.operations.validatePicking(rental.id);
    const check = openPicking(saleId, warehouse.inputLocationId ?? '');
    expect(check).toMatchObject({
      operation: 'quality',
      destinationId: warehouse.qualityLocationId,
    });
    workspace.operations.validatePicking(check.id);
    workspace.operations.validatePicking(openPicking(saleId, warehouse.qualityLocationId ?? '').id);
    expect(workspace.stock.onHand(shop.cups, warehouse.stockLocationId)).toBe('1');
  });

  it('OPS10 refuses a route that loops, and a negative price, writing nothing', () => {
    const shop = openShop(workspace, { receipt: 1, delivery: 2 });
    const { warehouse } = shop;
    const catalog = workspace.document('catalog');
    const before = Y.encodeStateVector(catalog).join();
    const code = codeOf(() =>
      workspace.catalog.createRoute({
        name: 'Back to output',
        sequence: 5,
        appliesTo: ['warehouse'],
        rules: [
          {
            action: 'pull',
            sourceId: warehouse.outputLocationId ?? '',
            destinationId: warehouse.stockLocationId,
            procureMethod: 'make-to-order',
            delayDays: 0,
            operation: 'internal',
            sequence: 1,
          },
        ],
      }),
    );
    expect(code).toBe('route-loop');
    expect(Y.encodeStateVector(catalog).join()).toBe(before);

    const sale = workspace.operations.createOrder({ kind: 'sale', partnerId: shop.customer });
    const stockBefore = snapshot();
    expect(
      codeOf(() =>
        workspace.operations.addOrderLine(sale.id, {
          productId: shop.cups,
          quantity: 1,
          price: -1,
        }),
      ),
    ).toBe('order-price-negative');
    expect(snapshot()).toBe(stockBefore);
  });
});
