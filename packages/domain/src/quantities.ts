import { add, type Decimal, fromScaled, subtract, toScaled } from './decimal.js';
import { DomainError } from './errors.js';
import type { LocationTree } from './location.js';
import type { Move, ProductType, Quant } from './model.js';
import { isOpenMove } from './move.js';

/** The quantities of one product in one scope, in the product's unit. */
export interface StockQuantities {
  /** Done moves into the scope minus done moves out of it. */
  readonly onHand: Decimal;
  /** What open moves hold in the scope for themselves. */
  readonly reserved: Decimal;
  /** On hand minus reserved: what a new demand can still take. */
  readonly available: Decimal;
  /** Open moves that will bring the product into the scope. */
  readonly incoming: Decimal;
  /** Open moves that will take the product out of the scope. */
  readonly outgoing: Decimal;
  /** On hand plus incoming minus outgoing. */
  readonly forecast: Decimal;
}

/** Options of {@link stockQuantities}. */
export interface StockQuantityOptions {
  /**
   * An instant: only done moves dated up to it count as on hand, and only open moves planned up
   * to it count as incoming or outgoing. Reserved stays the reservation held now.
   */
  readonly at?: number | undefined;
  /** The product's type; a service has no stock, so every quantity is `'0'`. */
  readonly type?: ProductType | undefined;
}

const NOTHING: StockQuantities = Object.freeze({
  onHand: '0',
  reserved: '0',
  available: '0',
  incoming: '0',
  outgoing: '0',
  forecast: '0',
});

/**
 * Computes a product's quantities in a scope by reading the whole ledger. It is the reference
 * that {@link QuantIndex} must agree with, and the way to answer questions about a past or future
 * date; it is too slow for a screen that shows thousands of products.
 *
 * A move whose source and destination both lie in the scope changes nothing in it, so it counts
 * neither as on hand nor as incoming or outgoing. Consumables add up like storable products:
 * whether their stock blocks anything is the caller's business.
 *
 * @param moves - The ledger, or any part of it; moves of other products are skipped.
 * @param productId - The product asked about.
 * @param scopeId - A location standing for the scope, with every location below it, such as a
 *   warehouse's view location.
 * @param tree - The workspace's locations.
 * @param options - A date to stop at, and the product's type.
 * @returns The six quantities as decimals.
 * @example
 * ```ts
 * const { available, forecast } = stockQuantities(moves, 'beans', warehouse.viewLocationId, tree, {
 *   at: Date.now() + 7 * 86_400_000,
 * });
 * ```
 */
export function stockQuantities(
  moves: Iterable<Move>,
  productId: string,
  scopeId: string,
  tree: LocationTree,
  options: StockQuantityOptions = {},
): StockQuantities {
  if (options.type === 'service') return NOTHING;

  const { at } = options;
  let onHand = '0';
  let reserved = '0';
  let incoming = '0';
  let outgoing = '0';
  for (const move of moves) {
    if (move.productId !== productId) continue;
    const open = isOpenMove(move.state);
    if (move.state !== 'done' && !open) continue;

    if (open) {
      for (const line of move.reservation?.lines ?? []) {
        if (tree.isWithin(line.locationId, scopeId)) reserved = add(reserved, line.quantity);
      }
    }
    const into = tree.isWithin(move.destinationId, scopeId);
    const outOf = tree.isWithin(move.sourceId, scopeId);
    if (into === outOf || (at !== undefined && move.date > at)) continue;

    if (open && into) incoming = add(incoming, move.quantity);
    else if (open) outgoing = add(outgoing, move.quantity);
    else onHand = into ? add(onHand, move.quantity) : subtract(onHand, move.quantity);
  }

  return {
    onHand,
    reserved,
    available: subtract(onHand, reserved),
    incoming,
    outgoing,
    forecast: subtract(add(onHand, incoming), outgoing),
  };
}

/** Codes of the errors that {@link QuantIndex} throws. */
export type QuantIndexErrorCode = 'quant-move-not-done' | 'quant-snapshot-invalid';

