import { describe, expect, it } from 'vitest';

import { VIRTUAL_LOCATION_IDS } from '../src/location.js';
import {
  bomFor,
  componentNeeds,
  MANUFACTURING_TRANSITIONS,
  productionMoves,
  transitionManufacturingOrder,
  validateBom,
  type BillOfMaterials,
  type BomContext,
  type ManufacturingOrder,
  type ProductionContext,
} from '../src/manufacturing.js';
import type { Product } from '../src/model.js';
import { STANDARD_UNITS } from '../src/uom.js';
import { codeOf, productFixture } from './support.js';

const NOW = 1_700_000_000_000;
const STOCK = 'wh/stock';
const PRODUCTION = VIRTUAL_LOCATION_IDS.production;

const PRODUCTS: readonly Product[] = [
  productFixture('gift-box', { name: 'Gift box', tracking: 'lot', manufacture: true }),
  productFixture('coffee-bag', { name: 'Coffee bag', tracking: 'lot', manufacture: true }),
  productFixture('box', { name: 'Box' }),
  productFixture('beans', { name: 'Beans', unitId: 'kg' }),
  productFixture('sugar', { name: 'Sugar', unitId: 'kg' }),
  productFixture('cake', { name: 'Cake' }),
  productFixture('phone', { name: 'Phone', tracking: 'serial' }),
  productFixture('chip', { name: 'Chip', tracking: 'serial' }),
];

const GIFT_BOX: BillOfMaterials = {
  id: 'bom-gift',
  productId: 'gift-box',
  quantity: '1',
  unitId: 'unit',
  components: [
    { productId: 'coffee-bag', quantity: '2', unitId: 'unit' },
    { productId: 'box', quantity: '1', unitId: 'unit' },
  ],
};

const COFFEE_BAG: BillOfMaterials = {
  id: 'bom-bag',
  productId: 'coffee-bag',
  quantity: '1',
  unitId: 'unit',
  components: [{ productId: 'beans', quantity: '250', unitId: 'g' }],
};

const CONTEXT: BomContext = {
  products: new Map(PRODUCTS.map((product) => [product.id, product])),
  units: STANDARD_UNITS,
  boms: [GIFT_BOX, COFFEE_BAG],
};

const PRODUCE: ProductionContext = { ...CONTEXT, at: NOW + 60_000 };
const LOCATIONS = { sourceId: STOCK, destinationId: STOCK };

const ORDER: ManufacturingOrder = {
  id: 'MO1',
  productId: 'gift-box',
  quantity: '5',
  bomId: 'bom-gift',
  state: 'confirmed',
  date: NOW,
  producedLotId: 'GB-2024-01',
};

describe('bills of materials', () => {
  it('MRP1 accepts a bill and writes its quantities in canonical form', () => {
    const bill = { ...GIFT_BOX, quantity: '1.0' };
    expect(validateBom(bill, CONTEXT)).toEqual(GIFT_BOX);
  });

  it('MRP1 refuses unknown products, quantities not above zero and units of another kind', () => {
    const component = GIFT_BOX.components[1]!;
    const withPart = (fields: object) => ({
      ...GIFT_BOX,
      components: [{ ...component, ...fields }],
    });

    expect(codeOf(() => validateBom({ ...GIFT_BOX, productId: 'tea' }, CONTEXT))).toBe(
      'bom-product-unknown',
    );
    expect(codeOf(() => validateBom(withPart({ productId: 'ribbon' }), CONTEXT))).toBe(
      'bom-product-unknown',
    );
    expect(codeOf(() => validateBom({ ...GIFT_BOX, quantity: '0' }, CONTEXT))).toBe(
      'bom-quantity-not-positive',
    );
    expect(codeOf(() => validateBom(withPart({ quantity: '-1' }), CONTEXT))).toBe(
      'bom-quantity-not-positive',
    );
    expect(codeOf(() => validateBom(withPart({ unitId: 'kg' }), CONTEXT))).toBe(
      'bom-unit-category',
    );
    expect(codeOf(() => validateBom({ ...GIFT_BOX, components: [] }, CONTEXT))).toBe(
      'bom-components-empty',
    );
  });

  it('MRP2 refuses a bill that lists its own product, naming the chain', () => {
    const itself = {
      ...GIFT_BOX,
      components: [
        ...GIFT_BOX.components,
        { productId: 'gift-box', quantity: '1', unitId: 'unit' },
      ],
    };

    expect(codeOf(() => validateBom(itself, CONTEXT))).toBe('bom-cycle');
    expect(() => validateBom(itself, CONTEXT)).toThrow(/"Gift box" → "Gift box"/);
  });

  it('MRP2 refuses a bill that contains itself through another bill', () => {
    // The coffee bag is now made with a gift box, which is made with coffee bags.
    const bag = {
      ...COFFEE_BAG,
      components: [{ productId: 'gift-box', quantity: '1', unitId: 'unit' }],
    };

    expect(codeOf(() => validateBom(bag, CONTEXT))).toBe('bom-cycle');
    expect(() => validateBom(bag, CONTEXT)).toThrow(/"Coffee bag" → "Gift box" → "Coffee bag"/);
    // The same loop, seen from the gift box once the changed bag bill is stored.
    const stored = { ...CONTEXT, boms: [GIFT_BOX, bag] };
    expect(() => validateBom(GIFT_BOX, stored)).toThrow(/"Gift box" → "Coffee bag" → "Gift box"/);
  });

  it('MRP2 accepts a component that appears in several branches without a loop', () => {
    const kit: BillOfMaterials = {
      id: 'bom-kit',
      productId: 'cake',
      quantity: '1',
      unitId: 'unit',
      components: [
        { productId: 'gift-box', quantity: '1', unitId: 'unit' },
        { productId: 'coffee-bag', quantity: '1', unitId: 'unit' },
      ],
    };
    expect(validateBom(kit, CONTEXT).id).toBe('bom-kit');
  });

  it('MRP3 uses the bill with the smallest id when a product has several', () => {
    const other = { ...GIFT_BOX, id: 'bom-a-gift' };
    expect(bomFor('gift-box', [GIFT_BOX, other, COFFEE_BAG])?.id).toBe('bom-a-gift');
    expect(bomFor('box', [GIFT_BOX, COFFEE_BAG])).toBeUndefined();
  });
});

