import { describe, expect, it } from 'vitest';

import { divide, multiply } from '../src/decimal.js';
import { DomainError } from '../src/errors.js';
import { type InventoryLookup, validateInventoryRows } from '../src/inventory-import.js';
import type { Location, Product, Unit } from '../src/model.js';
import { productFixture } from './support.js';

const units: Unit[] = [
  { id: 'kg', name: 'kg', categoryId: 'weight', ratio: '1', rounding: '0.001' },
  { id: 'g', name: 'g', categoryId: 'weight', ratio: '0.001', rounding: '1' },
  { id: 'unit', name: 'Units', categoryId: 'unit', ratio: '1', rounding: '1' },
  { id: 'dozen', name: 'Dozens', categoryId: 'unit', ratio: '12', rounding: '1' },
];

const products: Product[] = [
  productFixture('beans', { reference: 'BEANS-1KG', barcode: '09506000134352', unitId: 'kg' }),
  productFixture('milk', { reference: 'MILK', tracking: 'lot' }),
  productFixture('phone', { reference: 'PHONE', tracking: 'serial' }),
  productFixture('repair', { reference: 'REPAIR', type: 'service' }),
];

const locations: Location[] = [
  { id: 'stock', name: 'WH/Stock', usage: 'internal' },
  { id: 'shelf', name: 'WH/Stock/Shelf 1', usage: 'internal' },
  { id: 'customers', name: 'Partners/Customers', usage: 'customer' },
];

const lookup: InventoryLookup = {
  productByReferenceOrBarcode: (text) =>
    products.find((item) => item.reference === text || item.barcode === text),
  locationByName: (name) => locations.find((location) => location.name === name),
  unitByName: (name) => units.find((unit) => unit.name === name),
  convert: (quantity, fromUnitId, toUnitId) => {
    const from = units.find((unit) => unit.id === fromUnitId)!;
    const to = units.find((unit) => unit.id === toUnitId)!;
    if (from.categoryId !== to.categoryId) {
      throw new DomainError('uom-category-mismatch', `${from.name} is not a ${to.name}`);
    }
    return divide(multiply(quantity, from.ratio), to.ratio, to.rounding);
  },
};

function row(product: string, location: string, quantity: string, lot = '', unit = '') {
  return { product, location, lot, quantity, unit };
}

describe('initial inventory import', () => {
  it('IMP1 turns good rows into counts in the product unit', () => {
    const result = validateInventoryRows(
      [
        row('BEANS-1KG', 'WH/Stock', '12.5'),
        row('09506000134352', 'WH/Stock/Shelf 1', '250', '', 'g'),
        { Product: ' MILK ', ' Location': 'WH/Stock', LOT: 'B-7', Quantity: '3', Unit: 'Dozens' },
        row('PHONE', 'WH/Stock', '1', 'SN-1'),
        row('PHONE', 'WH/Stock', '0', 'SN-2'),
      ],
      lookup,
    );

    expect(result).toEqual({
      ok: true,
      counts: [
        { line: 2, productId: 'beans', locationId: 'stock', quantity: '12.5' },
        { line: 3, productId: 'beans', locationId: 'shelf', quantity: '0.25' },
        { line: 4, productId: 'milk', locationId: 'stock', lotName: 'B-7', quantity: '36' },
        { line: 5, productId: 'phone', locationId: 'stock', lotName: 'SN-1', quantity: '1' },
        { line: 6, productId: 'phone', locationId: 'stock', lotName: 'SN-2', quantity: '0' },
      ],
    });
  });

  it('IMP2 reports every bad row with its line and accepts none of the file', () => {
    const result = validateInventoryRows(
      [
        row('BEANS-1KG', 'WH/Stock', '1'),
        row('NOPE', 'WH/Stock', '1'),
        row('BEANS-1KG', 'Nowhere', '1'),
        row('BEANS-1KG', 'Partners/Customers', '1'),
        row('MILK', 'WH/Stock', '1'),
        row('BEANS-1KG', 'WH/Stock/Shelf 1', '1', 'B-1'),
        row('MILK', 'WH/Stock', 'lots', 'B-1'),
        row('MILK', 'WH/Stock/Shelf 1', '-2', 'B-1'),
        row('MILK', 'WH/Stock', '2', 'B-2', 'Crates'),
        row('MILK', 'WH/Stock', '2', 'B-3', 'kg'),
        row('PHONE', 'WH/Stock', '2', 'SN-1'),
        row('BEANS-1KG', 'WH/Stock', '4'),
        row('REPAIR', 'WH/Stock', '1'),
      ],
      lookup,
    );

    expect(result.ok).toBe(false);
    expect(
      result.ok ? [] : result.errors.map(({ line, column, reason }) => [line, column, reason]),
    ).toEqual([
      [3, 'product', 'product-unknown'],
      [4, 'location', 'location-unknown'],
      [5, 'location', 'location-not-internal'],
      [6, 'lot', 'lot-missing'],
      [7, 'lot', 'lot-untracked'],
      [8, 'quantity', 'quantity-invalid'],
      [9, 'quantity', 'quantity-negative'],
      [10, 'unit', 'unit-unknown'],
      [11, 'unit', 'unit-mismatch'],
      [12, 'quantity', 'serial-quantity'],
      [13, undefined, 'row-duplicate'],
      [14, 'product', 'product-not-stocked'],
    ]);
    const messages = result.ok ? [] : result.errors.map((error) => error.message);
    expect(messages[0]).toBe('no product has the reference or barcode "NOPE"');
    expect(messages[10]).toMatch(/repeats the product, location and lot of line 2/);
  });

  it('IMP2 reports each problem of a row, not only the first', () => {
    const result = validateInventoryRows([row('', 'Nowhere', '-1', '', 'Crates')], lookup);

    expect(result.ok ? [] : result.errors.map((error) => error.reason)).toEqual([
      'product-unknown',
      'location-unknown',
      'quantity-negative',
      'unit-unknown',
    ]);
  });

  it('IMP3 refuses a serial number on hand in two locations of the file', () => {
    const result = validateInventoryRows(
      [row('PHONE', 'WH/Stock', '1', 'SN-1'), row('PHONE', 'WH/Stock/Shelf 1', '1', 'SN-1')],
      lookup,
    );

    expect(result).toMatchObject({
      ok: false,
      errors: [{ line: 3, column: 'lot', reason: 'serial-duplicate' }],
    });
  });

  it('IMP4 skips blank rows but keeps counting their lines', () => {
    const result = validateInventoryRows(
      [row('', '', ''), row('NOPE', 'WH/Stock', '1'), {}],
      lookup,
    );

    expect(result).toMatchObject({ ok: false, errors: [{ line: 3, reason: 'product-unknown' }] });
    expect(validateInventoryRows([], lookup)).toEqual({ ok: true, counts: [] });
  });
});
