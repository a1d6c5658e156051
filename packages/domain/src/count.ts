import { compare, type Decimal, decimal, negate, round, subtract } from './decimal.js';
import { DomainError } from './errors.js';
import type { Count, Tracking } from './model.js';

/** Codes of the errors that {@link validateCountDraft} throws. */
export type CountErrorCode =
  'count-quantity-invalid' | 'count-quantity-negative' | 'count-serial-quantity';

/** What a person counted for one product, location and lot, before it is recorded. */
export interface CountDraft {
  readonly productId: string;
  readonly locationId: string;
  readonly lotId?: string | undefined;
  /** The counted quantity as typed, in the product's unit. */
  readonly counted: string;
}

/** How a product is counted: its tracking and the precision of its unit. */
export interface CountedProduct {
  readonly tracking: Tracking;
  /** The rounding of the product's unit, such as `'1'` or `'0.01'`. */
  readonly rounding: Decimal;
}

/**
 * Checks a count before it is recorded.
 *
 * @param draft - The product, location, lot and the quantity as typed.
 * @param product - The product's tracking and unit rounding.
 * @returns The counted quantity as a canonical decimal, rounded half-up to the unit's precision.
 * @throws {DomainError} `count-quantity-invalid` when the quantity is not a decimal number,
 *   `count-quantity-negative` when it is below zero, `count-serial-quantity` when a serial
 *   number is counted as anything but 0 or 1.
 */
export function validateCountDraft(draft: CountDraft, product: CountedProduct): Decimal {
  let counted: Decimal;
  try {
    counted = round(decimal(draft.counted), product.rounding);
  } catch {
    throw new DomainError<CountErrorCode>(
      'count-quantity-invalid',
      `"${draft.counted}" is not a quantity; write digits with a point, such as 12.5`,
    );
  }

  if (compare(counted, '0') < 0) {
    throw new DomainError<CountErrorCode>(
      'count-quantity-negative',
      `a count cannot be negative (${counted}); count what is on the shelf, 0 if nothing`,
    );
  }
  if (product.tracking === 'serial' && compare(counted, '0') !== 0 && compare(counted, '1') !== 0) {
    throw new DomainError<CountErrorCode>(
      'count-serial-quantity',
      `a serial number stands for one unit, so it is counted as 0 or 1, not ${counted}`,
    );
  }

  return counted;
}

/** The move that books a count's difference, with the inventory location on the other side. */
export interface CountMove {
  readonly productId: string;
  /** In the product's unit; always positive. */
  readonly quantity: Decimal;
  readonly sourceId: string;
  readonly destinationId: string;
  readonly lotId?: string | undefined;
}

/** What applying a count comes to. */
export type CountOutcome =
  | { readonly kind: 'move'; readonly move: CountMove }
  | { readonly kind: 'none' }
  | { readonly kind: 'outdated'; readonly expected: Decimal; readonly current: Decimal };

/** How to apply a count. */
export interface ApplyCountOptions {
  /** The location of usage `inventory` that gains and losses are booked against. */
  readonly inventoryLocationId: string;
  /** Set once the user has seen that the quant changed since the count and applies it anyway. */
  readonly confirmOutdated?: boolean | undefined;
  /** The rounding of the product's unit; quantities are compared at this precision. */
  readonly rounding: Decimal;
}

/**
 * Tells whether the quant changed since a count was taken: another device booked a move that the
 * counter's replica had not seen, so the count may not account for it.
 *
 * @param count - The recorded count, with the quantity its replica showed.
 * @param current - The quantity on hand now for the count's product, location and lot.
 * @param rounding - The rounding of the product's unit.
 * @returns `true` when the two differ at the unit's precision.
 * @throws {DomainError} `decimal-invalid` when `rounding` is not positive.
 */
export function isCountOutdated(count: Count, current: Decimal, rounding: Decimal): boolean {
  return compare(round(count.expected, rounding), round(current, rounding)) !== 0;
}

/**
 * Turns a count into the move that makes the ledger agree with it. The difference is computed
 * now, against the quantity on hand now, never against what the counter saw: a count is a
 * statement about the shelf, and the ledger may have moved since.
 *
 * A gain moves from the inventory location into the counted location, a loss the other way.
 * When the quant changed after the count was taken, the count is outdated: booking it blindly
 * would erase the other device's move, so the outcome asks for confirmation instead, unless
 * `confirmOutdated` says it was given. A count that already matches needs nothing, outdated or
 * not, since applying it would change nothing.
 *
 * @param count - The recorded count.
 * @param current - The quantity on hand now for the count's product, location and lot.
 * @param options - The inventory location, the unit's rounding and the user's confirmation.
 * @returns A move for the difference, `none` when nothing differs, or `outdated` with the
 *   quantity the counter saw and the quantity on hand now.
 * @throws {DomainError} `decimal-invalid` when `rounding` is not positive.
 * @example
 * ```ts
 * const outcome = applyCount(count, onHand, { inventoryLocationId: 'inv', rounding: '1' });
 * if (outcome.kind === 'outdated') askToConfirm(outcome.expected, outcome.current);
 * ```
 */
export function applyCount(
  count: Count,
  current: Decimal,
  options: ApplyCountOptions,
): CountOutcome {
  const counted = round(count.counted, options.rounding);
  const onHand = round(current, options.rounding);
  const difference = subtract(counted, onHand);
  if (compare(difference, '0') === 0) return { kind: 'none' };

  if (isCountOutdated(count, current, options.rounding) && options.confirmOutdated !== true) {
    return { kind: 'outdated', expected: round(count.expected, options.rounding), current: onHand };
  }

  const gain = compare(difference, '0') > 0;
  const move: CountMove = {
    productId: count.productId,
    quantity: gain ? difference : negate(difference),
    sourceId: gain ? options.inventoryLocationId : count.locationId,
    destinationId: gain ? count.locationId : options.inventoryLocationId,
    ...(count.lotId !== undefined && { lotId: count.lotId }),
  };
  return { kind: 'move', move };
}
