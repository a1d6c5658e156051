import { describe, expect, it } from 'vitest';

import {
  duplicateSerialConflicts,
  negativeStockConflicts,
  outdatedCountConflicts,
  reservationVerdicts,
  type OnHand,
} from '../src/conflicts.js';
import type { Count, Move, MoveLine, Quant } from '../src/model.js';
import { seededRandom, shuffled } from './support.js';

function reserving(id: string, at: number, client: number, lines: MoveLine[]): Move {
  return {
    id,
    productId: 'beans',
    quantity: lines.reduce((sum, line) => sum + Number(line.quantity), 0).toString(),
    sourceId: 'wh/stock',
    destinationId: 'partners/customers',
    state: 'assigned',
    date: at,
    reservation: { lines, at, client },
  };
}

function stock(quantities: Record<string, string>): OnHand {
  return (productId, locationId, lotId) =>
    quantities[`${productId}:${locationId}:${lotId ?? ''}`] ?? '0';
}

const line = (locationId: string, quantity: string, lotId?: string): MoveLine => ({
  locationId,
  quantity,
  ...(lotId !== undefined && { lotId }),
});

describe('reservation verdicts', () => {
  it('CFL1 keeps the earlier reservation when two devices reserve the last unit', () => {
    const onHand = stock({ 'beans:wh/stock:': '1' });
    const tablet = reserving('m-tablet', 1000, 7, [line('wh/stock', '1')]);
    const laptop = reserving('m-laptop', 1500, 3, [line('wh/stock', '1')]);

    const { kept, conflicts } = reservationVerdicts(onHand, [laptop, tablet]);

    expect([...kept]).toEqual(['m-tablet']);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      id: 'reservation:beans:wh/stock:',
      kind: 'reservation',
      productId: 'beans',
      locationId: 'wh/stock',
      moveIds: ['m-laptop'],
      quantity: '1',
      resolutions: [
        { kind: 'unreserve', moveId: 'm-laptop' },
        { kind: 'count', productId: 'beans', locationId: 'wh/stock' },
      ],
    });
    expect(conflicts[0]!.message).toMatch(
      /1 move reserved 1 of product beans in location wh\/stock that another device reserved first/,
    );
  });

  it('CFL1 reaches the same verdict whatever the order the replicas hold the moves in', () => {
    const onHand = stock({ 'beans:wh/a:L1': '3', 'beans:wh/b:': '2', 'beans:wh/a:': '1' });
    const moves = [
      reserving('m1', 10, 2, [line('wh/a', '2', 'L1')]),
      reserving('m2', 10, 1, [line('wh/a', '2', 'L1'), line('wh/b', '1')]),
      reserving('m3', 12, 1, [line('wh/b', '1')]),
      reserving('m4', 11, 5, [line('wh/b', '1'), line('wh/a', '1')]),
      reserving('m5', 13, 5, [line('wh/a', '1', 'L1')]),
      reserving('m6', 14, 1, [line('wh/a', '1')]),
    ];
    const expected = reservationVerdicts(onHand, moves);

    for (let seed = 1; seed <= 50; seed++) {
      const verdict = reservationVerdicts(onHand, shuffled(moves, seededRandom(seed)));
      expect([...verdict.kept].sort(), `seed ${seed}`).toEqual([...expected.kept].sort());
      expect(verdict.conflicts, `seed ${seed}`).toEqual(expected.conflicts);
    }
    expect([...expected.kept].sort()).toEqual(['m2', 'm4', 'm5']);
    expect(expected.conflicts.map((conflict) => [conflict.id, conflict.moveIds])).toEqual([
      ['reservation:beans:wh/a:', ['m6']],
      ['reservation:beans:wh/a:L1', ['m1']],
      ['reservation:beans:wh/b:', ['m3']],
    ]);
  });

  it('CFL1 breaks ties in time by client id, then by move id', () => {
    const onHand = stock({ 'beans:wh/stock:': '1' });
    const byClient = [
      reserving('m-a', 500, 9, [line('wh/stock', '1')]),
      reserving('m-b', 500, 4, [line('wh/stock', '1')]),
    ];
    const byId = [
      reserving('m-z', 500, 4, [line('wh/stock', '1')]),
      reserving('m-y', 500, 4, [line('wh/stock', '1')]),
    ];

    expect([...reservationVerdicts(onHand, byClient).kept]).toEqual(['m-b']);
    expect([...reservationVerdicts(onHand, byId).kept]).toEqual(['m-y']);
  });

  it('CFL2 takes away the whole reservation of a move that does not fit in one bucket', () => {
    const onHand = stock({ 'beans:wh/a:': '5', 'beans:wh/b:': '1' });
    const first = reserving('m1', 1, 1, [line('wh/b', '1')]);
    const both = reserving('m2', 2, 1, [line('wh/a', '4'), line('wh/b', '1')]);
    const later = reserving('m3', 3, 1, [line('wh/a', '5')]);

    const { kept, conflicts } = reservationVerdicts(onHand, [later, both, first]);

    expect([...kept].sort()).toEqual(['m1', 'm3']);
    expect(conflicts.map((conflict) => conflict.id)).toEqual(['reservation:beans:wh/b:']);
  });

  it('CFL2 keeps a later reservation that still fits after an earlier one lost', () => {
    const onHand = stock({ 'beans:wh/a:': '5' });
    const moves = [
      reserving('m1', 1, 1, [line('wh/a', '4')]),
      reserving('m2', 2, 1, [line('wh/a', '3')]),
      reserving('m3', 3, 1, [line('wh/a', '1')]),
    ];

    const { kept, conflicts } = reservationVerdicts(onHand, moves);

    expect([...kept].sort()).toEqual(['m1', 'm3']);
    expect(conflicts[0]).toMatchObject({ moveIds: ['m2'], quantity: '3' });
  });

  it('CFL2 adds the unit lines of a serial move together in their bucket', () => {
    const onHand = stock({ 'beans:wh/a:': '2' });
    const units = reserving('m1', 1, 1, [line('wh/a', '1'), line('wh/a', '1'), line('wh/a', '1')]);

    const { kept, conflicts } = reservationVerdicts(onHand, [units]);

    expect(kept.size).toBe(0);
    expect(conflicts[0]).toMatchObject({ moveIds: ['m1'], quantity: '3' });
  });

  it('CFL3 judges only open moves that hold stock, with exact decimals', () => {
    const onHand = stock({ 'beans:wh/a:': '0.3' });
    const moves: Move[] = [
      reserving('m1', 1, 1, [line('wh/a', '0.1')]),
      reserving('m2', 2, 1, [line('wh/a', '0.2')]),
      { ...reserving('m3', 0, 1, [line('wh/a', '5')]), state: 'done' },
      { ...reserving('m4', 0, 1, [line('wh/a', '5')]), state: 'cancelled' },
      { ...reserving('m5', 0, 1, []), state: 'confirmed' },
    ];

    const { kept, conflicts } = reservationVerdicts(onHand, moves);

    expect([...kept].sort()).toEqual(['m1', 'm2']);
    expect(conflicts).toEqual([]);
  });
});

