import { compare, decimalPlaces, positiveDecimal, type Decimal } from './decimal.js';
import { DomainError } from './errors.js';
import type { LocationTree } from './location.js';
import type { Move, MoveState, Product } from './model.js';

/**
 * The steps a move may take. Waiting means the stock is not there yet (or a previous move is not
 * done); confirmed means it could be reserved; assigned means it is reserved. Unreserving goes back
 * from assigned to confirmed. Done and cancelled are final: a done move is a fact, and a
 * correction is a new move.
 */
export const MOVE_TRANSITIONS: Readonly<Record<MoveState, readonly MoveState[]>> = Object.freeze({
  draft: Object.freeze(['waiting', 'confirmed', 'cancelled'] as const),
  waiting: Object.freeze(['confirmed', 'assigned', 'cancelled'] as const),
  confirmed: Object.freeze(['waiting', 'assigned', 'done', 'cancelled'] as const),
  assigned: Object.freeze(['confirmed', 'done', 'cancelled'] as const),
  done: Object.freeze([] as const),
  cancelled: Object.freeze([] as const),
});

/** The states in which a move is planned but not yet done: it counts as incoming or outgoing. */
export const OPEN_MOVE_STATES: readonly MoveState[] = Object.freeze([
  'waiting',
  'confirmed',
  'assigned',
]);

/**
 * @param state - A move's state.
 * @returns `true` for waiting, confirmed and assigned moves.
 */
export function isOpenMove(state: MoveState): boolean {
  return state === 'waiting' || state === 'confirmed' || state === 'assigned';
}

/** Codes of the errors that the move functions throw. */
export type MoveErrorCode =
  | 'move-transition-forbidden'
  | 'move-product-unknown'
  | 'move-location-unknown'
  | 'move-quantity-not-positive'
  | 'move-quantity-precision'
  | 'move-locations-same'
  | 'move-product-service'
  | 'move-location-view'
  | 'move-lot-untracked'
  | 'move-lot-required'
  | 'move-serial-quantity';

/**
 * @param from - The move's current state.
 * @param to - The state asked for.
 * @returns `true` when {@link MOVE_TRANSITIONS} allows the step; staying in a state is no step.
 */
export function canTransition(from: MoveState, to: MoveState): boolean {
  return MOVE_TRANSITIONS[from]?.includes(to) ?? false;
}

/**
 * Moves a move to another state. Only the state changes: setting or releasing the reservation and
 * the date it was done belongs to the command that asks for the step, in the same write.
 *
 * @param move - The move as stored.
 * @param to - The state asked for.
 * @returns A new move object in state `to`; `move` is left as it was.
 * @throws {DomainError} `move-transition-forbidden` when {@link MOVE_TRANSITIONS} does not allow
 *   the step, such as anything after done.
 */
export function transitionMove<M extends Move>(move: M, to: MoveState): M {
  if (!canTransition(move.state, to)) {
    const allowed = MOVE_TRANSITIONS[move.state] ?? [];
    throw new DomainError<MoveErrorCode>(
      'move-transition-forbidden',
      `move "${move.id}" cannot go from ${move.state} to ${to}; ` +
        (allowed.length === 0
          ? `${move.state} is final, so record a new move instead`
          : `from ${move.state} it can go to ${allowed.join(', ')}`),
    );
  }
  return { ...move, state: to };
}

/** A move as a command proposes it: the quantity may still be a number, the state defaults. */
export interface MoveDraft extends Omit<Move, 'quantity' | 'state'> {
  /** In the product's unit. */
  readonly quantity: Decimal | number;
  /** `'draft'` when absent. */
  readonly state?: MoveState | undefined;
}

/** What {@link validateMoveDraft} checks a draft against. */
export interface MoveContext {
  readonly products: ReadonlyMap<string, Product>;
  readonly tree: LocationTree;
  /**
   * The decimal places of a product's unit (2 for a rounding of 0.01). When given, a quantity
   * with more places is refused, so the ledger only ever holds what the unit can count.
   */
  readonly places?: ((productId: string) => number) | undefined;
}

