import { describe, expect, it } from 'vitest';

import { VIRTUAL_LOCATION_IDS } from '../src/location.js';
import type { Move, VendorOffer } from '../src/model.js';
import {
  addProcurementLine,
  backorder,
  chooseVendor,
  deliveryStatus,
  draftPurchaseFor,
  orderTotals,
  procurementDraftId,
  PURCHASE_ORDER_TRANSITIONS,
  returnableQuantity,
  returnLines,
  SALE_ORDER_TRANSITIONS,
  transitionOrder,
  validateLinePicks,
  validateOrderLine,
  type OrderLine,
  type PurchaseOrder,
  type SaleOrder,
} from '../src/orders.js';
import { STANDARD_UNITS } from '../src/uom.js';
import { codeOf, productFixture } from './support.js';

const NOW = 1_700_000_000_000;
const STOCK = 'wh/stock';
const CUSTOMERS = VIRTUAL_LOCATION_IDS.customers;

const LINE: OrderLine = {
  id: 'l1',
  productId: 'beans',
  quantity: '3',
  unitId: 'unit',
  price: '12',
};

const QUOTATION: SaleOrder = {
  kind: 'sale',
  id: 'S001',
  partnerId: 'cafe',
  state: 'quotation',
  lines: [LINE],
  date: NOW,
};

const RFQ: PurchaseOrder = {
  kind: 'purchase',
  id: 'P001',
  partnerId: 'roaster',
  state: 'rfq',
  lines: [LINE],
  date: NOW,
};

function delivery(id: string, fields: Partial<Move> = {}): Move {
  return {
    id,
    productId: 'beans',
    quantity: '5',
    sourceId: STOCK,
    destinationId: CUSTOMERS,
    state: 'done',
    origin: 'S001',
    date: NOW,
    ...fields,
  };
}

describe('order lines', () => {
  it('ORD1 normalizes a line and refuses a quantity that is not above zero', () => {
    expect(
      validateOrderLine({ ...LINE, quantity: 2.5, price: '4.00', lotIds: [' a ', '', 'a'] }),
    ).toEqual({ ...LINE, quantity: '2.5', price: '4', lotIds: ['a'] });
    expect(codeOf(() => validateOrderLine({ ...LINE, quantity: '0' }))).toBe(
      'order-quantity-not-positive',
    );
    expect(codeOf(() => validateOrderLine({ ...LINE, quantity: 'three' }))).toBe(
      'order-quantity-not-positive',
    );
  });

  it('ORD1 refuses a negative price or one that is not a number, and keeps a free line', () => {
    expect(codeOf(() => validateOrderLine({ ...LINE, price: '-0.01' }))).toBe(
      'order-price-negative',
    );
    expect(codeOf(() => validateOrderLine({ ...LINE, price: '12,50' }))).toBe(
      'order-price-invalid',
    );
    expect(validateOrderLine({ ...LINE, price: '0' }).price).toBe('0');
  });

  it('ORD1 checks the product and the unit category against the catalog when given', () => {
    const context = {
      products: new Map([['beans', productFixture('beans', { unitId: 'kg' })]]),
      units: STANDARD_UNITS,
    };

    expect(validateOrderLine({ ...LINE, unitId: 'g' }, context).unitId).toBe('g');
    expect(codeOf(() => validateOrderLine({ ...LINE, unitId: 'dozen' }, context))).toBe(
      'order-unit-category',
    );
    expect(codeOf(() => validateOrderLine({ ...LINE, unitId: 'bushel' }, context))).toBe(
      'unit-unknown',
    );
    expect(codeOf(() => validateOrderLine({ ...LINE, productId: 'tea' }, context))).toBe(
      'order-product-unknown',
    );
  });
});