describe('component needs', () => {
  it('MRP4 scales the components to the quantity produced: 5 gift boxes need 10 bags', () => {
    expect(componentNeeds(GIFT_BOX, '5', CONTEXT)).toEqual([
      { productId: 'coffee-bag', quantity: '10', unitId: 'unit', productQuantity: '10' },
      { productId: 'box', quantity: '5', unitId: 'unit', productQuantity: '5' },
    ]);
  });

  it('MRP4 converts units exactly and rounds each need once, up', () => {
    expect(componentNeeds(COFFEE_BAG, '3', CONTEXT)).toEqual([
      { productId: 'beans', quantity: '750', unitId: 'g', productQuantity: '0.75' },
    ]);

    // A batch of 3 cakes takes 1 kg of sugar: one cake needs a third, rounded up.
    const cakes: BillOfMaterials = {
      id: 'bom-cake',
      productId: 'cake',
      quantity: '3',
      unitId: 'unit',
      components: [{ productId: 'sugar', quantity: '1', unitId: 'kg' }],
    };
    expect(componentNeeds(cakes, '1', CONTEXT)[0]?.quantity).toBe('0.334');
    expect(componentNeeds(cakes, '3', CONTEXT)[0]?.quantity).toBe('1');

    // A batch given in dozens, produced in units: 18 cakes are 1.5 batches.
    const dozen = { ...cakes, quantity: '1', unitId: 'dozen' };
    expect(componentNeeds(dozen, '18', CONTEXT)[0]?.quantity).toBe('1.5');
  });

  it('MRP4 refuses a quantity to produce that is not above zero', () => {
    expect(codeOf(() => componentNeeds(GIFT_BOX, '0', CONTEXT))).toBe(
      'manufacturing-quantity-not-positive',
    );
  });
});

describe('manufacturing orders', () => {
  it('MRP5 allows draft → confirmed → done, cancelling before done, and nothing after', () => {
    expect(MANUFACTURING_TRANSITIONS).toEqual({
      draft: ['confirmed', 'cancelled'],
      confirmed: ['done', 'cancelled'],
      done: [],
      cancelled: [],
    });

    const draft = { ...ORDER, state: 'draft' as const };
    expect(transitionManufacturingOrder(draft, 'confirmed').state).toBe('confirmed');
    expect(transitionManufacturingOrder(ORDER, 'cancelled').state).toBe('cancelled');
    expect(draft.state).toBe('draft');
    expect(
      codeOf(() => transitionManufacturingOrder({ ...ORDER, state: 'done' }, 'cancelled')),
    ).toBe('manufacturing-transition-invalid');
  });

  it('MRP5 reaches done only by booking production, and confirms only a positive quantity', () => {
    expect(codeOf(() => transitionManufacturingOrder(ORDER, 'done'))).toBe(
      'manufacturing-transition-invalid',
    );
    const empty = { ...ORDER, state: 'draft' as const, quantity: '0' };
    expect(codeOf(() => transitionManufacturingOrder(empty, 'confirmed'))).toBe(
      'manufacturing-quantity-not-positive',
    );
  });
});

