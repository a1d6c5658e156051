import { add, type Decimal, decimalPlaces, fromScaled, subtract, toScaled } from './decimal.js';
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

/** One quant as {@link QuantIndex.productSnapshot} writes it. */
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

/**
 * What a {@link QuantIndex} persists of one product: plain data that survives `JSON.stringify`,
 * small enough to be written again whenever the product's quants change.
 */
export interface ProductQuantsSnapshot {
  readonly productId: string;
  /** The decimal places its scaled quantities count. */
  readonly places: number;
  /** Every quant a done move ever touched, zero ones included since their in-dates must survive. */
  readonly quants: readonly QuantSnapshot[];
  /**
   * The on hand per scope, scaled like the quants, for the location of every quant and each of its
   * ancestors in the tree at snapshot time. Scopes with nothing on hand are left out.
   */
  readonly onHand: Readonly<Record<string, number>>;
}

/**
 * Reads a product's on hand in a scope from its persisted row alone, without a tree or an index,
 * so that a start can answer before the catalog is decoded. The answer is the one of the index
 * under the tree the row was taken with.
 *
 * @param row - What {@link QuantIndex.productSnapshot} returned, possibly through JSON.
 * @param scopeId - A location standing for itself and every location below it.
 * @returns Done moves into the scope minus done moves out of it.
 * @example
 * ```ts
 * const row = await loadQuants('beans');
 * if (row !== undefined) show(onHandInSnapshot(row, warehouse.viewLocationId));
 * ```
 */
export function onHandInSnapshot(row: ProductQuantsSnapshot, scopeId: string): Decimal {
  const scaled = Object.hasOwn(row.onHand, scopeId) ? row.onHand[scopeId] : undefined;
  return decimalOf(scaled ?? 0, row.places);
}

/** A quant with a lot; quants without lot live in the product's table. */
interface LotCell {
  readonly locationId: string;
  readonly lotId: string;
  scaled: number;
  /** The earliest date of a done move into it; infinite until one comes. */
  inDate: number;
  /** The earliest date of any done move through it: the in-date of a quant only ever emptied. */
  firstDate: number;
}

/** A quant as the index holds it, whether it has a lot or not. */
interface QuantCell {
  readonly locationId: string;
  readonly lotId: string | undefined;
  readonly scaled: number;
  readonly inDate: number;
  readonly firstDate: number;
}

const MAX_PLACES = 15;
/** Powers of ten up to `10^MAX_PLACES`, read from their decimal form so that each is exact. */
const POWERS = Array.from({ length: MAX_PLACES + 1 }, (_, places) => Number(`1e${places}`));
/** Character codes of `0`, `9` and `.`. */
const ZERO = 48;
const NINE = 57;
const DOT = 46;

// An entry of a product's table: the numbers it holds, by their offset from its start.
/** The location slot plus one; zero marks a free entry. */
const KEY = 0;
/** The sum of the quants at the location and every location below it, while the book is summed. */
const TOTAL = 1;
/** The quant without lot at the location itself. */
const SCALED = 2;
/** The earliest date a done move brought stock in; infinite until one does. */
const IN_DATE = 3;
/**
 * The earliest date of a done move that started or ended at the location; `NaN` until one does,
 * which tells a location holding a quant from one that is only a scope.
 */
const FIRST_DATE = 4;
const STRIDE = 5;
/** The entries of a new product's table; it grows fourfold when it would be more than half full. */
const FIRST_CAPACITY = 8;

/**
 * Everything the index knows about one product: per location slot, an entry with the on hand of
 * the scope the location stands for and the quant without lot at the location itself.
 *
 * The entries sit in one array of unboxed doubles, found by open addressing on the slot. Slots are
 * small integers handed out in the order locations are first seen, so the slot is its own hash and
 * the entries a move touches are one memory read each; a product that touches few locations holds
 * few entries however many the workspace has. Counting a million moves touches a random product
 * each time, and memory reads are what that costs. Typed arrays would live outside the engine's
 * heap: allocating them by the thousand is slow and makes the engine collect the whole heap.
 */