/** One quant as {@link QuantIndex.snapshot} writes it. */
export interface QuantSnapshot {
  readonly locationId: string;
  readonly lotId?: string;
  /** The quantity times `10^places` of its product. */
  readonly scaled: number;
  /** The earliest date a done move brought stock in; `null` when none has yet. */
  readonly inDate: number | null;
  /** The earliest date of any done move into or out of it. */
  readonly firstDate: number;
}

/** One product's quants as {@link QuantIndex.snapshot} writes them. */
export interface ProductQuantsSnapshot {
  readonly productId: string;
  /** The decimal places its scaled quantities count. */
  readonly places: number;
  readonly quants: readonly QuantSnapshot[];
}

/** What a {@link QuantIndex} persists: plain data that survives `JSON.stringify`. */
export interface QuantIndexSnapshot {
  readonly version: 1;
  /** The ids of every done move applied, so that none is counted twice after a restore. */
  readonly applied: readonly string[];
  readonly products: readonly ProductQuantsSnapshot[];
}

/** The quantity of one product in one location and lot, as a scaled integer. */
interface QuantCell {
  readonly locationId: string;
  readonly lotId: string | undefined;
  scaled: number;
  /** The earliest date of a done move into it; infinite until one comes. */
  inDate: number;
  /** The earliest date of any done move through it: the in-date of a quant only ever emptied. */
  firstDate: number;
}

type QuantKey = number | string;

/** Everything the index knows about one product. */
interface ProductBook {
  /** The decimal places every scaled integer of this product counts; it only ever grows. */
  places: number;
  /**
   * Per location slot: the sum of the quants at the location and every location below it. Small
   * integer keys and values sit inside the map's own table, so adding to a sum touches no other
   * object; with a million moves, memory access is what costs.
   */
  totals: Map<number, number>;
  /** Per location slot for stock without lot, per `${slot}\u0000${lotId}` for lots. */
  quants: Map<QuantKey, QuantCell>;
}

/** Decimals in the form the ledger writes; `Number` reads their digits exactly below 2^53. */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const MAX_PLACES = 15;

/**
 * The quantities on hand, kept up to date one done move at a time, for the screens and rules that
 * ask for them thousands of times. The store feeds it every done move it sees, local or remote, in
 * any order and maybe twice; a move already applied is skipped, so every replica that has seen
 * the same moves holds the same numbers. Sums are integers counting `10^-places` of the product's
 * unit, exact up to 2^53 of those (90 trillion units at 2 places).
 *
 * Each quant keeps the earliest date stock came into it, the order-independent minimum. A quant
 * that emptied and was filled again keeps its first date; FIFO reservations see it as older than
 * the units it now holds.
 *
 * @example
 * ```ts
 * const index = new QuantIndex(tree, (productId) => placesOf(productId));
 * for (const move of doneMoves) index.applyDone(move);
 * index.onHand('beans', warehouse.viewLocationId); // '120.5'
 * await saveSnapshot(index.snapshot());
 * ```
 */
export class QuantIndex {
  #tree: LocationTree;
  #places: (productId: string) => number;
  #books = new Map<string, ProductBook>();
  #applied = new Set<string>();
  /** A small integer per location id seen, the key of the sums; it never changes meaning. */
  #slots = new Map<string, number>();
  /** Per location id: the slots of the location and its ancestors, nearest first. */
  #lineages = new Map<string, readonly number[]>();

  /**
   * @param tree - The workspace's locations; see {@link QuantIndex.setTree} when they change.
   * @param places - The decimal places of a product's unit (2 for a rounding of 0.01). It sets the
   *   scale a product starts at; a move with more places widens it, nothing is ever rounded.
   */
  constructor(tree: LocationTree, places: (productId: string) => number) {
    this.#tree = tree;
    this.#places = places;
  }

  /** The number of done moves applied. */
  get size(): number {
    return this.#applied.size;
  }

  /**
   * @param moveId - A move's id.
   * @returns `true` when the done move has been applied.
   */
  hasApplied(moveId: string): boolean {
    return this.#applied.has(moveId);
  }

