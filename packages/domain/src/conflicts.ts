import { isCountOutdated } from './count.js';
import { add, compare, type Decimal, round } from './decimal.js';
import type { Count, Lot, Move, MoveLine, MoveState, Quant } from './model.js';

// Merges can leave the data in a state that breaks a business rule. Every function here derives
// its verdicts from the data alone, ordered by total orders on ids and times, so that replicas
// holding the same data list the same conflicts with the same ids in the same order, whatever
// order their arrays came in. Nothing here writes: a resolution is a command the user picks.

/** The rules a merge can break. */
export type ConflictKind = 'reservation' | 'negative-stock' | 'duplicate-serial' | 'outdated-count';

/** A command that settles a conflict. */
export type Resolution =
  /** Drops a move's reservation, so that it waits and reserves again from what is left. */
  | { readonly kind: 'unreserve'; readonly moveId: string }
  /** Counts the stock again, so that the ledger says what is on the shelf. */
  | {
      readonly kind: 'count';
      readonly productId: string;
      readonly locationId: string;
      readonly lotId?: string | undefined;
    }
  /** Applies an outdated count anyway, against the quantity on hand now. */
  | { readonly kind: 'confirm-count'; readonly countId: string }
  /** Drops an outdated count, keeping the moves booked since. */
  | { readonly kind: 'discard-count'; readonly countId: string }
  /** Gives a serial number its right name, when two units were recorded under one. */
  | { readonly kind: 'rename-serial'; readonly lotId: string };

/** A broken rule found after a merge, with the commands that can settle it. */
export interface Conflict {
  /** Derived from the kind and what it is about, so that replicas name it alike. */
  readonly id: string;
  readonly kind: ConflictKind;
  readonly productId: string;
  readonly locationId?: string | undefined;
  readonly lotId?: string | undefined;
  /** The moves involved, in the order the verdict considered them. */
  readonly moveIds?: readonly string[] | undefined;
  readonly countId?: string | undefined;
  /** The quantity at stake; what it measures depends on the kind and is said in the message. */
  readonly quantity?: Decimal | undefined;
  /** What went wrong and how to settle it, in English. */
  readonly message: string;
  readonly resolutions: readonly Resolution[];
}

/** The quantity on hand for one product, location and lot; no lot means the unlotted stock. */
export type OnHand = (productId: string, locationId: string, lotId?: string) => Decimal;

/** Which reservations survive a merge, and the conflicts for those that do not. */
export interface ReservationVerdicts {
  /** The moves whose every reserved line fits the stock on hand. */
  readonly kept: Set<string>;
  /** One per bucket in which a reservation did not fit, sorted by id. */
  readonly conflicts: Conflict[];
}

const OPEN: readonly MoveState[] = ['waiting', 'confirmed', 'assigned'];

/**
 * Decides which reservations survive a merge. Two replicas offline may have reserved the same
 * units; once their moves meet, the reservations of open moves are taken one move at a time in
 * the order (time reserved, client id, move id), and a move keeps its reservation when each of
 * its lines still fits the stock on hand of its bucket (product, location, lot) next to the
 * reservations kept before it. A move that does not fit in one bucket loses its whole
 * reservation and goes back to waiting, and it holds nothing in any bucket, so a later, smaller
 * reservation that fits is still kept.
 *
 * @param onHand - The stock on hand of a bucket.
 * @param moves - The moves of the stock document; moves that are not open or hold nothing are
 *   ignored.
 * @returns The ids of the moves that keep their reservation, and one `reservation` conflict per
 *   bucket where some did not fit, naming the losing moves and the quantity they asked for.
 * @example
 * ```ts
 * // Two tablets reserved the last unit offline; both now compute the same verdict.
 * const { kept, conflicts } = reservationVerdicts(onHand, moves);
 * ```
 */