class ProductBook {
  readonly productId: string;
  /** The decimal places every scaled integer of this product counts; it only ever grows. */
  places: number;
  /**
   * Whether the totals per scope are up to date. A rebuild counts a million moves before any
   * question; summing a product's quants at its first question costs less than adding every move
   * to every scope above both its ends. Once summed, each move updates the totals it changes.
   */
  summed = false;
  /** Whether the product is listed for the next {@link QuantIndex.takeChanged}. */
  changed = false;
  /** Quants with a lot, by `${slot}\u0000${lotId}`; created when the first lot comes. */
  lots: Map<string, LotCell> | undefined;
  /** The entries, {@link STRIDE} numbers each; replaced when it grows. */
  table: number[];
  /** The capacity less one; the capacity is a power of two. */
  #mask = FIRST_CAPACITY - 1;
  #used = 0;

  constructor(productId: string, places: number) {
    this.productId = productId;
    this.places = places;
    this.table = newTable(FIRST_CAPACITY);
  }

  /**
   * `true` until a done move starts or ends at one of the product's locations: counting one adds
   * the entries of both its ends, or lot cells.
   */
  get empty(): boolean {
    return this.#used === 0 && (this.lots?.size ?? 0) === 0;
  }

  /**
   * Makes room for `count` more entries, so that the starts {@link ProductBook.entry} returns,
   * and the table itself, stay valid until that many have been added.
   */
  reserve(count: number): void {
    while ((this.#used + count) * 2 > this.#mask + 1) this.#grow();
  }

  /** @returns The start of the slot's entry in {@link ProductBook.table}, or -1 without one. */
  find(slot: number): number {
    const table = this.table;
    const mask = this.#mask;
    for (let index = slot & mask; ; index = (index + 1) & mask) {
      const at = index * STRIDE;
      const key = table[at + KEY];
      if (key === slot + 1) return at;
      if (key === 0) return -1;
    }
  }

  /**
   * @returns The start of the slot's entry in {@link ProductBook.table}, added when missing; call
   *   {@link ProductBook.reserve} first.
   */
  entry(slot: number): number {
    const table = this.table;
    const mask = this.#mask;
    for (let index = slot & mask; ; index = (index + 1) & mask) {
      const at = index * STRIDE;
      const key = table[at + KEY];
      if (key === slot + 1) return at;
      if (key !== 0) continue;

      table[at + KEY] = slot + 1;
      table[at + IN_DATE] = Number.POSITIVE_INFINITY;
      table[at + FIRST_DATE] = Number.NaN;
      this.#used++;
      return at;
    }
  }

  /** @returns `true` when the entry at `at` is a location where a done move started or ended. */
  holdsQuant(at: number): boolean {
    return !Number.isNaN(this.table[at + FIRST_DATE]);
  }

  /** Calls `visit` with the slot and start of every entry, in no particular order. */
  forEachEntry(visit: (slot: number, at: number) => void): void {
    const table = this.table;
    for (let at = 0; at < table.length; at += STRIDE) {
      const key = table[at + KEY] as number;
      if (key !== 0) visit(key - 1, at);
    }
  }

  /**
   * Multiplies every integer of the book so that it counts `10^-places`.
   *
   * @throws {RangeError} When a quantity would no longer be counted exactly; nothing changes then.
   */
  widen(places: number): void {
    const factor = POWERS[places - this.places] as number;
    const table = this.table;
    // Totals of a book not summed are left behind; summing recomputes them.
    const offsets = this.summed ? [TOTAL, SCALED] : [SCALED];
    const fits = (scaled: number) => Number.isSafeInteger(scaled * factor);
    let exact = true;
    this.forEachEntry((_, at) => {
      for (const offset of offsets) exact &&= fits(table[at + offset] as number);
    });
    for (const cell of this.lots?.values() ?? []) exact &&= fits(cell.scaled);
    if (!exact) {
      throw new RangeError(
        `the quantities of "${this.productId}" are too large to count exactly at ${places} ` +
          'decimal places',
      );
    }

    this.forEachEntry((_, at) => {
      for (const offset of offsets) table[at + offset] = (table[at + offset] as number) * factor;
    });
    for (const cell of this.lots?.values() ?? []) cell.scaled *= factor;
    this.places = places;
  }

  /** Moves the entries to a table four times as large. */
  #grow() {
    const table = this.table;
    const capacity = (this.#mask + 1) * 4;
    this.table = newTable(capacity);
    this.#mask = capacity - 1;
    this.#used = 0;

    for (let from = 0; from < table.length; from += STRIDE) {
      const key = table[from + KEY] as number;
      if (key === 0) continue;
      const to = this.entry(key - 1);
      for (let offset = KEY + 1; offset < STRIDE; offset++) {
        this.table[to + offset] = table[from + offset] as number;
      }
    }
  }
}

/** @returns Room for `capacity` free entries, in an array that holds its numbers unboxed. */
function newTable(capacity: number): number[] {
  // Filling with a fraction first makes the engine store doubles rather than small integers.
  return new Array<number>(capacity * STRIDE).fill(0.5).fill(0);
}

/**
 * The quantities on hand, kept up to date one done move at a time, for the screens and rules that
 * ask for them thousands of times. The store feeds it every done move it sees, local or remote, in
 * any order, and each version of a move exactly once: the index keeps no list of the moves it
 * counted, so a move given twice counts twice. Every replica that has seen the same moves holds the
 * same numbers. Sums are integers counting `10^-places` of the product's unit, exact up to 2^53 of
 * those (90 trillion units at 2 places).
 *
 * Each quant keeps the earliest date stock came into it, the order-independent minimum. A quant
 * that emptied and was filled again keeps its first date; FIFO reservations see it as older than
 * the units it now holds.
 *
 * A product's on hand per scope is summed from its quants at the first question after a rebuild,
 * a restore or a change of the tree, then kept up to date move by move; that first question costs
 * time in proportion to the product's quants.
 *
 * It persists one row per product, so that a change rewrites only the products it touched:
 * {@link QuantIndex.takeChanged} names them and {@link QuantIndex.productSnapshot} gives their
 * rows.
 *
 * @example
 * ```ts
 * const index = new QuantIndex(tree, (productId) => placesOf(productId));
 * for (const move of doneMoves) index.applyDone(move);
 * index.onHand('beans', warehouse.viewLocationId); // '120.5'
 * for (const productId of index.takeChanged()) await saveQuants(index.productSnapshot(productId));
 * ```
 */
export class QuantIndex {
  #tree: LocationTree;
  #places: (productId: string) => number;
  #books = new Map<string, ProductBook>();
  /** The books changed since the last {@link QuantIndex.takeChanged}. */
  #changed: ProductBook[] = [];
  #size = 0;
  /** A small integer per location id seen, the key of the entries; it never changes meaning. */
  #slots = new Map<string, number>();
  /** Per slot, the location id it stands for. */
  #slotIds: string[] = [];
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

  /** The number of done moves counted, less those taken back. */
  get size(): number {
    return this.#size;
  }

  /**
   * Counts a done move: its quantity leaves the source and every location above it, and arrives
   * at the destination and every location above it. The caller gives each version of a move once.
   *
   * @param move - A done move.
   * @throws {DomainError} `quant-move-not-done` when the move is not done: only facts are counted.
   * @throws {RangeError} When the product's unit has fewer than 0 or more than 15 decimal places,
   *   or the quantity is not a decimal, has more than 15 places, or is too large to count exactly.
   */
  applyDone(move: Move): void {
    checkDone(move);

    const book = this.#book(move.productId);
    this.#count(book, move, this.#scaled(book, move));
    this.#size++;
  }

  /**
   * Takes back a done move counted before, so that another version of it can be counted: two
   * replicas may write one fact under one derived id with different content, and the document
   * keeps one of them. The caller gives only a version it counted; the quant's in-date stays the
   * earliest ever seen.
   *
   * @param move - The version of the move that was counted.
   * @throws {DomainError} `quant-move-not-done` when the move is not done, as for
   *   {@link QuantIndex.applyDone}.
   * @throws {RangeError} As for {@link QuantIndex.applyDone}.
   */
  revertDone(move: Move): void {
    checkDone(move);

    const book = this.#book(move.productId);
    this.#count(book, move, -this.#scaled(book, move));
    this.#size--;
  }

  /**
   * @param productId - The product asked about.
   * @param scopeId - A location standing for itself and every location below it.
   * @returns Done moves into the scope minus done moves out of it, in constant time once the
   *   product is summed.
   */
  onHand(productId: string, scopeId: string): Decimal {
    const book = this.#books.get(productId);
    if (book === undefined) return '0';

    // Summing first, since it hands out the slots of scopes seen for the first time.
    if (!book.summed) this.#sum(book);
    const slot = this.#slots.get(scopeId);
    const at = slot === undefined ? -1 : book.find(slot);
    return at < 0 ? '0' : decimalOf(book.table[at + TOTAL] as number, book.places);
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
    for (const cell of this.#cellsOf(book)) {
      if (cell.scaled === 0) continue;
      if (scopeId !== undefined && !this.#tree.isWithin(cell.locationId, scopeId)) continue;
      quants.push(quantOf(book, cell));
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

    if (lotId) {
      const cell = book.lots?.get(lotKeyOf(slot, lotId));
      return cell === undefined ? undefined : quantOf(book, cell);
    }
    const at = book.find(slot);
    if (at < 0 || !book.holdsQuant(at)) return undefined;
    return quantOf(book, this.#cellAt(book, slot, at));
  }

  /**
   * Lists the negative-stock conflicts: more left an internal location than came in, as happens
   * when two offline devices ship the last unit. They are shown, never hidden.
   *
   * @returns The quants below zero at internal locations, by product, location and lot.
   */
  negativeQuants(): Quant[] {
    const negatives: Quant[] = [];
    for (const book of this.#books.values()) {
      for (const cell of this.#cellsOf(book)) {
        if (cell.scaled < 0 && this.#tree.internal(cell.locationId)) {
          negatives.push(quantOf(book, cell));
        }
      }
    }
    return negatives.sort(byPlace);
  }

  /**
   * Follows a change of the locations, such as a location moved under another parent or one
   * that arrived after moves that name it. The quants stay; the sums per scope are recomputed at
   * each product's next question, and every product with quants is listed by the next
   * {@link QuantIndex.takeChanged}.
   *
   * @param tree - The new tree.
   */
  setTree(tree: LocationTree): void {
    this.#tree = tree;
    this.#lineages.clear();
    for (const book of this.#books.values()) {
      if (book.empty) continue;
      book.summed = false;
      this.#markChanged(book);
    }
  }

  /**
   * Names the products to persist again: those whose quants or sums changed since the previous
   * call, or since the index was made or restored.
   *
   * @returns Their ids, each once; the index forgets them.
   */
  takeChanged(): string[] {
    const productIds = this.#changed.map((book) => book.productId);
    for (const book of this.#changed) book.changed = false;
    this.#changed = [];
    return productIds;
  }

  /**
   * @param productId - The product asked about.
   * @returns The product's quants and on hand per scope as plain data for persistence, or
   *   `undefined` when no move of the product was ever counted.
   */
  productSnapshot(productId: string): ProductQuantsSnapshot | undefined {
    const book = this.#books.get(productId);
    if (book === undefined || book.empty) return undefined;

    const quants: QuantSnapshot[] = [];
    for (const cell of this.#cellsOf(book).sort(byLocationAndLot)) {
      quants.push({
        locationId: cell.locationId,
        ...(cell.lotId !== undefined && { lotId: cell.lotId }),
        scaled: cell.scaled,
        inDate: Number.isFinite(cell.inDate) ? cell.inDate : null,
        firstDate: cell.firstDate,
      });
    }
    if (!book.summed) this.#sum(book);
    const onHand: Record<string, number> = {};
    book.forEachEntry((slot, at) => {
      const total = book.table[at + TOTAL] as number;
      if (total !== 0) onHand[this.#slotIds[slot] as string] = total;
    });
    return { productId, places: book.places, quants, onHand };
  }

  /**
   * Rebuilds an index from the rows of its products, instead of replaying the ledger. The sums
   * per scope are recomputed under the given tree, at each product's first question; no product is
   * listed as changed. To answer before the tree is known, read a row with
   * {@link onHandInSnapshot}.
   *
   * @param products - What {@link QuantIndex.productSnapshot} returned for every product with
   *   quants, possibly through JSON.
   * @param tree - The workspace's locations now.
   * @param places - As for the constructor.
   * @returns An index with the same quants as the one the rows were taken from; its
   *   {@link QuantIndex.size} counts from zero.
   * @throws {DomainError} `quant-snapshot-invalid` when a row cannot be read; rebuild the index
   *   from the ledger then.
   */
  static restore(
    products: Iterable<ProductQuantsSnapshot>,
    tree: LocationTree,
    places: (productId: string) => number,
  ): QuantIndex {
    const index = new QuantIndex(tree, places);
    for (const row of products) {
      if (!isReadableRow(row)) throw unreadable(row, 'is not a row of quants');
      if (index.#books.has(row.productId)) throw unreadable(row, 'comes twice');

      const book = new ProductBook(row.productId, row.places);
      for (const quant of row.quants) {
        if (!isReadableQuant(quant)) {
          throw unreadable(row, 'has a quant without location, integer quantity or dates');
        }
        const slot = index.#lineageOf(quant.locationId)[0] as number;
        const inDate = quant.inDate ?? Number.POSITIVE_INFINITY;
        if (quant.lotId) {
          const key = lotKeyOf(slot, quant.lotId);
          book.lots ??= new Map();
          if (book.lots.has(key)) throw unreadable(row, 'repeats a quant');
          book.lots.set(key, {
            locationId: quant.locationId,
            lotId: quant.lotId,
            scaled: quant.scaled,
            inDate,
            firstDate: quant.firstDate,
          });
          continue;
        }
        book.reserve(1);
        const at = book.entry(slot);
        if (book.holdsQuant(at)) throw unreadable(row, 'repeats a quant');
        book.table[at + SCALED] = quant.scaled;
        book.table[at + IN_DATE] = inDate;
        book.table[at + FIRST_DATE] = quant.firstDate;
      }
      index.#books.set(row.productId, book);
    }
    return index;
  }

  /** @returns The product's book, created at the unit's scale for its first move. */
  #book(productId: string): ProductBook {
    let book = this.#books.get(productId);
    if (book === undefined) {
      const places = this.#places(productId);
      if (!Number.isInteger(places) || places < 0 || places > MAX_PLACES) {
        throw new RangeError(
          `the unit of "${productId}" has ${places} decimal places; expected 0 to ${MAX_PLACES}`,
        );
      }
      // Kept as a copy: the id of a move lies beside it, anywhere in a ledger of a million moves,
      // while copies made one after another lie together, and every lookup reads the key it finds.
      const key = productId.split('').join('');
      book = new ProductBook(key, places);
      this.#books.set(key, book);
    }
    return book;
  }

  /**
   * Adds `scaled` to the quant at the destination and takes it from the quant at the source, and
   * when the book is summed, does the same along both lineages.
   */
  #count(book: ProductBook, move: Move, scaled: number): void {
    const into = this.#lineageOf(move.destinationId);
    const outOf = this.#lineageOf(move.sourceId);
    const date = move.date;
    const lotId = move.lotId || undefined;
    book.reserve(book.summed ? into.length + outOf.length : 2);

    const table = book.table;
    if (lotId === undefined) {
      const arrival = book.entry(into[0] as number);
      const departure = book.entry(outOf[0] as number);
      table[arrival + SCALED] = (table[arrival + SCALED] as number) + scaled;
      table[departure + SCALED] = (table[departure + SCALED] as number) - scaled;
      if (date < (table[arrival + IN_DATE] as number)) table[arrival + IN_DATE] = date;
      // Written so that the `NaN` of a location never touched gives way too.
      if (!(date >= (table[arrival + FIRST_DATE] as number))) table[arrival + FIRST_DATE] = date;
      if (!(date >= (table[departure + FIRST_DATE] as number))) {
        table[departure + FIRST_DATE] = date;
      }
    } else {
      const arrival = lotCellOf(book, into[0] as number, move.destinationId, lotId, date);
      arrival.scaled += scaled;
      if (date < arrival.inDate) arrival.inDate = date;
      lotCellOf(book, outOf[0] as number, move.sourceId, lotId, date).scaled -= scaled;
    }
    if (book.summed) addAlong(book, into, outOf, scaled);

    this.#markChanged(book);
  }

  #markChanged(book: ProductBook) {
    if (book.changed) return;
    book.changed = true;
    this.#changed.push(book);
  }

  #lineageOf(locationId: string): readonly number[] {
    let lineage = this.#lineages.get(locationId);
    if (lineage === undefined) {
      lineage = this.#tree.lineage(locationId).map((id) => this.#slotOf(id));
      this.#lineages.set(locationId, lineage);
    }
    return lineage;
  }

  #slotOf(locationId: string): number {
    let slot = this.#slots.get(locationId);
    if (slot === undefined) {
      slot = this.#slotIds.length;
      this.#slots.set(locationId, slot);
      this.#slotIds.push(locationId);
    }
    return slot;
  }

  /**
   * Reads a move's quantity as an integer at the book's scale, widening the scale when it must.
   * Reading the digits by hand is several times faster than the general parser, and counting a
   * move is the hot path of every start and every sync; up to 15 digits add up exactly.
   */
  #scaled(book: ProductBook, move: Move): number {
    const quantity = move.quantity;
    let digits = 0;
    let count = 0;
    let dot = -1;
    for (let i = 0; i < quantity.length; i++) {
      const code = quantity.charCodeAt(i);
      if (code >= ZERO && code <= NINE) {
        digits = digits * 10 + (code - ZERO);
        count++;
      } else if (code === DOT && dot < 0 && count > 0) {
        dot = i;
      } else {
        return parsedScaled(book, move);
      }
    }
    const fraction = dot < 0 ? 0 : quantity.length - dot - 1;
    if (count === 0 || count > MAX_PLACES || (dot >= 0 && fraction === 0)) {
      return parsedScaled(book, move);
    }

    if (fraction > book.places) book.widen(fraction);
    const scaled = digits * (POWERS[book.places - fraction] as number);
    if (!Number.isSafeInteger(scaled)) throw tooLarge(book, move);
    return scaled;
  }

  /** Recomputes the sums per scope from the quants, under the current tree. */
  #sum(book: ProductBook): void {
    // The quantities are gathered first, as slot and amount pairs, since adding may grow the table.
    const amounts: number[] = [];
    const table = book.table;
    book.forEachEntry((slot, at) => {
      table[at + TOTAL] = 0;
      const scaled = table[at + SCALED] as number;
      if (scaled !== 0) amounts.push(slot, scaled);
    });
    for (const cell of book.lots?.values() ?? []) {
      if (cell.scaled !== 0) amounts.push(this.#slotOf(cell.locationId), cell.scaled);
    }

    for (let i = 0; i < amounts.length; i += 2) {
      const lineage = this.#lineageOf(this.#slotIds[amounts[i] as number] as string);
      const scaled = amounts[i + 1] as number;
      book.reserve(lineage.length);
      for (const slot of lineage) {
        const at = book.entry(slot) + TOTAL;
        book.table[at] = (book.table[at] as number) + scaled;
      }
    }
    book.summed = true;
  }

  /** @returns Every quant of a product that a done move touched, zero ones included. */
  #cellsOf(book: ProductBook): QuantCell[] {
    const cells: QuantCell[] = [...(book.lots?.values() ?? [])];
    book.forEachEntry((slot, at) => {
      if (book.holdsQuant(at)) cells.push(this.#cellAt(book, slot, at));
    });
    return cells;
  }

  #cellAt(book: ProductBook, slot: number, at: number): QuantCell {
    return {
      locationId: this.#slotIds[slot] as string,
      lotId: undefined,
      scaled: book.table[at + SCALED] as number,
      inDate: book.table[at + IN_DATE] as number,
      firstDate: book.table[at + FIRST_DATE] as number,
    };
  }
}

/**
 * Adds `scaled` to the totals of the destination's lineage and takes it from the source's; the
 * book has room for both.
 */
function addAlong(
  book: ProductBook,
  into: readonly number[],
  outOf: readonly number[],
  scaled: number,
): void {
  // Scopes holding both ends gain and lose the same quantity, so they are left alone.
  let shared = 0;
  while (
    shared < into.length &&
    shared < outOf.length &&
    into[into.length - 1 - shared] === outOf[outOf.length - 1 - shared]
  ) {
    shared++;
  }

  const table = book.table;
  for (let i = into.length - shared - 1; i >= 0; i--) {
    const at = book.entry(into[i] as number) + TOTAL;
    table[at] = (table[at] as number) + scaled;
  }
  for (let i = outOf.length - shared - 1; i >= 0; i--) {
    const at = book.entry(outOf[i] as number) + TOTAL;
    table[at] = (table[at] as number) - scaled;
  }
}

function checkDone(move: Move): void {
  if (move.state !== 'done') {
    throw new DomainError<QuantIndexErrorCode>(
      'quant-move-not-done',
      `move "${move.id}" is ${move.state}; only done moves change the quantities on hand`,
    );
  }
}

/** Reads a quantity the fast path of {@link QuantIndex} declined, such as `'1e3'` or `'+2'`. */
function parsedScaled(book: ProductBook, move: Move): number {
  let places: number;
  try {
    places = decimalPlaces(move.quantity);
  } catch {
    throw new RangeError(
      `move "${move.id}" has the quantity "${move.quantity}", which is not a decimal number`,
    );
  }
  if (places > MAX_PLACES) {
    throw new RangeError(
      `move "${move.id}" has the quantity ${move.quantity} with ${places} decimal places; ` +
        `at most ${MAX_PLACES} are counted exactly`,
    );
  }

  if (places > book.places) book.widen(places);
  try {
    return toScaled(move.quantity, book.places);
  } catch {
    throw tooLarge(book, move);
  }
}

function tooLarge(book: ProductBook, move: Move): RangeError {
  return new RangeError(
    `move "${move.id}" has the quantity ${move.quantity}, too large to count exactly at ` +
      `${book.places} decimal places`,
  );
}

/** The key of a quant with a lot. */
function lotKeyOf(slot: number, lotId: string): string {
  return `${slot}\u0000${lotId}`;
}

function lotCellOf(
  book: ProductBook,
  slot: number,
  locationId: string,
  lotId: string,
  date: number,
): LotCell {
  const key = lotKeyOf(slot, lotId);
  book.lots ??= new Map();
  let cell = book.lots.get(key);
  if (cell === undefined) {
    cell = { locationId, lotId, scaled: 0, inDate: Number.POSITIVE_INFINITY, firstDate: date };
    book.lots.set(key, cell);
  } else if (date < cell.firstDate) {
    cell.firstDate = date;
  }
  return cell;
}

/** A scaled integer as a decimal; whole units, the common case, skip the general formatter. */
function decimalOf(scaled: number, places: number): Decimal {
  return places === 0 && Number.isSafeInteger(scaled) ? String(scaled) : fromScaled(scaled, places);
}

function isReadableRow(row: ProductQuantsSnapshot): boolean {
  return (
    typeof row === 'object' &&
    row !== null &&
    typeof row.productId === 'string' &&
    Number.isInteger(row.places) &&
    row.places >= 0 &&
    row.places <= MAX_PLACES &&
    Array.isArray(row.quants) &&
    typeof row.onHand === 'object' &&
    row.onHand !== null
  );
}

function isReadableQuant(quant: QuantSnapshot): boolean {
  return (
    typeof quant === 'object' &&
    quant !== null &&
    typeof quant.locationId === 'string' &&
    (quant.lotId === undefined || typeof quant.lotId === 'string') &&
    Number.isSafeInteger(quant.scaled) &&
    (quant.inDate === null || Number.isFinite(quant.inDate)) &&
    Number.isFinite(quant.firstDate)
  );
}

function unreadable(row: ProductQuantsSnapshot, problem: string): DomainError {
  const productId = typeof row?.productId === 'string' ? row.productId : 'unknown';
  return new DomainError<QuantIndexErrorCode>(
    'quant-snapshot-invalid',
    `the saved row of product "${productId}" ${problem}; rebuild the quantities from the ledger`,
  );
}

function quantOf(book: ProductBook, cell: QuantCell): Quant {
  return {
    productId: book.productId,
    locationId: cell.locationId,
    ...(cell.lotId !== undefined && { lotId: cell.lotId }),
    quantity: decimalOf(cell.scaled, book.places),
    inDate: Number.isFinite(cell.inDate) ? cell.inDate : cell.firstDate,
  };
}

function compareText(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function byLocationAndLot(a: QuantCell | Quant, b: QuantCell | Quant): number {
  return compareText(a.locationId, b.locationId) || compareText(a.lotId, b.lotId);
}

function byPlace(a: Quant, b: Quant): number {
  return compareText(a.productId, b.productId) || byLocationAndLot(a, b);
}

function byInDate(a: Quant, b: Quant): number {
  return a.inDate - b.inDate || byPlace(a, b);
}
