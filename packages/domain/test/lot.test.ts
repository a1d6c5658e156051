import { describe, expect, it } from 'vitest';

import { isCalendarDate, isExpired, lotDates, needsAlert, validateLotDraft } from '../src/lot.js';
import type { Lot } from '../src/model.js';
import { codeOf } from './support.js';

const existing: Lot[] = [
  { id: 'l1', productId: 'milk', name: 'B-2025-01' },
  { id: 'l2', productId: 'cheese', name: 'B-2025-02' },
];

describe('lots', () => {
  it('LOT1 trims the name and refuses an empty one', () => {
    expect(validateLotDraft({ productId: 'milk', name: '  B-7 ' }, existing, 'lot')).toEqual({
      productId: 'milk',
      name: 'B-7',
    });
    expect(codeOf(() => validateLotDraft({ productId: 'milk', name: '  ' }, existing, 'lot'))).toBe(
      'lot-name-empty',
    );
  });

  it('LOT2 keeps lot names unique per product, case-sensitively after trimming', () => {
    const draft = (name: string, productId = 'milk', id?: string) =>
      validateLotDraft({ id, productId, name }, existing, 'serial');

    expect(codeOf(() => draft(' B-2025-01 '))).toBe('lot-name-taken');
    expect(draft('b-2025-01').name).toBe('b-2025-01');
    expect(draft('B-2025-02').name).toBe('B-2025-02');
    expect(draft('B-2025-01', 'milk', 'l1').name).toBe('B-2025-01');
  });

  it('LOT3 refuses a lot for a product that is not tracked', () => {
    expect(codeOf(() => validateLotDraft({ productId: 'milk', name: 'B' }, [], 'none'))).toBe(
      'lot-product-untracked',
    );
  });

  it('LOT4 accepts only real calendar dates written YYYY-MM-DD', () => {
    const withDate = (expiresOn: string) =>
      validateLotDraft({ productId: 'milk', name: 'B', expiresOn }, [], 'lot');

    expect(withDate('2024-02-29').expiresOn).toBe('2024-02-29');
    expect(withDate(' ').expiresOn).toBeUndefined();
    for (const bad of ['2023-02-29', '2025-13-01', '2025-04-31', '2025-4-1', '01/04/2025']) {
      expect(
        codeOf(() => withDate(bad)),
        bad,
      ).toBe('lot-date-invalid');
    }
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('1900-02-29')).toBe(false);
    expect(
      codeOf(() =>
        validateLotDraft({ productId: 'milk', name: 'B', alertOn: '2025-00-10' }, [], 'lot'),
      ),
    ).toBe('lot-date-invalid');
  });

  it('LOT5 fills missing dates from the shelf life and keeps the dates given', () => {
    const shelfLife = { expiryDays: 30, bestBeforeDays: 10, removalDays: 5, alertDays: 7 };

    expect(lotDates({}, shelfLife, '2025-01-10')).toEqual({
      expiresOn: '2025-02-09',
      bestBefore: '2025-01-30',
      removeOn: '2025-02-04',
      alertOn: '2025-02-02',
    });
    expect(lotDates({ expiresOn: '2024-03-01', removeOn: '2024-01-01' }, shelfLife)).toEqual({
      expiresOn: '2024-03-01',
      bestBefore: '2024-02-20',
      removeOn: '2024-01-01',
      alertOn: '2024-02-23',
    });
    expect(lotDates({ bestBefore: '2025-05-05' })).toEqual({ bestBefore: '2025-05-05' });
    expect(codeOf(() => lotDates({}, { expiryDays: 1.5 }, '2025-01-01'))).toBe('lot-date-invalid');
  });

  it('LOT6 counts a lot as expired from its expiry date on', () => {
    const lot = { expiresOn: '2025-03-10' };

    expect(isExpired(lot, '2025-03-09')).toBe(false);
    expect(isExpired(lot, '2025-03-10')).toBe(true);
    expect(isExpired({}, '2999-01-01')).toBe(false);
    expect(codeOf(() => isExpired(lot, '10/03/2025'))).toBe('lot-date-invalid');
  });

  it('LOT6 alerts from the alert date on, and for any expired lot', () => {
    expect(needsAlert({ alertOn: '2025-03-01' }, '2025-02-28')).toBe(false);
    expect(needsAlert({ alertOn: '2025-03-01' }, '2025-03-01')).toBe(true);
    expect(needsAlert({ expiresOn: '2025-03-10' }, '2025-03-11')).toBe(true);
    expect(needsAlert({}, '2025-03-11')).toBe(false);
  });
});