describe('negative stock', () => {
  const internal = (locationId: string) => locationId.startsWith('wh/');
  const quant = (locationId: string, quantity: string, lotId?: string): Quant => ({
    productId: 'beans',
    locationId,
    quantity,
    inDate: 0,
    lotId,
  });

  it('CFL4 shows every internal quant below zero, and no other', () => {
    const quants = [
      quant('wh/b', '-1'),
      quant('wh/a', '-0.5', 'L1'),
      quant('wh/c', '3'),
      quant('partners/customers', '-40'),
    ];

    const conflicts = negativeStockConflicts(quants, internal);

    expect(conflicts.map((conflict) => [conflict.id, conflict.quantity])).toEqual([
      ['negative-stock:beans:wh/a:L1', '-0.5'],
      ['negative-stock:beans:wh/b:', '-1'],
    ]);
    expect(conflicts[1]).toMatchObject({
      kind: 'negative-stock',
      locationId: 'wh/b',
      resolutions: [{ kind: 'count', productId: 'beans', locationId: 'wh/b' }],
    });
    expect(conflicts[1]!.message).toMatch(/is -1: more left than arrived/);
    expect(negativeStockConflicts(shuffled(quants, seededRandom(7)), internal)).toEqual(conflicts);
  });
});

describe('duplicate serial numbers', () => {
  const internal = (locationId: string) => locationId.startsWith('wh/');
  const lots = [{ id: 'sn1', productId: 'phone', name: 'SN-0001' }];
  const quant = (locationId: string, quantity: string, lotId = 'sn1'): Quant => ({
    productId: 'phone',
    locationId,
    quantity,
    inDate: 0,
    lotId,
  });
  const receipt = (id: string, lotId = 'sn1'): Move => ({
    id,
    productId: 'phone',
    quantity: '1',
    sourceId: 'partners/vendors',
    destinationId: 'wh/stock',
    lotId,
    state: 'done',
    date: 0,
  });
  const base = { lots, serialProducts: new Set(['phone']), isInternal: internal };

  it('CFL5 reports a serial number received twice, naming both receipts', () => {
    const conflicts = duplicateSerialConflicts({
      ...base,
      quants: [quant('wh/stock', '2')],
      receipts: [receipt('r2'), receipt('r1')],
    });

    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      id: 'duplicate-serial:phone:sn1',
      kind: 'duplicate-serial',
      lotId: 'sn1',
      locationId: 'wh/stock',
      moveIds: ['r1', 'r2'],
      quantity: '2',
      resolutions: [
        { kind: 'rename-serial', lotId: 'sn1' },
        { kind: 'count', productId: 'phone', locationId: 'wh/stock', lotId: 'sn1' },
      ],
    });
    expect(conflicts[0]!.message).toMatch(/SN-0001.*received 2 times/);
  });

  it('CFL5 reports a serial number on hand in two internal locations', () => {
    const conflicts = duplicateSerialConflicts({
      ...base,
      quants: [quant('wh/b', '1'), quant('wh/a', '1'), quant('partners/customers', '-1')],
      receipts: [receipt('r1')],
    });

    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.locationId).toBeUndefined();
    expect(conflicts[0]!.message).toMatch(/on hand in wh\/a, wh\/b/);
    expect(conflicts[0]!.resolutions.map((resolution) => resolution.kind)).toEqual([
      'rename-serial',
      'count',
      'count',
    ]);
  });

  it('CFL5 leaves alone a serial on hand once, returned and received again, or untracked', () => {
    const returned: Move = {
      ...receipt('back'),
      sourceId: 'wh/stock',
      destinationId: 'partners/vendors',
    };

    expect(
      duplicateSerialConflicts({
        ...base,
        quants: [quant('wh/a', '1'), { ...quant('wh/a', '5'), productId: 'beans' }],
        receipts: [receipt('r1'), receipt('r2'), { ...receipt('r3', 'sn9'), state: 'assigned' }],
        returns: [returned],
      }),
    ).toEqual([]);
  });
});

describe('outdated counts', () => {
  it('CFL6 asks to confirm, discard or redo a count whose quant changed since', () => {
    const count = (id: string, expected: string): Count => ({
      id,
      productId: 'beans',
      locationId: 'wh/a',
      counted: '7',
      expected,
      at: 0,
      author: { user: 'ana', client: 1 },
    });
    const onHand = stock({ 'beans:wh/a:': '5.004' });

    const conflicts = outdatedCountConflicts(
      [count('c2', '4'), count('c1', '5'), count('c3', '6')],
      onHand,
      () => '0.01',
    );

    expect(conflicts.map((conflict) => conflict.id)).toEqual([
      'outdated-count:c2',
      'outdated-count:c3',
    ]);
    expect(conflicts[0]).toMatchObject({
      kind: 'outdated-count',
      countId: 'c2',
      quantity: '5',
      resolutions: [
        { kind: 'confirm-count', countId: 'c2' },
        { kind: 'discard-count', countId: 'c2' },
        { kind: 'count', productId: 'beans', locationId: 'wh/a' },
      ],
    });
    expect(conflicts[0]!.message).toMatch(/taken when 4 was on hand, but 5 is on hand now/);
  });
});