export function reservationVerdicts(onHand: OnHand, moves: readonly Move[]): ReservationVerdicts {
  const holding = moves
    .filter((move) => OPEN.includes(move.state))
    .flatMap((move) => (move.reservation?.lines.length ? [{ move, ...move.reservation }] : []));
  holding.sort((a, b) => a.at - b.at || a.client - b.client || compareIds(a.move.id, b.move.id));

  const used = new Map<string, Decimal>();
  const stock = new Map<string, Decimal>();
  const losers = new Map<string, Loss>();
  const kept = new Set<string>();

  for (const { move } of holding) {
    const asked = bucketTotals(move);
    const short = [...asked].filter(([key, { quantity, line }]) => {
      const here = stock.get(key) ?? onHand(move.productId, line.locationId, line.lotId);
      stock.set(key, here);
      return compare(add(used.get(key) ?? '0', quantity), here) > 0;
    });

    if (short.length === 0) {
      for (const [key, { quantity }] of asked) used.set(key, add(used.get(key) ?? '0', quantity));
      kept.add(move.id);
      continue;
    }
    for (const [key, { quantity, line }] of short) {
      const loss = losers.get(key) ?? { line, productId: move.productId, moveIds: [], quantity };
      if (loss.moveIds.length > 0) loss.quantity = add(loss.quantity, quantity);
      loss.moveIds.push(move.id);
      losers.set(key, loss);
    }
  }

  const conflicts = [...losers.values()].map(({ line, productId, moveIds, quantity }): Conflict => {
    return {
      id: conflictId('reservation', productId, line.locationId, line.lotId),
      kind: 'reservation',
      productId,
      locationId: line.locationId,
      ...(line.lotId !== undefined && { lotId: line.lotId }),
      moveIds,
      quantity,
      message:
        `${plural(moveIds.length, 'move')} reserved ${quantity} of ` +
        `${bucketName(productId, line)} that another device reserved first; once merged, the ` +
        `stock on hand does not cover both. ${moveIds.length === 1 ? 'It goes' : 'They go'} ` +
        `back to waiting: drop the reservation to reserve again from what is left, or count ` +
        `the stock if it is wrong.`,
      resolutions: [
        ...moveIds.map((moveId): Resolution => ({ kind: 'unreserve', moveId })),
        countOf(productId, line.locationId, line.lotId),
      ],
    };
  });

  return { kept, conflicts: sortById(conflicts) };
}

/**
 * Lists the internal stock that went below zero, typically because two devices each shipped the
 * last unit while offline. What physically happened stays recorded; the conflict asks for the
 * missing receipt or a count.
 *
 * @param quants - The quants of the stock document; several for one bucket are added up.
 * @param isInternal - Whether a location holds the company's stock.
 * @returns One `negative-stock` conflict per internal bucket below zero, sorted by id.
 */
export function negativeStockConflicts(
  quants: readonly Quant[],
  isInternal: (locationId: string) => boolean,
): Conflict[] {
  const buckets = new Map<string, { quant: Quant; quantity: Decimal }>();
  for (const quant of quants) {
    if (!isInternal(quant.locationId)) continue;
    const key = bucketKey(quant.productId, quant.locationId, quant.lotId);
    const bucket = buckets.get(key);
    buckets.set(key, { quant, quantity: add(bucket?.quantity ?? '0', quant.quantity) });
  }

  const conflicts: Conflict[] = [];
  for (const { quant, quantity } of buckets.values()) {
    if (compare(quantity, '0') >= 0) continue;
    conflicts.push({
      id: conflictId('negative-stock', quant.productId, quant.locationId, quant.lotId),
      kind: 'negative-stock',
      productId: quant.productId,
      locationId: quant.locationId,
      ...(quant.lotId !== undefined && { lotId: quant.lotId }),
      quantity,
      message:
        `The stock of ${bucketName(quant.productId, quant)} is ${quantity}: more left than ` +
        `arrived, as when two devices ship the last unit while offline. Record the missing ` +
        `receipt, or count the stock to book what is really there.`,
      resolutions: [countOf(quant.productId, quant.locationId, quant.lotId)],
    });
  }

  return sortById(conflicts);
}

