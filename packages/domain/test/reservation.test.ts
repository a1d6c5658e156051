import { describe, expect, it } from 'vitest';

import type { Lot, Quant, RemovalStrategy } from '../src/model.js';
import { planReservation, type ReservationRequest } from '../src/reservation.js';
import { codeOf } from './support.js';

const DAY = 86_400_000;

function quant(locationId: string, quantity: string, day: number, lotId?: string): Quant {
  return { productId: 'beans', locationId, quantity, inDate: day * DAY, lotId };
}

function lot(id: string, dates: Partial<Lot> = {}): Lot {
  return { id, productId: 'beans', name: id, ...dates };
}

function plan(
  strategy: RemovalStrategy,
  quants: Quant[],
  quantity: string,
  extra: Partial<ReservationRequest> = {},
) {
  return planReservation({
    productId: 'beans',
    quantity,
    quants,
    strategy,
    lots: [],
    serial: false,
    within: (locationId) => locationId.startsWith('wh/'),
    reservedElsewhere: () => '0',
    ...extra,
  });
}

describe('reservation', () => {
  it('RES1 FIFO takes the oldest arrival first, then orders by location and lot id', () => {
    const quants = [
      quant('wh/b', '2', 3),
      quant('wh/a', '2', 1),
      quant('wh/c', '2', 3),
      quant('wh/a', '2', 2),
    ];

    const { lines } = plan('fifo', quants, '7');

    expect(lines).toEqual([
      { locationId: 'wh/a', quantity: '2' },
      { locationId: 'wh/a', quantity: '2' },
      { locationId: 'wh/b', quantity: '2' },
      { locationId: 'wh/c', quantity: '1' },
    ]);
    expect(plan('fifo', quants, '3').lines.map((line) => line.quantity)).toEqual(['2', '1']);
  });

  it('RES1 LIFO takes the newest arrival first', () => {
    const quants = [quant('wh/a', '2', 1), quant('wh/b', '2', 5), quant('wh/c', '2', 3)];

    const { lines } = plan('lifo', quants, '3');

    expect(lines).toEqual([
      { locationId: 'wh/b', quantity: '2' },
      { locationId: 'wh/c', quantity: '1' },
    ]);
  });

  it('RES1 FEFO takes the lot to remove first, then by expiry, with undated lots last', () => {
    const lots = [
      lot('undated'),
      lot('late', { removeOn: '2025-09-01', expiresOn: '2025-10-01' }),
      lot('early', { removeOn: '2025-03-01', expiresOn: '2025-12-01' }),
      lot('twin', { removeOn: '2025-03-01', expiresOn: '2025-04-01' }),
      lot('expiry-only', { expiresOn: '2025-06-01' }),
    ];
    const quants = [
      quant('wh/a', '1', 1, 'undated'),
      quant('wh/a', '1', 2, 'late'),
      quant('wh/a', '1', 9, 'early'),
      quant('wh/a', '1', 8, 'twin'),
      quant('wh/a', '1', 3, 'expiry-only'),
    ];

    const { lines } = plan('fefo', quants, '5', { lots });

    expect(lines.map((line) => line.lotId)).toEqual([
      'twin',
      'early',
      'expiry-only',
      'late',
      'undated',
    ]);
  });

  it('RES2 takes lotted quants before unlotted ones, whatever the strategy', () => {
    const quants = [quant('wh/a', '5', 1), quant('wh/a', '5', 9, 'L1')];

    for (const strategy of ['fifo', 'fefo', 'lifo'] as const) {
      expect(plan(strategy, quants, '6').lines).toEqual([
        { locationId: 'wh/a', lotId: 'L1', quantity: '5' },
        { locationId: 'wh/a', quantity: '1' },
      ]);
    }
  });

  it('RES3 reserves what it can and leaves the rest missing', () => {
    const result = plan('fifo', [quant('wh/a', '2.5', 1), quant('wh/b', '1.25', 2)], '10');

    expect(result.reserved).toBe('3.75');
    expect(result.missing).toBe('6.25');
    expect(plan('fifo', [], '4')).toEqual({ lines: [], reserved: '0', missing: '4' });
  });

  it('RES3 skips stock held elsewhere, empty or negative quants and quants out of scope', () => {
    const quants = [
      quant('wh/a', '5', 1),
      quant('wh/b', '0', 2),
      quant('wh/c', '-3', 3),
      quant('partners/customers', '9', 4),
      { ...quant('wh/d', '9', 5), productId: 'tea' },
      quant('wh/e', '4', 6),
    ];
    const held = (q: Quant) => (q.locationId === 'wh/a' ? '4' : '0');

    const result = plan('fifo', quants, '3', { reservedElsewhere: held });

    expect(result.lines).toEqual([
      { locationId: 'wh/a', quantity: '1' },
      { locationId: 'wh/e', quantity: '2' },
    ]);
    expect(result.missing).toBe('0');
  });

  it('RES3 adds decimals exactly: 0.1 and 0.2 cover a move of 0.3', () => {
    const result = plan('fifo', [quant('wh/a', '0.1', 1), quant('wh/b', '0.2', 2)], '0.3');

    expect(result.reserved).toBe('0.3');
    expect(result.missing).toBe('0');
  });

  it('RES4 reserves serial numbers one whole unit per line', () => {
    const quants = [
      quant('wh/a', '1', 1, 'SN1'),
      quant('wh/a', '2', 2, 'SN2'),
      quant('wh/b', '0.5', 3, 'SN3'),
      quant('wh/c', '2', 4),
    ];

    const result = plan('fifo', quants, '5', { serial: true });

    expect(result.lines).toEqual([
      { locationId: 'wh/a', lotId: 'SN1', quantity: '1' },
      { locationId: 'wh/a', lotId: 'SN2', quantity: '1' },
      { locationId: 'wh/c', quantity: '1' },
      { locationId: 'wh/c', quantity: '1' },
    ]);
    expect(result.reserved).toBe('4');
    expect(result.missing).toBe('1');
  });

  it('RES5 plans the same lines whatever the order of the quants', () => {
    const quants = [
      quant('wh/a', '1', 1, 'L2'),
      quant('wh/b', '1', 1, 'L1'),
      quant('wh/a', '1', 1, 'L1'),
      quant('wh/b', '1', 1),
      quant('wh/a', '1', 1),
    ];
    const expected = plan('fifo', quants, '4').lines;

    for (const order of [
      [...quants].reverse(),
      [quants[3]!, quants[0]!, quants[4]!, quants[2]!, quants[1]!],
    ]) {
      expect(plan('fifo', order, '4').lines).toEqual(expected);
    }
    expect(expected.map((line) => `${line.locationId}/${line.lotId ?? ''}`)).toEqual([
      'wh/a/L1',
      'wh/a/L2',
      'wh/b/L1',
      'wh/a/',
    ]);
  });

  it('RES6 refuses a quantity that is not positive', () => {
    expect(codeOf(() => plan('fifo', [], '0'))).toBe('reservation-quantity-invalid');
    expect(codeOf(() => plan('fifo', [], '-1'))).toBe('reservation-quantity-invalid');
    expect(codeOf(() => plan('fifo', [], 'two'))).toBe('reservation-quantity-invalid');
  });
});