describe('production', () => {
  const picks = [
    { productId: 'coffee-bag', quantity: '6', lotId: 'BAG-A' },
    { productId: 'coffee-bag', quantity: '4', lotId: 'BAG-B', locationId: 'wh/shelf-2' },
  ];

  it('MRP6 books components into production and the finished lot out of it', () => {
    const { moves } = productionMoves(ORDER, GIFT_BOX, picks, LOCATIONS, PRODUCE);
    const common = { state: 'done', origin: 'MO1', date: NOW + 60_000 };

    expect(moves).toEqual([
      {
        ...common,
        id: 'MO1:consume:0',
        productId: 'coffee-bag',
        quantity: '6',
        sourceId: STOCK,
        destinationId: PRODUCTION,
        lotId: 'BAG-A',
      },
      {
        ...common,
        id: 'MO1:consume:1',
        productId: 'coffee-bag',
        quantity: '4',
        sourceId: 'wh/shelf-2',
        destinationId: PRODUCTION,
        lotId: 'BAG-B',
      },
      {
        ...common,
        id: 'MO1:consume:2',
        productId: 'box',
        quantity: '5',
        sourceId: STOCK,
        destinationId: PRODUCTION,
      },
      {
        ...common,
        id: 'MO1:produce',
        productId: 'gift-box',
        quantity: '5',
        sourceId: PRODUCTION,
        destinationId: STOCK,
        lotId: 'GB-2024-01',
        chainedFrom: ['MO1:consume:0', 'MO1:consume:1', 'MO1:consume:2'],
      },
    ]);
  });

  it('MRP6 links the component lots to the finished lot and marks the order done', () => {
    const production = productionMoves(ORDER, GIFT_BOX, [...picks].reverse(), LOCATIONS, PRODUCE);

    expect(production.link).toEqual({
      orderId: 'MO1',
      componentLotIds: ['BAG-A', 'BAG-B'],
      producedLotId: 'GB-2024-01',
    });
    expect(production.order).toMatchObject({
      state: 'done',
      doneAt: NOW + 60_000,
      producedLotId: 'GB-2024-01',
      componentLots: [
        { productId: 'coffee-bag', quantity: '4', lotId: 'BAG-B', locationId: 'wh/shelf-2' },
        { productId: 'coffee-bag', quantity: '6', lotId: 'BAG-A' },
        { productId: 'box', quantity: '5' },
      ],
    });
    expect(ORDER.state).toBe('confirmed');
  });

  it('MRP6 books only a confirmed order with its own bill', () => {
    const draft = { ...ORDER, state: 'draft' as const };
    expect(codeOf(() => productionMoves(draft, GIFT_BOX, picks, LOCATIONS, PRODUCE))).toBe(
      'manufacturing-transition-invalid',
    );
    expect(codeOf(() => productionMoves(ORDER, COFFEE_BAG, picks, LOCATIONS, PRODUCE))).toBe(
      'manufacturing-bom-mismatch',
    );
    const extra = [...picks, { productId: 'beans', quantity: '1' }];
    expect(codeOf(() => productionMoves(ORDER, GIFT_BOX, extra, LOCATIONS, PRODUCE))).toBe(
      'production-pick-not-component',
    );
  });

  it('MRP7 needs lots for tracked components and the finished lot of a tracked product', () => {
    expect(codeOf(() => productionMoves(ORDER, GIFT_BOX, [], LOCATIONS, PRODUCE))).toBe(
      'production-lot-required',
    );
    const unnamed = { ...ORDER, producedLotId: ' ' };
    expect(codeOf(() => productionMoves(unnamed, GIFT_BOX, picks, LOCATIONS, PRODUCE))).toBe(
      'production-lot-required',
    );
    const lottedBox = [...picks, { productId: 'box', quantity: '5', lotId: 'X' }];
    expect(codeOf(() => productionMoves(ORDER, GIFT_BOX, lottedBox, LOCATIONS, PRODUCE))).toBe(
      'production-lot-untracked',
    );
  });

  it('MRP7 produces and consumes one unit per serial number', () => {
    const board: BillOfMaterials = {
      id: 'bom-phone',
      productId: 'phone',
      quantity: '1',
      unitId: 'unit',
      components: [{ productId: 'chip', quantity: '2', unitId: 'unit' }],
    };
    const order = { ...ORDER, productId: 'phone', bomId: 'bom-phone', quantity: '1' };
    const chips = [
      { productId: 'chip', quantity: '1', lotId: 'C1' },
      { productId: 'chip', quantity: '1', lotId: 'C2' },
    ];

    const production = productionMoves(order, board, chips, LOCATIONS, PRODUCE);
    expect(production.link.componentLotIds).toEqual(['C1', 'C2']);
    expect(
      codeOf(() => productionMoves({ ...order, quantity: '2' }, board, chips, LOCATIONS, PRODUCE)),
    ).toBe('production-serial-quantity');
    const twice = [chips[0]!, chips[0]!];
    expect(codeOf(() => productionMoves(order, board, twice, LOCATIONS, PRODUCE))).toBe(
      'production-serial-quantity',
    );
    const bulk = [{ productId: 'chip', quantity: '2', lotId: 'C1' }];
    expect(codeOf(() => productionMoves(order, board, bulk, LOCATIONS, PRODUCE))).toBe(
      'production-serial-quantity',
    );
  });
});
