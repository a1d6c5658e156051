import { afterEach, describe, expect, it } from 'vitest';

import { lotId, type Workspace } from '../src/index.js';
import { openShop } from './operations.js';
import { Replicas } from './replicas.js';

const replicas = new Replicas();
afterEach(() => replicas.destroy());

/** The ids of a trace's nodes of one kind. */
function nodesOf(graph: { nodes: readonly { kind: string; id: string }[] }, kind: string) {
  return graph.nodes
    .filter((node) => node.kind === kind)
    .map((node) => node.id)
    .sort();
}

/** Validates the only open picking of an order going from `sourceId`. */
function validateFrom(
  workspace: Workspace,
  orderId: string,
  sourceId: string,
  picks?: Parameters<Workspace['operations']['validatePicking']>[1],
) {
  const picking = workspace.operations
    .pickings({ orderId })
    .find((candidate) => candidate.state === 'open' && candidate.sourceId === sourceId);
  if (picking === undefined) throw new Error(`no open picking from ${sourceId}`);
  return workspace.operations.validatePicking(picking.id, picks).picking;
}

describe('from vendor to customer and back', () => {
  // Receive L in three steps, make F from it, deliver F in two steps, take one back: the trace
  // of L lists exactly those documents and partners.
  it('SCN1 traces lot L from a 3-step receipt through F made of it to a return', async () => {
    const workspace = replicas.open('clerk');
    await workspace.loaded;
    const shop = openShop(workspace, { receipt: 3, delivery: 2 });
    const { operations, stock } = workspace;
    const { warehouse } = shop;
    const input = warehouse.inputLocationId ?? '';
    const quality = warehouse.qualityLocationId ?? '';
    const output = warehouse.outputLocationId ?? '';
    const stockId = warehouse.stockLocationId;

    // Buy 10 bags of beans; confirming plans the receipt and the two internal steps after it.
    const purchase = operations.createOrder({
      kind: 'purchase',
      partnerId: shop.vendor,
      lines: [{ productId: shop.beans, quantity: 10 }],
    });
    operations.confirmOrder(purchase.id);
    const planned = operations.pickings({ orderId: purchase.id });
    expect(
      planned.map((picking) => [picking.operation, picking.sourceId, picking.destinationId]),
    ).toEqual(
      expect.arrayContaining([
        ['receipt', 'partners/vendors', input],
        ['quality', input, quality],
        ['internal', quality, stockId],
      ]),
    );
    expect(stock.quantities(shop.beans, stockId).incoming).toBe('10');

    // The clerk names lot L at the dock; it is created there and followed through the steps.
    const [receiptMove] = planned.find((picking) => picking.operation === 'receipt')?.moves ?? [];
    const receipt = validateFrom(workspace, purchase.id, 'partners/vendors', {
      [receiptMove?.id ?? '']: [{ lotName: 'L', quantity: 10 }],
    });
    const lot = lotId(shop.beans, 'L');
    expect(stock.lots(shop.beans).map((candidate) => candidate.id)).toEqual([lot]);
    validateFrom(workspace, purchase.id, input);
    validateFrom(workspace, purchase.id, quality);
    expect(stock.quants(shop.beans, stockId)).toMatchObject([{ lotId: lot, quantity: '10' }]);
    expect(operations.order(purchase.id)?.state).toBe('done');

    // Make 3 gift boxes of lot F from 6 bags of L.
    const made = operations.createManufacturingOrder({ productId: shop.giftBox, quantity: 3 });
    operations.confirmManufacturingOrder(made.id);
    operations.produce(made.id, {
      picks: [{ productId: shop.beans, lotId: lot, quantity: '6', locationId: stockId }],
      producedLot: 'F',
    });
    const finished = lotId(shop.giftBox, 'F');
    expect(stock.onHand(shop.beans, stockId)).toBe('4');
    expect(stock.quants(shop.giftBox, stockId)).toMatchObject([{ lotId: finished, quantity: '3' }]);

    // Sell the 3 boxes; the delivery goes through output, reserved at once.
    const sale = operations.createOrder({
      kind: 'sale',
      partnerId: shop.customer,
      lines: [{ productId: shop.giftBox, quantity: 3 }],
    });
    expect(operations.confirmOrder(sale.id).unplanned).toEqual([]);
    const [pick] = operations
      .pickings({ orderId: sale.id })
      .filter((picking) => picking.sourceId === stockId);
    expect(pick?.moves[0]?.state).toBe('assigned');
    validateFrom(workspace, sale.id, stockId);
    const delivery = validateFrom(workspace, sale.id, output);
    expect(delivery.operation).toBe('delivery');
    expect(operations.order(sale.id)?.state).toBe('done');
    expect(stock.onHand(shop.giftBox, warehouse.viewLocationId)).toBe('0');

    // One box comes back.
    const shipped = delivery.done?.[0];
    const back = operations.returnPicking(delivery.id, [
      { moveId: shipped?.id ?? '', quantity: '1' },
    ]);
    expect(back.moves).toMatchObject([{ sourceId: 'partners/customers', destinationId: output }]);
    operations.validatePicking(back.id);
    expect(stock.quants(shop.giftBox, output)).toMatchObject([{ lotId: finished, quantity: '1' }]);

    const graph = await operations.traceLot(lot, 'both');
    expect(nodesOf(graph, 'document')).toEqual(
      [receipt.id, made.id, delivery.id, back.id].map((id) => `document:${id}`).sort(),
    );
    expect(nodesOf(graph, 'partner')).toEqual(
      [shop.vendor, shop.customer].map((id) => `partner:${id}`).sort(),
    );
    expect(nodesOf(graph, 'lot')).toEqual([`lot:${finished}`, `lot:${lot}`].sort());

    // Upstream: where L came from; its own moves, the one into production among them, and no
    // customer.
    const upstream = await operations.traceLot(lot, 'upstream');
    expect(nodesOf(upstream, 'document')).toEqual(
      [receipt.id, made.id].map((id) => `document:${id}`).sort(),
    );
    expect(nodesOf(upstream, 'partner')).toEqual([`partner:${shop.vendor}`]);
  });
});