describe('order states', () => {
  it('ORD2 allows exactly the listed steps of sale and purchase orders', () => {
    expect(SALE_ORDER_TRANSITIONS).toEqual({
      quotation: ['sale', 'cancelled'],
      sale: ['done', 'cancelled'],
      done: [],
      cancelled: [],
    });
    expect(PURCHASE_ORDER_TRANSITIONS).toEqual({
      rfq: ['purchase', 'cancelled'],
      purchase: ['done', 'cancelled'],
      done: [],
      cancelled: [],
    });
  });

  it('ORD2 confirms an order with lines, records when, and leaves the old one untouched', () => {
    const sale = transitionOrder(QUOTATION, 'sale', NOW + 5);
    expect(sale).toEqual({ ...QUOTATION, state: 'sale', confirmedAt: NOW + 5 });
    expect(QUOTATION.state).toBe('quotation');

    const purchase = transitionOrder(RFQ, 'purchase', NOW + 7);
    expect(purchase.state).toBe('purchase');
    expect(transitionOrder(purchase, 'done', NOW + 9)).toMatchObject({
      state: 'done',
      confirmedAt: NOW + 7,
    });
  });

  it('ORD2 refuses to confirm an order without lines', () => {
    expect(codeOf(() => transitionOrder({ ...QUOTATION, lines: [] }, 'sale', NOW))).toBe(
      'order-lines-empty',
    );
    expect(codeOf(() => transitionOrder({ ...RFQ, lines: [] }, 'purchase', NOW))).toBe(
      'order-lines-empty',
    );
    expect(transitionOrder({ ...RFQ, lines: [] }, 'cancelled', NOW).state).toBe('cancelled');
  });

  it('ORD2 refuses to confirm an order with a negative price written by another replica', () => {
    const bad = { ...QUOTATION, lines: [{ ...LINE, price: '-1' }] };
    expect(codeOf(() => transitionOrder(bad, 'sale', NOW))).toBe('order-price-negative');
  });

  it('ORD2 refuses forbidden steps, naming both states', () => {
    expect(codeOf(() => transitionOrder(QUOTATION, 'done', NOW))).toBe('order-transition-invalid');
    const done: SaleOrder = { ...QUOTATION, state: 'done' };
    expect(() => transitionOrder(done, 'cancelled', NOW)).toThrow(/from done to cancelled/);
    const cancelled: PurchaseOrder = { ...RFQ, state: 'cancelled' };
    expect(codeOf(() => transitionOrder(cancelled, 'rfq', NOW))).toBe('order-transition-invalid');
  });
});

describe('order totals', () => {
  it('ORD3 multiplies and adds exactly: 3 × 0.1 is 0.3', () => {
    const totals = orderTotals({ lines: [{ ...LINE, quantity: '3', price: '0.1' }] });
    expect(totals).toEqual({ lines: [{ lineId: 'l1', subtotal: '0.3' }], untaxed: '0.3' });
  });

  it('ORD3 rounds half-up once, at the end, not per line', () => {
    const line = { ...LINE, quantity: '1', price: '0.005' };
    const totals = orderTotals({
      lines: [line, { ...line, id: 'l2' }, { ...line, id: 'l3' }],
    });

    expect(totals.lines.map((entry) => entry.subtotal)).toEqual(['0.005', '0.005', '0.005']);
    expect(totals.untaxed).toBe('0.02');
    expect(orderTotals({ lines: [] }).untaxed).toBe('0');
    expect(orderTotals({ lines: [{ ...LINE, quantity: '7', price: '1.125' }] }, '1').untaxed).toBe(
      '8',
    );
  });
});

