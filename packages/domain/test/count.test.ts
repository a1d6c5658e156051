import { describe, expect, it } from 'vitest';

import { applyCount, isCountOutdated, validateCountDraft } from '../src/count.js';
import type { Count } from '../src/model.js';
import { codeOf } from './support.js';

function count(counted: string, expected: string, lotId?: string): Count {
  return {
    id: 'c1',
    productId: 'beans',
    locationId: 'wh/a',
    lotId,
    counted,
    expected,
    at: 0,
    author: { user: 'ana', client: 1 },
  };
}

const options = { inventoryLocationId: 'inventory', rounding: '0.01' };

describe('counts', () => {
  it('CNT1 books a gain from the inventory location into the counted location', () => {
    expect(applyCount(count('12', '10', 'L1'), '10', options)).toEqual({
      kind: 'move',
      move: {
        productId: 'beans',
        quantity: '2',
        sourceId: 'inventory',
        destinationId: 'wh/a',
        lotId: 'L1',
      },
    });
  });

  it('CNT1 books a loss from the counted location to the inventory location', () => {
    expect(applyCount(count('7.5', '10'), '10', options)).toEqual({
      kind: 'move',
      move: { productId: 'beans', quantity: '2.5', sourceId: 'wh/a', destinationId: 'inventory' },
    });
  });

  it('CNT2 books nothing when the count matches the stock at the unit precision', () => {
    expect(applyCount(count('10', '10'), '10.004', options)).toEqual({ kind: 'none' });
    expect(applyCount(count('3', '2'), '3', options)).toEqual({ kind: 'none' });
  });

  it('CNT3 asks for confirmation instead of erasing a move booked after the count', () => {
    const taken = count('8', '10');

    expect(isCountOutdated(taken, '9', '0.01')).toBe(true);
    expect(applyCount(taken, '9', options)).toEqual({
      kind: 'outdated',
      expected: '10',
      current: '9',
    });
    expect(applyCount(taken, '9', { ...options, confirmOutdated: true })).toEqual({
      kind: 'move',
      move: { productId: 'beans', quantity: '1', sourceId: 'wh/a', destinationId: 'inventory' },
    });
  });

  it('CNT3 computes the difference when applied, against the stock on hand then', () => {
    expect(isCountOutdated(count('8', '10'), '10.001', '0.01')).toBe(false);
    expect(applyCount(count('8', '10'), '10.001', options)).toMatchObject({
      kind: 'move',
      move: { quantity: '2' },
    });
  });

  it('CNT4 refuses a negative or unreadable count and rounds to the unit', () => {
    const product = { tracking: 'none' as const, rounding: '0.01' };
    const draft = (counted: string) => ({ productId: 'beans', locationId: 'wh/a', counted });

    expect(validateCountDraft(draft(' 2.345 '), product)).toBe('2.35');
    expect(validateCountDraft(draft('0'), product)).toBe('0');
    expect(codeOf(() => validateCountDraft(draft('-1'), product))).toBe('count-quantity-negative');
    expect(codeOf(() => validateCountDraft(draft('1,5'), product))).toBe('count-quantity-invalid');
  });

  it('CNT5 counts a serial number as 0 or 1 only', () => {
    const serial = { tracking: 'serial' as const, rounding: '1' };
    const draft = (counted: string) => ({ productId: 'phone', locationId: 'wh/a', counted });

    expect(validateCountDraft(draft('1'), serial)).toBe('1');
    expect(validateCountDraft(draft('0'), serial)).toBe('0');
    expect(codeOf(() => validateCountDraft(draft('2'), serial))).toBe('count-serial-quantity');
  });
});
