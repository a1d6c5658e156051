import { describe, expect, it } from 'vitest';

import { LocationTree, VIRTUAL_LOCATION_IDS, VIRTUAL_LOCATIONS } from '../src/location.js';
import type { Move, MoveState } from '../src/model.js';
import {
  canTransition,
  isOpenMove,
  MOVE_TRANSITIONS,
  transitionMove,
  validateMoveDraft,
  type MoveContext,
  type MoveDraft,
} from '../src/move.js';
import { planWarehouse } from '../src/warehouse.js';
import { codeOf, productFixture } from './support.js';

const STATES: MoveState[] = ['draft', 'waiting', 'confirmed', 'assigned', 'done', 'cancelled'];

const { warehouse, locations } = planWarehouse({
  id: 'wh',
  code: 'WH',
  name: 'Main',
  receptionSteps: 1,
  deliverySteps: 1,
});
const STOCK = warehouse.stockLocationId;
const VENDORS = VIRTUAL_LOCATION_IDS.vendors;

const CONTEXT: MoveContext = {
  products: new Map(
    [
      productFixture('beans', { name: 'Coffee beans' }),
      productFixture('milk', { tracking: 'lot' }),
      productFixture('phone', { tracking: 'serial' }),
      productFixture('cups', { type: 'consumable' }),
      productFixture('repair', { type: 'service' }),
    ].map((item) => [item.id, item]),
  ),
  tree: new LocationTree([...VIRTUAL_LOCATIONS, ...locations]),
};

const DRAFT: MoveDraft = {
  id: 'm1',
  productId: 'beans',
  quantity: '5',
  sourceId: VENDORS,
  destinationId: STOCK,
  date: 1_700_000_000_000,
};

const MOVE: Move = { ...DRAFT, quantity: '5', state: 'draft' };

describe('move states', () => {
  it('MOV1 allows exactly the listed steps, and none out of done or cancelled', () => {
    const allowed = new Set([
      'draft>waiting',
      'draft>confirmed',
      'draft>cancelled',
      'waiting>confirmed',
      'waiting>assigned',
      'waiting>cancelled',
      'confirmed>waiting',
      'confirmed>assigned',
      'confirmed>done',
      'confirmed>cancelled',
      'assigned>confirmed',
      'assigned>done',
      'assigned>cancelled',
    ]);

    for (const from of STATES) {
      for (const to of STATES) {
        expect(canTransition(from, to), `${from} to ${to}`).toBe(allowed.has(`${from}>${to}`));
      }
    }
    expect(MOVE_TRANSITIONS.done).toEqual([]);
    expect(MOVE_TRANSITIONS.cancelled).toEqual([]);
  });

  it('MOV1 returns a new move in the new state and leaves the old one untouched', () => {
    const confirmed = transitionMove(MOVE, 'confirmed');
    const unreserved = transitionMove(transitionMove(confirmed, 'assigned'), 'confirmed');

    expect(confirmed).toEqual({ ...MOVE, state: 'confirmed' });
    expect(MOVE.state).toBe('draft');
    expect(unreserved.state).toBe('confirmed');
  });

  it('MOV1 refuses a forbidden step and names both states', () => {
    const done: Move = { ...MOVE, state: 'done' };

    expect(codeOf(() => transitionMove(done, 'cancelled'))).toBe('move-transition-forbidden');
    expect(() => transitionMove(done, 'cancelled')).toThrow(/from done to cancelled.*final/);
    expect(() => transitionMove(MOVE, 'assigned')).toThrow(
      /from draft to assigned.*waiting, confirmed, cancelled/,
    );
  });

  it('MOV1 counts waiting, confirmed and assigned moves as open', () => {
    expect(STATES.filter(isOpenMove)).toEqual(['waiting', 'confirmed', 'assigned']);
  });
});