describe('vendor choice', () => {
  const offer = (partnerId: string, minQuantity: string): VendorOffer => ({
    partnerId,
    price: '10',
    minQuantity,
    leadDays: 3,
  });
  const product = productFixture('beans', {
    vendors: [offer('wholesale', '100'), offer('local', '10'), offer('any', '0')],
  });

  it('ORD4 takes the first vendor, in order of preference, whose minimum quantity fits', () => {
    expect(chooseVendor(product, '150')?.partnerId).toBe('wholesale');
    expect(chooseVendor(product, '100')?.partnerId).toBe('wholesale');
    expect(chooseVendor(product, '99.99')?.partnerId).toBe('local');
    expect(chooseVendor(product, '2')?.partnerId).toBe('any');
  });

  it('ORD4 finds no vendor when no minimum fits or there are no vendors', () => {
    const bulkOnly = productFixture('beans', { vendors: [offer('wholesale', '100')] });
    expect(chooseVendor(bulkOnly, '20')).toBeUndefined();
    expect(chooseVendor(productFixture('beans'), '20')).toBeUndefined();
  });
});

describe('draft purchase orders', () => {
  it('ORD5 starts one draft per vendor with an id that derives from the vendor', () => {
    const first = draftPurchaseFor('roaster', [], NOW);
    expect(first).toEqual({
      created: true,
      order: {
        kind: 'purchase',
        id: 'rfq:roaster:0',
        partnerId: 'roaster',
        state: 'rfq',
        lines: [],
        date: NOW,
      },
    });

    // Another replica, offline, computes the same draft: one record, not two.
    expect(draftPurchaseFor('roaster', [], NOW + 1).order.id).toBe(first.order.id);
  });

  it('ORD5 returns the open draft, ignoring other vendors and RFQs written by hand', () => {
    const draft = { ...RFQ, id: procurementDraftId('roaster', 0), lines: [] };
    const orders = [
      { ...RFQ, id: 'P-hand', partnerId: 'roaster' },
      { ...RFQ, id: procurementDraftId('roaster-2', 0), partnerId: 'roaster-2' },
      draft,
    ];

    expect(draftPurchaseFor('roaster', orders, NOW)).toEqual({ order: draft, created: false });
    expect(draftPurchaseFor('mill', orders, NOW).order.id).toBe('rfq:mill:0');
  });

  it('ORD5 moves to the next cycle once the draft is confirmed or cancelled', () => {
    const confirmed = { ...RFQ, id: 'rfq:roaster:0', state: 'purchase' as const };
    const cancelled = { ...RFQ, id: 'rfq:roaster:1', state: 'cancelled' as const };

    expect(draftPurchaseFor('roaster', [confirmed], NOW).order.id).toBe('rfq:roaster:1');
    expect(draftPurchaseFor('roaster', [cancelled, confirmed], NOW).order.id).toBe('rfq:roaster:2');
    const open = { ...RFQ, id: 'rfq:roaster:2' };
    expect(draftPurchaseFor('roaster', [open, cancelled, confirmed], NOW)).toEqual({
      order: open,
      created: false,
    });
    expect(codeOf(() => draftPurchaseFor(' ', [], NOW))).toBe('order-partner-required');
  });

  it('ORD6 merges a line for the same product and unit by adding quantities', () => {
    const { order } = draftPurchaseFor('roaster', [], NOW);
    const beans = { productId: 'beans', quantity: '10', unitId: 'kg', price: '8' };

    let draft = addProcurementLine(order, { ...beans, origin: 'reorder:beans' });
    draft = addProcurementLine(draft, { ...beans, quantity: '2.5', price: '9', origin: 'S002' });
    draft = addProcurementLine(draft, { ...beans, unitId: 'lb', quantity: '4' });
    draft = addProcurementLine(draft, { ...beans, productId: 'cups', unitId: 'unit' });

    expect(draft.lines).toEqual([
      { id: 'buy:beans:kg', productId: 'beans', quantity: '12.5', unitId: 'kg', price: '8' },
      { id: 'buy:beans:lb', productId: 'beans', quantity: '4', unitId: 'lb', price: '8' },
      { id: 'buy:cups:unit', productId: 'cups', quantity: '10', unitId: 'unit', price: '8' },
    ]);
    expect(draft.origin).toBe('S002, reorder:beans');
    expect(order.lines).toEqual([]);
  });

  it('ORD6 merges into a line written by hand and refuses an order that left the RFQ state', () => {
    const merged = addProcurementLine(RFQ, {
      productId: 'beans',
      quantity: '2',
      unitId: 'unit',
      price: '1',
    });
    expect(merged.lines).toEqual([{ ...LINE, quantity: '5' }]);

    const confirmed = { ...RFQ, state: 'purchase' as const };
    const line = { productId: 'beans', quantity: '1', unitId: 'unit', price: '1' };
    expect(codeOf(() => addProcurementLine(confirmed, line))).toBe('order-not-draft');
    expect(codeOf(() => addProcurementLine(RFQ, { ...line, quantity: '0' }))).toBe(
      'order-quantity-not-positive',
    );
    expect(codeOf(() => addProcurementLine(RFQ, { ...line, price: '-2' }))).toBe(
      'order-price-negative',
    );
  });
});