  /**
   * Counts a done move: its quantity leaves the source and every location above it, and arrives
   * at the destination and every location above it.
   *
   * @param move - A done move.
   * @returns `true` when it was counted, `false` when it had been already.
   * @throws {DomainError} `quant-move-not-done` when the move is not done: only facts are counted.
   * @throws {RangeError} When the quantity is not a decimal, has more than 15 places, or is too
   *   large to count exactly.
   */
  applyDone(move: Move): boolean {
    if (move.state !== 'done') {
      throw new DomainError<QuantIndexErrorCode>(
        'quant-move-not-done',
        `move "${move.id}" is ${move.state}; only done moves change the quantities on hand`,
      );
    }

    const book = this.#book(move.productId);
    const scaled = this.#scaled(book, move.quantity);
    // One lookup instead of has-then-add: with a million ids the set is the hot path's main cost.
    const applied = this.#applied.size;
    if (this.#applied.add(move.id).size === applied) return false;

    this.#count(book, move, scaled);

    return true;
  }

  /**
   * Takes back a done move counted before, so that another version of it can be counted: two
   * replicas may write one fact under one derived id with different content, and the document
   * keeps one of them. The quant's in-date stays the earliest ever seen.
   *
   * @param move - The version of the move that was counted.
   * @returns `true` when it had been counted and now is not.
   */
  revertDone(move: Move): boolean {
    const book = this.#books.get(move.productId);
    if (book === undefined || !this.#applied.delete(move.id)) return false;
    this.#count(book, move, -this.#scaled(book, move.quantity));
    return true;
  }

  /**
   * @param productId - The product asked about.
   * @param scopeId - A location standing for itself and every location below it.
   * @returns Done moves into the scope minus done moves out of it, in constant time.
   */
  onHand(productId: string, scopeId: string): Decimal {
    const book = this.#books.get(productId);
    const slot = this.#slots.get(scopeId);
    if (book === undefined || slot === undefined) return '0';
    return fromScaled(book.totals.get(slot) ?? 0, book.places);
  }

  /**
   * @param productId - The product asked about.
   * @param scopeId - When given, only quants at this location or below it.
   * @returns The quants whose quantity is not zero, negative ones included, oldest in-date first,
   *   then by location and lot.
   */
  quants(productId: string, scopeId?: string): Quant[] {
    const book = this.#books.get(productId);
    if (book === undefined) return [];

    const quants: Quant[] = [];
    for (const cell of book.quants.values()) {
      if (cell.scaled === 0) continue;
      if (scopeId !== undefined && !this.#tree.isWithin(cell.locationId, scopeId)) continue;
      quants.push(quantOf(productId, book, cell));
    }
    return quants.sort(byInDate);
  }

  /**
   * @param productId - The product asked about.
   * @param locationId - The exact location; locations below it are other quants.
   * @param lotId - The lot or serial; absent for stock without lot.
   * @returns The quant, zero or not, or `undefined` when no done move ever touched it.
   */
  quant(productId: string, locationId: string, lotId?: string): Quant | undefined {
    const book = this.#books.get(productId);
    const slot = this.#slots.get(locationId);
    if (book === undefined || slot === undefined) return undefined;

    const cell = book.quants.get(keyOf(slot, lotId || undefined));
    return cell === undefined ? undefined : quantOf(productId, book, cell);
  }

  /**
   * Lists the negative-stock conflicts: more left an internal location than came in, as happens
   * when two offline devices ship the last unit. They are shown, never hidden.
   *
   * @returns The quants below zero at internal locations, by product, location and lot.
   */
  negativeQuants(): Quant[] {
    const negatives: Quant[] = [];
    for (const [productId, book] of this.#books) {
      for (const cell of book.quants.values()) {
        if (cell.scaled < 0 && this.#tree.internal(cell.locationId)) {
          negatives.push(quantOf(productId, book, cell));
        }
      }
    }
    return negatives.sort(byPlace);
  }

  /**
   * Follows a change of the locations, such as a location moved under another parent or one
   * that arrived after moves that name it. The quants stay; the sums per scope are recomputed.
   *
   * @param tree - The new tree.
   */
  setTree(tree: LocationTree): void {
    this.#tree = tree;
    this.#lineages.clear();
    for (const book of this.#books.values()) this.#sum(book);
  }

  /**
   * @returns The index as plain data for persistence: applied move ids and quants, zero quants
   *   included since their in-dates must survive. Sums per scope are recomputed on restore.
   */
  snapshot(): QuantIndexSnapshot {
    const products: ProductQuantsSnapshot[] = [];
    for (const [productId, book] of this.#books) {
      const quants: QuantSnapshot[] = [];
      for (const cell of book.quants.values()) {
        quants.push({
          locationId: cell.locationId,
          ...(cell.lotId !== undefined && { lotId: cell.lotId }),
          scaled: cell.scaled,
          inDate: Number.isFinite(cell.inDate) ? cell.inDate : null,
          firstDate: cell.firstDate,
        });
      }
      products.push({ productId, places: book.places, quants });
    }
    return { version: 1, applied: [...this.#applied], products };
  }

  /**
   * Rebuilds an index from a snapshot, instead of replaying the ledger.
   *
   * @param snapshot - What {@link QuantIndex.snapshot} returned, possibly through JSON.
   * @param tree - The workspace's locations now.
   * @param places - As for the constructor.
   * @returns An index equal to the one snapshotted, under the given tree.
   * @throws {DomainError} `quant-snapshot-invalid` when the data is not a version 1 snapshot;
   *   rebuild the index from the ledger then.
   */
  static restore(
    snapshot: QuantIndexSnapshot,
    tree: LocationTree,
    places: (productId: string) => number,
  ): QuantIndex {
    const readable =
      snapshot?.version === 1 &&
      Array.isArray(snapshot.applied) &&
      Array.isArray(snapshot.products) &&
      snapshot.products.every((product) => Array.isArray(product?.quants));
    if (!readable) {
      throw new DomainError<QuantIndexErrorCode>(
        'quant-snapshot-invalid',
        'the saved quantities are not a version 1 snapshot; rebuild them from the ledger',
      );
    }

    const index = new QuantIndex(tree, places);
    for (const id of snapshot.applied) index.#applied.add(id);
    for (const product of snapshot.products) {
      const book: ProductBook = { places: product.places, totals: new Map(), quants: new Map() };
      for (const quant of product.quants) {
        if (!Number.isSafeInteger(quant.scaled) || typeof quant.locationId !== 'string') {
          throw new DomainError<QuantIndexErrorCode>(
            'quant-snapshot-invalid',
            `a saved quant of "${product.productId}" has no location or no integer quantity; ` +
              'rebuild the quantities from the ledger',
          );
        }
        const lotId = quant.lotId || undefined;
        const key = keyOf(index.#lineageOf(quant.locationId)[0] as number, lotId);
        book.quants.set(key, {
          locationId: quant.locationId,
          lotId,
          scaled: quant.scaled,
          inDate: quant.inDate ?? Number.POSITIVE_INFINITY,
          firstDate: quant.firstDate,
        });
      }
      index.#sum(book);
      index.#books.set(product.productId, book);
    }
    return index;
  }

  /** Adds `scaled` along the destination's lineage and takes it from the source's. */
  #count(book: ProductBook, move: Move, scaled: number): void {
    // Scopes holding both ends gain and lose the same quantity, so they are left alone.
    const into = this.#lineageOf(move.destinationId);
    const outOf = this.#lineageOf(move.sourceId);
    let shared = 0;
    while (
      shared < into.length &&
      shared < outOf.length &&
      into[into.length - 1 - shared] === outOf[outOf.length - 1 - shared]
    ) {
      shared++;
    }
    const totals = book.totals;
    for (let i = into.length - shared - 1; i >= 0; i--) {
      const slot = into[i] as number;
      totals.set(slot, (totals.get(slot) ?? 0) + scaled);
    }
    for (let i = outOf.length - shared - 1; i >= 0; i--) {
      const slot = outOf[i] as number;
      totals.set(slot, (totals.get(slot) ?? 0) - scaled);
    }

    const lotId = move.lotId || undefined;
    const arrivalKey = keyOf(into[0] as number, lotId);
    const arrival = cellOf(book, arrivalKey, move.destinationId, lotId, move.date);
    arrival.scaled += scaled;
    if (move.date < arrival.inDate) arrival.inDate = move.date;
    const departureKey = keyOf(outOf[0] as number, lotId);
    cellOf(book, departureKey, move.sourceId, lotId, move.date).scaled -= scaled;
  }

  #book(productId: string): ProductBook {
    let book = this.#books.get(productId);
    if (book === undefined) {
      const places = this.#places(productId);
      if (!Number.isInteger(places) || places < 0 || places > MAX_PLACES) {
        throw new RangeError(
          `the unit of "${productId}" has ${places} decimal places; expected 0 to ${MAX_PLACES}`,
        );
      }
      book = { places, totals: new Map(), quants: new Map() };
      this.#books.set(productId, book);
    }
    return book;
  }

  #lineageOf(locationId: string): readonly number[] {
    let lineage = this.#lineages.get(locationId);
    if (lineage === undefined) {
      lineage = this.#tree.lineage(locationId).map((id) => {
        let slot = this.#slots.get(id);
        if (slot === undefined) {
          slot = this.#slots.size;
          this.#slots.set(id, slot);
        }
        return slot;
      });
      this.#lineages.set(locationId, lineage);
    }
    return lineage;
  }

  /** Reads a quantity as an integer at the book's scale, widening the scale when it must. */
  #scaled(book: ProductBook, quantity: Decimal): number {
    // Reading the digits directly is several times faster than the general parser, and applying
    // a move is the hot path of every start and every sync.
    if (PLAIN_DECIMAL.test(quantity)) {
      const dot = quantity.indexOf('.');
      const fraction = dot < 0 ? 0 : quantity.length - dot - 1;
      if (fraction > book.places) widen(book, fraction);
      const digits = dot < 0 ? quantity : quantity.slice(0, dot) + quantity.slice(dot + 1);
      const scaled = Number(digits) * 10 ** (book.places - fraction);
      if (Number.isSafeInteger(scaled)) return scaled;
    }
    return toScaled(quantity, book.places);
  }

  /** Recomputes the sums per scope from the quants, under the current tree. */
  #sum(book: ProductBook) {
    const totals = new Map<number, number>();
    for (const cell of book.quants.values()) {
      if (cell.scaled === 0) continue;
      for (const slot of this.#lineageOf(cell.locationId)) {
        totals.set(slot, (totals.get(slot) ?? 0) + cell.scaled);
      }
    }
    book.totals = totals;
  }
}