/**
 * Checks a move before it is written, and normalizes it: the quantity in canonical decimal form,
 * the state defaulting to draft, an empty lot removed. Nothing is written here.
 *
 * A move naming a serial number moves exactly one unit. A move of a serial-tracked product that
 * names no serial yet, such as a planned receipt of 10 phones, may carry any quantity; it is split
 * into one move per serial before it is done, since a done move of a tracked product needs a lot.
 *
 * @param draft - The move to check.
 * @param context - The products and locations it refers to.
 * @returns The move to write.
 * @throws {DomainError} `move-product-unknown`, `move-location-unknown`, `move-product-service`,
 *   `move-quantity-not-positive`, `move-quantity-precision`, `move-locations-same`,
 *   `move-location-view`, `move-lot-untracked`, `move-serial-quantity` or `move-lot-required`,
 *   in that order of checking.
 */
export function validateMoveDraft(draft: MoveDraft, context: MoveContext): Move {
  const product = context.products.get(draft.productId);
  if (product === undefined) {
    throw new DomainError<MoveErrorCode>(
      'move-product-unknown',
      `product "${draft.productId}" does not exist; pick a product from the catalog`,
    );
  }
  for (const id of [draft.sourceId, draft.destinationId]) {
    if (!context.tree.has(id)) {
      throw new DomainError<MoveErrorCode>(
        'move-location-unknown',
        `location "${id}" does not exist; pick an existing location`,
      );
    }
  }
  if (product.type === 'service') {
    throw new DomainError<MoveErrorCode>(
      'move-product-service',
      `"${product.name}" is a service, and services have no stock to move`,
    );
  }

  const quantity = positiveQuantity(draft.quantity);
  const places = context.places?.(product.id);
  if (places !== undefined && decimalPlaces(quantity) > places) {
    throw new DomainError<MoveErrorCode>(
      'move-quantity-precision',
      `${quantity} has more than ${places} decimal places, which the unit of ` +
        `"${product.name}" cannot count; round it to the unit's precision`,
    );
  }

  if (draft.sourceId === draft.destinationId) {
    throw new DomainError<MoveErrorCode>(
      'move-locations-same',
      `the move goes from "${draft.sourceId}" to itself; pick another destination`,
    );
  }
  for (const id of [draft.sourceId, draft.destinationId]) {
    if (context.tree.usage(id) === 'view') {
      throw new DomainError<MoveErrorCode>(
        'move-location-view',
        `"${context.tree.fullName(id)}" only groups other locations and holds no stock; ` +
          'pick one of the locations inside it',
      );
    }
  }

  const lotId = draft.lotId?.trim() || undefined;
  const state = draft.state ?? 'draft';
  if (lotId !== undefined && product.tracking === 'none') {
    throw new DomainError<MoveErrorCode>(
      'move-lot-untracked',
      `"${product.name}" is not tracked by lot or serial; remove the lot from the move`,
    );
  }
  if (lotId !== undefined && product.tracking === 'serial' && compare(quantity, '1') !== 0) {
    throw new DomainError<MoveErrorCode>(
      'move-serial-quantity',
      `a serial number stands for one unit, but the move carries ${quantity}; ` +
        'record one move per serial number',
    );
  }
  if (lotId === undefined && state === 'done' && product.tracking !== 'none') {
    throw new DomainError<MoveErrorCode>(
      'move-lot-required',
      `"${product.name}" is tracked by ${product.tracking}; ` +
        `give the ${product.tracking === 'lot' ? 'lot' : 'serial number'} before the move is done`,
    );
  }

  return { ...withoutUndefined(draft), quantity, state, ...(lotId !== undefined && { lotId }) };
}

function positiveQuantity(quantity: Decimal | number): Decimal {
  const value = positiveDecimal(quantity);
  if (value === undefined) {
    throw new DomainError<MoveErrorCode>(
      'move-quantity-not-positive',
      `${JSON.stringify(quantity)} is not a positive quantity; ` +
        'a move carries more than zero, and a return is a move the other way',
    );
  }
  return value;
}

/** Drops absent optional fields, so that the record written has no keys holding `undefined`. */
function withoutUndefined(draft: MoveDraft): Omit<Move, 'quantity' | 'state'> {
  const copy: Record<string, unknown> = {};
  // A plain loop: booking a move is a hot path, and `Object.entries` builds an array per key.
  for (const key in draft) {
    const value = draft[key as keyof MoveDraft];
    if (value !== undefined && key !== 'lotId') copy[key] = value;
  }
  return copy as unknown as Omit<Move, 'quantity' | 'state'>;
}