describe('delivery progress', () => {
  it('ORD7 adds up what was delivered and what remains, never below zero', () => {
    expect(deliveryStatus('10', ['3', '2.5'])).toEqual({
      delivered: '5.5',
      remaining: '4.5',
      complete: false,
    });
    expect(deliveryStatus('10', ['6', '4'])).toEqual({
      delivered: '10',
      remaining: '0',
      complete: true,
    });
    expect(deliveryStatus('10', ['12'])).toEqual({
      delivered: '12',
      remaining: '0',
      complete: true,
    });
    expect(codeOf(() => deliveryStatus('10', ['-1']))).toBe('order-done-quantity-invalid');
  });

  it('ORD7 leaves a backorder of what a partial delivery did not cover', () => {
    const lines: OrderLine[] = [
      { ...LINE, id: 'l1', quantity: '10', lotIds: ['lot-a'] },
      { ...LINE, id: 'l2', productId: 'cups', quantity: '4' },
      { ...LINE, id: 'l3', productId: 'filters', quantity: '1' },
    ];
    const done = [
      { lineId: 'l1', quantity: '6' },
      { lineId: 'l2', quantity: '4' },
      { lineId: 'l1', quantity: '1' },
    ];

    expect(backorder(lines, done)).toEqual([
      { ...LINE, id: 'l1', quantity: '3' },
      { ...LINE, id: 'l3', productId: 'filters', quantity: '1' },
    ]);
    expect(
      backorder(lines, [...done, { lineId: 'l1', quantity: '3' }, { lineId: 'l3', quantity: '1' }]),
    ).toEqual([]);
    expect(codeOf(() => backorder(lines, [{ lineId: 'l9', quantity: '1' }]))).toBe(
      'order-line-unknown',
    );
  });
});