/** The data a duplicate serial number shows in. */
export interface SerialData {
  /** The quants of the stock document. */
  readonly quants: readonly Quant[];
  /** The lots of the serial-tracked products, for their names. */
  readonly lots: readonly Lot[];
  /** The ids of the products tracked by serial number. */
  readonly serialProducts: ReadonlySet<string>;
  /** The moves from a supplier location; only done moves with a serial count. */
  readonly receipts: readonly Move[];
  /**
   * The moves back to a supplier location; a serial returned to its vendor and received again
   * is received once net. Only done moves with a serial count.
   */
  readonly returns?: readonly Move[] | undefined;
  /** Whether a location holds the company's stock. */
  readonly isInternal: (locationId: string) => boolean;
}

/**
 * Finds serial numbers that stand for more than one unit: on hand more than once in total, on
 * hand in two internal locations, or received twice from suppliers. Two devices may have
 * received or moved the same serial offline; the ledger keeps both facts and this names them.
 *
 * @param data - Quants, lots, receipts and which products and locations count.
 * @returns One `duplicate-serial` conflict per serial number, sorted by id, with the receipts
 *   when it was received twice and the internal quantity on hand.
 */
export function duplicateSerialConflicts(data: SerialData): Conflict[] {
  const lotNames = new Map(data.lots.map((lot) => [lot.id, lot.name]));
  const serials = new Map<string, SerialFacts>();
  const factsOf = (productId: string, lotId: string): SerialFacts => {
    const key = `${productId}:${lotId}`;
    let facts = serials.get(key);
    if (facts === undefined) {
      facts = { productId, lotId, onHand: '0', locations: new Map(), receipts: [], returns: 0 };
      serials.set(key, facts);
    }
    return facts;
  };

  for (const quant of data.quants) {
    if (quant.lotId === undefined || !data.serialProducts.has(quant.productId)) continue;
    if (!data.isInternal(quant.locationId)) continue;
    const facts = factsOf(quant.productId, quant.lotId);
    facts.onHand = add(facts.onHand, quant.quantity);
    const here = add(facts.locations.get(quant.locationId) ?? '0', quant.quantity);
    facts.locations.set(quant.locationId, here);
  }
  for (const move of data.receipts) {
    if (move.state !== 'done' || move.lotId === undefined) continue;
    if (!data.serialProducts.has(move.productId)) continue;
    factsOf(move.productId, move.lotId).receipts.push(move.id);
  }
  for (const move of data.returns ?? []) {
    if (move.state !== 'done' || move.lotId === undefined) continue;
    if (!data.serialProducts.has(move.productId)) continue;
    factsOf(move.productId, move.lotId).returns += 1;
  }

  const conflicts: Conflict[] = [];
  for (const facts of serials.values()) {
    const holding = [...facts.locations]
      .filter(([, quantity]) => compare(quantity, '0') > 0)
      .map(([locationId]) => locationId)
      .sort(compareIds);
    const reasons = [
      compare(facts.onHand, '1') > 0 && `${facts.onHand} units are on hand`,
      holding.length > 1 && `it is on hand in ${holding.join(', ')}`,
      facts.receipts.length - facts.returns > 1 && `it was received ${facts.receipts.length} times`,
    ].filter((reason): reason is string => reason !== false);
    if (reasons.length === 0) continue;

    const name = lotNames.get(facts.lotId) ?? facts.lotId;
    const receipts = [...facts.receipts].sort(compareIds);
    conflicts.push({
      id: conflictId('duplicate-serial', facts.productId, facts.lotId),
      kind: 'duplicate-serial',
      productId: facts.productId,
      ...(holding.length === 1 && { locationId: holding[0] }),
      lotId: facts.lotId,
      ...(receipts.length > 1 && { moveIds: receipts }),
      quantity: facts.onHand,
      message:
        `Serial number ${name} of product ${facts.productId} stands for more than one unit: ` +
        `${reasons.join('; ')}. Give the wrong unit its real serial number, or count the ` +
        `locations that hold it.`,
      resolutions: [
        { kind: 'rename-serial', lotId: facts.lotId },
        ...holding.map((locationId) => countOf(facts.productId, locationId, facts.lotId)),
      ],
    });
  }

  return sortById(conflicts);
}