/** Multiplies every integer of a book so that it counts `10^-places`. */
function widen(book: ProductBook, places: number) {
  if (places > MAX_PLACES) return;

  const factor = 10 ** (places - book.places);
  for (const [slot, total] of book.totals) book.totals.set(slot, total * factor);
  for (const cell of book.quants.values()) cell.scaled *= factor;
  book.places = places;
}

/** The key of a quant: the location's slot alone when there is no lot, the common case. */
function keyOf(slot: number, lotId: string | undefined): QuantKey {
  return lotId === undefined ? slot : `${slot}\u0000${lotId}`;
}

function cellOf(
  book: ProductBook,
  key: QuantKey,
  locationId: string,
  lotId: string | undefined,
  date: number,
) {
  let cell = book.quants.get(key);
  if (cell === undefined) {
    cell = { locationId, lotId, scaled: 0, inDate: Number.POSITIVE_INFINITY, firstDate: date };
    book.quants.set(key, cell);
  } else if (date < cell.firstDate) {
    cell.firstDate = date;
  }
  return cell;
}

function quantOf(productId: string, book: ProductBook, cell: QuantCell): Quant {
  return {
    productId,
    locationId: cell.locationId,
    ...(cell.lotId !== undefined && { lotId: cell.lotId }),
    quantity: fromScaled(cell.scaled, book.places),
    inDate: Number.isFinite(cell.inDate) ? cell.inDate : cell.firstDate,
  };
}

function compareText(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function byPlace(a: Quant, b: Quant): number {
  return (
    compareText(a.productId, b.productId) ||
    compareText(a.locationId, b.locationId) ||
    compareText(a.lotId, b.lotId)
  );
}

function byInDate(a: Quant, b: Quant): number {
  return a.inDate - b.inDate || byPlace(a, b);
}
