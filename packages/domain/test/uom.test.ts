import { describe, expect, it } from 'vitest';

import { add, toScaled } from '../src/decimal.js';
import type { Unit, UnitCategory } from '../src/model.js';
import {
  STANDARD_UNIT_CATEGORIES,
  STANDARD_UNITS,
  compareQuantities,
  convertQuantity,
  isEnough,
  purchaseQuantity,
  quantityPlaces,
  roundQuantity,
  unitById,
  validateUnits,
} from '../src/uom.js';
import { codeOf } from './support.js';

const unit = unitById(STANDARD_UNITS, 'unit');
const dozen = unitById(STANDARD_UNITS, 'dozen');
const kg = unitById(STANDARD_UNITS, 'kg');
const g = unitById(STANDARD_UNITS, 'g');
const lb = unitById(STANDARD_UNITS, 'lb');
const m = unitById(STANDARD_UNITS, 'm');
const ft = unitById(STANDARD_UNITS, 'ft');
const hour = unitById(STANDARD_UNITS, 'hour');
const minute = unitById(STANDARD_UNITS, 'minute');

const weight: UnitCategory = { id: 'weight', name: 'Weight' };
const kilogram: Unit = {
  id: 'kg',
  name: 'kg',
  categoryId: 'weight',
  ratio: '1',
  rounding: '0.001',
};
const gram: Unit = { id: 'g', name: 'g', categoryId: 'weight', ratio: '0.001', rounding: '0.01' };

describe('unit categories', () => {
  it('UOM1 accepts the standard units: each category has exactly one reference unit', () => {
    expect(() => validateUnits(STANDARD_UNIT_CATEGORIES, STANDARD_UNITS)).not.toThrow();
    expect(STANDARD_UNITS.filter((u) => u.ratio === '1').map((u) => u.id)).toEqual([
      'unit',
      'kg',
      'l',
      'm',
      'minute',
    ]);
  });

  it('UOM1 refuses a category without a reference unit or with two', () => {
    expect(codeOf(() => validateUnits([weight], [gram]))).toBe('unit-category-reference');
    expect(() => validateUnits([weight], [gram])).toThrow(/Weight has no reference unit/);
    const kilo = { ...kilogram, id: 'kilo', name: 'kilo', ratio: '1.0' };
    expect(codeOf(() => validateUnits([weight], [kilogram, kilo]))).toBe('unit-category-reference');
  });

  it('UOM1 refuses a unit of an unknown category', () => {
    expect(codeOf(() => validateUnits([weight], [kilogram, { ...gram, categoryId: 'mass' }]))).toBe(
      'unit-category-unknown',
    );
  });

  it('UOM1 finds a unit by its stable id and refuses an unknown one', () => {
    expect(unitById(STANDARD_UNITS, 'lb').ratio).toBe('0.45359237');
    expect(codeOf(() => unitById(STANDARD_UNITS, 'furlong'))).toBe('unit-unknown');
  });

  it('UOM2 refuses a ratio or rounding that is not a positive decimal', () => {
    for (const ratio of ['0', '-12', 'twelve', '']) {
      expect(codeOf(() => validateUnits([weight], [kilogram, { ...gram, ratio }]))).toBe(
        'unit-ratio-invalid',
      );
    }
    for (const rounding of ['0', '-0.01', '1,5']) {
      expect(codeOf(() => validateUnits([weight], [kilogram, { ...gram, rounding }]))).toBe(
        'unit-rounding-invalid',
      );
    }
  });
});

describe('conversions', () => {
  it('UOM3 converts exactly through the ratios: 1 lb is 453.59 g, 1 dozen is 12 units', () => {
    expect(convertQuantity('1', lb, g)).toBe('453.59');
    expect(convertQuantity('1', dozen, unit)).toBe('12');
    expect(convertQuantity('1', hour, minute)).toBe('60');
    expect(convertQuantity('90', minute, hour)).toBe('1.5');
  });

  it('UOM3 rounds the result half-up to the precision of the target unit', () => {
    expect(convertQuantity('7', unit, dozen)).toBe('1');
    expect(convertQuantity('5', unit, dozen)).toBe('0');
    expect(convertQuantity('1234.5', g, kg)).toBe('1.235');
    expect(convertQuantity('1234.49', g, kg)).toBe('1.234');
    expect(roundQuantity('0.0005', kg)).toBe('0.001');
    expect(roundQuantity('2.5', unit, 'down')).toBe('2');
  });

  it('UOM4 keeps 1000 ft at 1000 ft after a round trip through metres', () => {
    expect(convertQuantity('1000', ft, m)).toBe('304.8');
    expect(convertQuantity(convertQuantity('1000', ft, m), m, ft)).toBe('1000');
  });

  it('UOM4 does not drift over 100 round trips', () => {
    for (const start of ['1000', '1', '3.33', '0.01', '12345.67']) {
      let feet = start;
      for (let trip = 0; trip < 100; trip++)
        feet = convertQuantity(convertQuantity(feet, ft, m), m, ft);
      expect(feet).toBe(start);
    }

    let pounds = '2.2';
    for (let trip = 0; trip < 100; trip++)
      pounds = convertQuantity(convertQuantity(pounds, lb, g), g, lb);
    expect(pounds).toBe('2.2');

    let hours = '1000';
    for (let trip = 0; trip < 100; trip++) {
      hours = convertQuantity(convertQuantity(hours, hour, minute), minute, hour);
    }
    expect(hours).toBe('1000');
  });

  it('UOM5 refuses to convert kg into units, naming both units and categories', () => {
    expect(codeOf(() => convertQuantity('1', kg, unit))).toBe('unit-category-mismatch');
    expect(() => convertQuantity('1', kg, unit)).toThrow(
      'unit-category-mismatch: cannot convert kg (category weight) into Units (category unit)',
    );
  });
});

describe('purchase quantities', () => {
  it('UOM6 rounds a quantity to purchase up, so that 7 units are ordered as 1 dozen', () => {
    expect(convertQuantity('7', unit, dozen, 'up')).toBe('1');
    expect(purchaseQuantity('0.58', dozen)).toBe('1');
    expect(convertQuantity('13', unit, dozen)).toBe('1');
    expect(convertQuantity('13', unit, dozen, 'up')).toBe('2');
    expect(purchaseQuantity('2', dozen)).toBe('2');
    expect(purchaseQuantity('1.2341', kg)).toBe('1.235');
  });
});

describe('comparing quantities', () => {
  it('UOM7 finds 0.1 kg + 0.2 kg enough for 0.3 kg', () => {
    expect(isEnough(add('0.1', '0.2'), '0.3', kg)).toBe(true);
    expect(compareQuantities(add('0.1', '0.2'), '0.3', kg)).toBe(0);
  });

  it('UOM7 lets no noise below the precision decide', () => {
    expect(isEnough('0.2999999999', '0.3', kg)).toBe(true);
    expect(compareQuantities('0.30000000000000004', '0.3', kg)).toBe(0);
    expect(isEnough('0.299', '0.3', kg)).toBe(false);
    expect(compareQuantities('2', '1.9', unit)).toBe(0);
    expect(compareQuantities('3', '2', unit)).toBe(1);
  });

  it('UOM8 counts the decimal places of a unit so quantities sum as integers', () => {
    expect(quantityPlaces(unit)).toBe(0);
    expect(quantityPlaces(g)).toBe(2);
    expect(quantityPlaces(kg)).toBe(3);
    expect(toScaled(roundQuantity('1.23456', kg), quantityPlaces(kg))).toBe(1235);
  });
});