/**
 * Lists the counts that were taken before the quant changed: another device booked a move the
 * counter's replica had not seen, so applying the count as it stands could erase that move.
 *
 * @param counts - The counts recorded and not yet applied.
 * @param onHand - The stock on hand now of a bucket.
 * @param rounding - The rounding of a product's unit; quantities are compared at it.
 * @returns One `outdated-count` conflict per outdated count, sorted by id, offering to confirm
 *   it, discard it or count again.
 * @throws {DomainError} `decimal-invalid` when a rounding is not positive.
 */
export function outdatedCountConflicts(
  counts: readonly Count[],
  onHand: OnHand,
  rounding: (productId: string) => Decimal,
): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const count of counts) {
    const step = rounding(count.productId);
    const current = round(onHand(count.productId, count.locationId, count.lotId), step);
    if (!isCountOutdated(count, current, step)) continue;

    const expected = round(count.expected, step);
    conflicts.push({
      id: conflictId('outdated-count', count.id),
      kind: 'outdated-count',
      productId: count.productId,
      locationId: count.locationId,
      ...(count.lotId !== undefined && { lotId: count.lotId }),
      countId: count.id,
      quantity: current,
      message:
        `The count of ${bucketName(count.productId, count)} was taken when ${expected} was on ` +
        `hand, but ${current} is on hand now: another device booked a move since. Confirm the ` +
        `count to set the stock to ${count.counted} anyway, discard it, or count again.`,
      resolutions: [
        { kind: 'confirm-count', countId: count.id },
        { kind: 'discard-count', countId: count.id },
        countOf(count.productId, count.locationId, count.lotId),
      ],
    });
  }

  return sortById(conflicts);
}

/** The reservations of one bucket that did not fit, and what they asked for together. */
interface Loss {
  readonly line: MoveLine;
  readonly productId: string;
  readonly moveIds: string[];
  quantity: Decimal;
}

interface SerialFacts {
  readonly productId: string;
  readonly lotId: string;
  onHand: Decimal;
  readonly locations: Map<string, Decimal>;
  readonly receipts: string[];
  returns: number;
}

/** A move's reserved quantity per bucket; a serial move holds several lines of one unit each. */
function bucketTotals(move: Move): Map<string, { quantity: Decimal; line: MoveLine }> {
  const totals = new Map<string, { quantity: Decimal; line: MoveLine }>();
  for (const line of move.reservation?.lines ?? []) {
    const key = bucketKey(move.productId, line.locationId, line.lotId);
    const quantity = add(totals.get(key)?.quantity ?? '0', line.quantity);
    totals.set(key, { quantity, line });
  }
  return totals;
}

function bucketKey(productId: string, locationId: string, lotId: string | undefined): string {
  return `${productId}:${locationId}:${lotId ?? ''}`;
}

/** `kind:part:part`, with an empty part for an absent lot, so that replicas derive one id. */
function conflictId(kind: ConflictKind, ...parts: readonly (string | undefined)[]): string {
  return [kind, ...parts.map((part) => part ?? '')].join(':');
}

function countOf(productId: string, locationId: string, lotId: string | undefined): Resolution {
  return { kind: 'count', productId, locationId, ...(lotId !== undefined && { lotId }) };
}

function bucketName(
  productId: string,
  where: { readonly locationId: string; readonly lotId?: string | undefined },
): string {
  const lot = where.lotId === undefined ? '' : `, lot ${where.lotId},`;
  return `product ${productId}${lot} in location ${where.locationId}`;
}

function plural(count: number, noun: string): string {
  return count === 1 ? `1 ${noun}` : `${count} ${noun}s`;
}

function sortById(conflicts: Conflict[]): Conflict[] {
  return conflicts.sort((a, b) => compareIds(a.id, b.id));
}

/** Compares by code units, never by locale, so that every replica sorts ids alike. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
