import { compare, type Decimal, positiveDecimal, round, subtract, toScaled } from './decimal.js';
import { DomainError } from './errors.js';
import type { Lot, MoveLine, Quant, RemovalStrategy } from './model.js';

/** Codes of the errors that {@link planReservation} throws. */
export type ReservationErrorCode = 'reservation-quantity-invalid';

/** What a move leaving stock asks for, and the stock it may take from. */
export interface ReservationRequest {
  readonly productId: string;
  /** The quantity to reserve, in the product's unit; positive. */
  readonly quantity: Decimal;
  /** The quants of the product; quants of other products are ignored. */
  readonly quants: readonly Quant[];
  /** How much of a quant other open moves already hold. */
  readonly reservedElsewhere: (quant: Quant) => Decimal;
  /** The removal strategy of the product, else of the source location. */
  readonly strategy: RemovalStrategy;
  /** The lots of the product, for the dates FEFO sorts by. */
  readonly lots: readonly Lot[];
  /** Whether a location lies in the move's source scope. */
  readonly within: (locationId: string) => boolean;
  /** Whether the product is tracked by serial number, so that only whole units are reserved. */
  readonly serial: boolean;
}

/** The stock a move can hold, and what it still lacks. */
export interface ReservationPlan {
  /** In removal order. */
  readonly lines: MoveLine[];
  readonly reserved: Decimal;
  /** `quantity - reserved`; the move waits for it. */
  readonly missing: Decimal;
}

/**
 * Picks the stock a move leaving its source scope holds, in removal order: lotted quants first,
 * then unlotted ones; within each group FIFO takes the oldest arrival first, LIFO the newest, and
 * FEFO the lot that must leave first (its removal date, else its expiry date; lots without dates
 * last). Ties fall back to the arrival date, then the location id and lot id, so that every
 * replica plans the same lines from the same quants.
 *
 * Empty and negative quants, and quants that other moves already hold in full, are skipped. What
 * cannot be found stays missing: the reservation is partial and the move waits for the rest.
 *
 * A serial-tracked product is reserved one whole unit per line, and a quant carrying a serial
 * number gives at most one unit: a serial stands for one unit, and a quant with more of it is a
 * duplicate-serial conflict to settle before anything ships.
 *
 * @param request - The product, quantity, strategy and the stock to choose from.
 * @returns The lines to reserve, the quantity they hold and the quantity still missing.
 * @throws {DomainError} `reservation-quantity-invalid` when the quantity is not a positive decimal.
 * @example
 * ```ts
 * const plan = planReservation({
 *   productId: 'beans', quantity: '5', quants, lots, strategy: 'fefo', serial: false,
 *   within: (id) => isWithin(id, 'wh/stock'), reservedElsewhere: (quant) => held(quant),
 * });
 * // plan.lines: [{ locationId: 'wh/stock/a', lotId: 'L1', quantity: '3' }, ...]
 * ```
 */
export function planReservation(request: ReservationRequest): ReservationPlan {
  const quantity = positive(request.quantity);

  const lots = new Map(request.lots.map((lot) => [lot.id, lot]));
  const candidates = request.quants.filter(
    (quant) =>
      quant.productId === request.productId &&
      request.within(quant.locationId) &&
      compare(quant.quantity, '0') > 0,
  );
  candidates.sort(removalOrder(request.strategy, lots));

  const lines: MoveLine[] = [];
  let remaining = quantity;
  for (const quant of candidates) {
    if (compare(remaining, '0') <= 0) break;

    const free = subtract(quant.quantity, request.reservedElsewhere(quant));
    const take = request.serial ? wholeUnits(free, remaining, quant) : min(free, remaining);
    if (compare(take, '0') <= 0) continue;

    const line = { locationId: quant.locationId, quantity: take };
    const lotted = quant.lotId === undefined ? line : { ...line, lotId: quant.lotId };
    if (request.serial) {
      for (let unit = toScaled(take, 0); unit > 0; unit--) lines.push({ ...lotted, quantity: '1' });
    } else {
      lines.push(lotted);
    }
    remaining = subtract(remaining, take);
  }

  const reserved = subtract(quantity, remaining);
  return { lines, reserved, missing: remaining };
}

/**
 * The order in which quants leave, as a comparator: lotted before unlotted, then the strategy,
 * then arrival, location and lot, so that no two distinct quants compare equal.
 */
function removalOrder(
  strategy: RemovalStrategy,
  lots: ReadonlyMap<string, Lot>,
): (a: Quant, b: Quant) => number {
  return (a, b) => {
    const lotted = Number(a.lotId === undefined) - Number(b.lotId === undefined);
    if (lotted !== 0) return lotted;

    if (strategy === 'fefo') {
      const lotA = a.lotId === undefined ? undefined : lots.get(a.lotId);
      const lotB = b.lotId === undefined ? undefined : lots.get(b.lotId);
      const byRemoval = compareDates(
        lotA?.removeOn ?? lotA?.expiresOn,
        lotB?.removeOn ?? lotB?.expiresOn,
      );
      if (byRemoval !== 0) return byRemoval;
      const byExpiry = compareDates(lotA?.expiresOn, lotB?.expiresOn);
      if (byExpiry !== 0) return byExpiry;
    }

    const byArrival = strategy === 'lifo' ? b.inDate - a.inDate : a.inDate - b.inDate;
    if (byArrival !== 0) return byArrival;
    return compareIds(a.locationId, b.locationId) || compareIds(a.lotId ?? '', b.lotId ?? '');
  };
}

/** ISO calendar dates sort as text; a missing date sorts after every date. */
function compareDates(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

/** Compares by code units, never by locale, so that every replica sorts ids alike. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function min(a: Decimal, b: Decimal): Decimal {
  return compare(a, b) <= 0 ? a : b;
}

/** The whole units a serial-tracked quant can give: one for a serial, any number without one. */
function wholeUnits(free: Decimal, remaining: Decimal, quant: Quant): Decimal {
  const wanted = min(free, remaining);
  return round(quant.lotId === undefined ? wanted : min(wanted, '1'), '1', 'down');
}

function positive(quantity: Decimal): Decimal {
  const value = positiveDecimal(quantity);
  if (value === undefined) {
    throw new DomainError<ReservationErrorCode>(
      'reservation-quantity-invalid',
      `a move reserves a positive quantity, not "${quantity}"`,
    );
  }
  return value;
}