describe('move drafts', () => {
  it('MOV2 refuses an unknown product or location', () => {
    expect(codeOf(() => validateMoveDraft({ ...DRAFT, productId: 'tea' }, CONTEXT))).toBe(
      'move-product-unknown',
    );
    expect(codeOf(() => validateMoveDraft({ ...DRAFT, sourceId: 'dock' }, CONTEXT))).toBe(
      'move-location-unknown',
    );
    expect(() => validateMoveDraft({ ...DRAFT, destinationId: 'dock' }, CONTEXT)).toThrow(/"dock"/);
  });

  it('MOV3 normalizes the quantity and refuses one that is not a positive decimal', () => {
    expect(validateMoveDraft({ ...DRAFT, quantity: '2.50' }, CONTEXT).quantity).toBe('2.5');
    expect(validateMoveDraft({ ...DRAFT, quantity: 0.1 }, CONTEXT).quantity).toBe('0.1');
    for (const quantity of ['0', '-1', 'abc', '', Number.NaN]) {
      expect(codeOf(() => validateMoveDraft({ ...DRAFT, quantity }, CONTEXT))).toBe(
        'move-quantity-not-positive',
      );
    }
  });

  it("MOV3 refuses a quantity finer than the product's unit when its places are given", () => {
    const context: MoveContext = { ...CONTEXT, places: () => 2 };

    expect(validateMoveDraft({ ...DRAFT, quantity: '1.25' }, context).quantity).toBe('1.25');
    expect(codeOf(() => validateMoveDraft({ ...DRAFT, quantity: '1.255' }, context))).toBe(
      'move-quantity-precision',
    );
  });

  it('MOV4 refuses a move to where it comes from, and a view location at either end', () => {
    expect(codeOf(() => validateMoveDraft({ ...DRAFT, sourceId: STOCK }, CONTEXT))).toBe(
      'move-locations-same',
    );
    expect(
      codeOf(() =>
        validateMoveDraft({ ...DRAFT, destinationId: warehouse.viewLocationId }, CONTEXT),
      ),
    ).toBe('move-location-view');
    expect(
      codeOf(() =>
        validateMoveDraft({ ...DRAFT, sourceId: VIRTUAL_LOCATION_IDS.partners }, CONTEXT),
      ),
    ).toBe('move-location-view');
    expect(() =>
      validateMoveDraft({ ...DRAFT, destinationId: warehouse.viewLocationId }, CONTEXT),
    ).toThrow(/"WH" only groups/);
  });

  it('MOV5 refuses to move a service, and moves a consumable like a storable product', () => {
    expect(codeOf(() => validateMoveDraft({ ...DRAFT, productId: 'repair' }, CONTEXT))).toBe(
      'move-product-service',
    );
    expect(validateMoveDraft({ ...DRAFT, productId: 'cups' }, CONTEXT).productId).toBe('cups');
  });

  it('MOV6 refuses a lot on a product that is not tracked and drops an empty one', () => {
    expect(codeOf(() => validateMoveDraft({ ...DRAFT, lotId: 'L1' }, CONTEXT))).toBe(
      'move-lot-untracked',
    );
    expect(validateMoveDraft({ ...DRAFT, lotId: ' ' }, CONTEXT)).not.toHaveProperty('lotId');
  });

  it('MOV6 needs a lot or serial before a move of a tracked product is done', () => {
    const milk: MoveDraft = { ...DRAFT, productId: 'milk', state: 'done' };

    expect(codeOf(() => validateMoveDraft(milk, CONTEXT))).toBe('move-lot-required');
    expect(() => validateMoveDraft(milk, CONTEXT)).toThrow(/give the lot/);
    expect(validateMoveDraft({ ...milk, lotId: 'L1' }, CONTEXT).lotId).toBe('L1');
    expect(validateMoveDraft({ ...milk, state: 'confirmed' }, CONTEXT).state).toBe('confirmed');
    expect(
      codeOf(() => validateMoveDraft({ ...DRAFT, productId: 'phone', state: 'done' }, CONTEXT)),
    ).toBe('move-lot-required');
  });

  it('MOV6 moves one unit per serial number, and any quantity before serials are given', () => {
    const phone: MoveDraft = { ...DRAFT, productId: 'phone', lotId: 'SN-1' };

    expect(validateMoveDraft({ ...phone, quantity: '1' }, CONTEXT).quantity).toBe('1');
    expect(codeOf(() => validateMoveDraft({ ...phone, quantity: '2' }, CONTEXT))).toBe(
      'move-serial-quantity',
    );
    expect(codeOf(() => validateMoveDraft({ ...phone, quantity: '0.5' }, CONTEXT))).toBe(
      'move-serial-quantity',
    );
    expect(
      validateMoveDraft({ ...DRAFT, productId: 'phone', quantity: '10' }, CONTEXT).quantity,
    ).toBe('10');
  });

  it('MOV7 returns the move to write: draft by default, no keys holding undefined', () => {
    const move = validateMoveDraft({ ...DRAFT, origin: undefined, lotId: undefined }, CONTEXT);

    expect(move).toEqual({ ...DRAFT, state: 'draft' });
    expect(Object.keys(move)).not.toContain('origin');
    expect(Object.keys(move)).not.toContain('lotId');
  });
});