describe('returns', () => {
  it('ORD8 reverses a done move with its lot, from its destination back to its source', () => {
    const shipped = delivery('ship-1', { lotId: 'lot-7' });

    expect(returnLines([shipped], [{ moveId: 'ship-1', quantity: '2' }])).toEqual([
      {
        returnedMoveId: 'ship-1',
        productId: 'beans',
        quantity: '2',
        sourceId: CUSTOMERS,
        destinationId: STOCK,
        lotId: 'lot-7',
      },
    ]);
  });

  it('ORD8 never returns more than was delivered, net of earlier returns', () => {
    const shipped = delivery('ship-1');
    const earlier = delivery('ret-1', {
      quantity: '3',
      sourceId: CUSTOMERS,
      destinationId: STOCK,
      chainedFrom: ['ship-1'],
    });
    const moves = [shipped, earlier];

    expect(returnableQuantity(shipped, moves)).toBe('2');
    expect(codeOf(() => returnLines([shipped], [{ moveId: 'ship-1', quantity: '5.01' }]))).toBe(
      'return-exceeds-delivered',
    );
    expect(codeOf(() => returnLines(moves, [{ moveId: 'ship-1', quantity: '3' }]))).toBe(
      'return-exceeds-delivered',
    );
    expect(
      codeOf(() =>
        returnLines(moves, [
          { moveId: 'ship-1', quantity: '1.5' },
          { moveId: 'ship-1', quantity: '1' },
        ]),
      ),
    ).toBe('return-exceeds-delivered');
    expect(returnLines(moves, [{ moveId: 'ship-1', quantity: '2' }])[0]?.quantity).toBe('2');
  });

  it('ORD8 counts only real returns: not cancelled ones, nor the next step of a chain', () => {
    const picked = delivery('pick-1', { destinationId: 'wh/output' });
    const shipped = delivery('ship-1', { sourceId: 'wh/output', chainedFrom: ['pick-1'] });
    const cancelled = delivery('ret-1', {
      sourceId: 'wh/output',
      destinationId: STOCK,
      chainedFrom: ['pick-1'],
      state: 'cancelled',
    });

    expect(returnableQuantity(picked, [picked, shipped, cancelled])).toBe('5');
  });

  it('ORD8 refuses returns from moves that are not done or not known, and bad quantities', () => {
    const planned = delivery('ship-2', { state: 'assigned' });

    expect(codeOf(() => returnLines([planned], [{ moveId: 'ship-2', quantity: '1' }]))).toBe(
      'return-exceeds-delivered',
    );
    expect(codeOf(() => returnLines([planned], [{ moveId: 'ship-9', quantity: '1' }]))).toBe(
      'return-move-unknown',
    );
    expect(
      codeOf(() => returnLines([delivery('ship-1')], [{ moveId: 'ship-1', quantity: '-1' }])),
    ).toBe('return-quantity-invalid');
    expect(returnLines([delivery('ship-1')], [{ moveId: 'ship-1', quantity: '0' }])).toEqual([]);
  });
});

describe('validating lots and serials', () => {
  const phone = productFixture('phone', { name: 'Phone', tracking: 'serial' });
  const milk = productFixture('milk', { name: 'Milk', tracking: 'lot' });

  it('ORD9 accepts one unit per serial up to the reserved quantity', () => {
    const picks = [
      { lotId: 'SN1', quantity: '1' },
      { lotId: 'SN2', quantity: '1' },
    ];
    expect(validateLinePicks(phone, '2', picks)).toBe('2');
  });

  it('ORD9 refuses a serial picked with more than one unit, twice, or beyond the reserved', () => {
    expect(codeOf(() => validateLinePicks(phone, '2', [{ lotId: 'SN1', quantity: '2' }]))).toBe(
      'order-serial-quantity',
    );
    const twice = [
      { lotId: 'SN1', quantity: '1' },
      { lotId: 'SN1', quantity: '1' },
    ];
    expect(codeOf(() => validateLinePicks(phone, '2', twice))).toBe('order-serial-quantity');
    const three = ['SN1', 'SN2', 'SN3'].map((lotId) => ({ lotId, quantity: '1' }));
    expect(codeOf(() => validateLinePicks(phone, '2', three))).toBe('order-serial-quantity');
  });

  it('ORD9 needs a lot on every pick of a tracked product and none on an untracked one', () => {
    expect(validateLinePicks(milk, '5', [{ lotId: 'L1', quantity: '7' }])).toBe('7');
    expect(codeOf(() => validateLinePicks(milk, '5', [{ quantity: '1' }]))).toBe(
      'order-lot-required',
    );
    expect(codeOf(() => validateLinePicks(phone, '1', [{ lotId: ' ', quantity: '1' }]))).toBe(
      'order-lot-required',
    );
    const beans = productFixture('beans');
    expect(codeOf(() => validateLinePicks(beans, '1', [{ lotId: 'L1', quantity: '1' }]))).toBe(
      'order-lot-untracked',
    );
  });
});
