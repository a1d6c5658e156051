import type { Author, Move } from '@kura/domain';
import * as Y from 'yjs';

import type { DocumentSet } from './documents.js';
import { Origin } from './origins.js';

/**
 * The name of the period document that holds the done moves of a date's month (UTC), such as
 * `ledger-2026-12`. A move is filed by its own date, so one recorded weeks late by a device that
 * was offline lands in the period it happened in.
 */
export function ledgerPeriod(date: number): string {
  const day = new Date(date);
  const month = String(day.getUTCMonth() + 1).padStart(2, '0');
  return `ledger-${day.getUTCFullYear()}-${month}`;
}

const PERIOD_NAME = /^ledger-\d{4}-\d{2}$/;

/** How many moves a period hands over at a time when it is read whole. */
const EMIT_BATCH = 1024;

/** Per replica (Yjs client id), the clock up to which its writes are included. */
export type StateVector = ReadonlyMap<number, number>;

/**
 * A done move as a period document stores it: its id is the map key, its state is always
 * `done`, and the fields follow in a fixed order, the optional ones last and left out when
 * empty. Without the field names a move takes about half the bytes.
 */
type LedgerEntry = [
  productId: string,
  quantity: string,
  sourceId: string,
  destinationId: string,
  date: number,
  user: string,
  client: number,
  lotId?: string | null,
  origin?: string | null,
  entered?: { readonly quantity: string; readonly unitId: string } | null,
  chainedFrom?: readonly string[] | null,
];

/** @returns The move as a period document stores it. */
function entryOf(move: Move): LedgerEntry {
  const entry: LedgerEntry = [
    move.productId,
    move.quantity,
    move.sourceId,
    move.destinationId,
    move.date,
    move.author?.user ?? '',
    move.author?.client ?? 0,
    move.lotId ?? null,
    move.origin ?? null,
    move.entered ?? null,
    move.chainedFrom?.length ? move.chainedFrom : null,
  ];
  while (entry.length > 7 && entry[entry.length - 1] === null) entry.pop();
  return entry;
}

/**
 * Reads a done move back from its period document.
 *
 * @param id - The map key.
 * @param value - The stored value: an entry, or a move object as written before entries were.
 */
export function readLedgerEntry(id: string, value: unknown): Move {
  if (!Array.isArray(value)) return { ...(value as Move), id };

  const entry = value as LedgerEntry;
  const move: { -readonly [K in keyof Move]: Move[K] } = {
    id,
    productId: entry[0],
    quantity: entry[1],
    sourceId: entry[2],
    destinationId: entry[3],
    state: 'done',
    date: entry[4],
    author: authorOf(entry[5], entry[6]),
  };
  // Assigned only when present, so that a move read back equals the move written.
  if (entry.length > 7) {
    if (entry[7]) move.lotId = entry[7];
    if (entry[8]) move.origin = entry[8];
    if (entry[9]) move.entered = entry[9];
    if (entry[10]) move.chainedFrom = entry[10];
  }
  return move;
}

/**
 * The authors of moves read back, one object per replica and user: a million moves by a few
 * clerks then hold a few author objects, not a million.
 */
const authors = new Map<number, Author>();

function authorOf(user: string, client: number): Author {
  const known = authors.get(client);
  if (known?.user === user) return known;
  const author = Object.freeze({ user, client });
  authors.set(client, author);
  return author;
}

/**
 * Calls `visit` with every done move a period document holds, read straight from the map's
 * items: the map's own iterator wraps each entry in closures, which was most of the time it took
 * to read a period. Each move is handed over as soon as it is read, so that a caller that counts
 * and forgets it leaves only short-lived objects behind.
 */
export function forEachLedgerMove(doc: Y.Doc, visit: (move: Move) => void): void {
  for (const [id, item] of doc.getMap('moves')._map) {
    if (!item.deleted) visit(readLedgerEntry(id, lastValue(item)));
  }
}

/** @returns Every done move a period document holds. */
export function ledgerMoves(doc: Y.Doc): Move[] {
  const moves: Move[] = [];
  forEachLedgerMove(doc, (move) => moves.push(move));
  return moves;
}

/** @returns The value a map item holds. */
function lastValue(item: Y.Item): unknown {
  const content = item.content.getContent();
  return content[content.length - 1];
}

/** What the ledger tells its listeners. */
export interface LedgerListener {
  /**
   * Done moves that count from now on; `replaced` are versions counted before and no longer.
   * Every version of a move is handed over once and taken back at most once.
   */
  moves(moves: readonly Move[], replaced: readonly Move[]): void;
  /**
   * What was counted can no longer be told apart from what was not: forget every move; the
   * ledger then hands over every move of every period again.
   */
  reset(): void;
}

/** A period document and how far its moves have been handed over. */
interface Period {
  readonly doc: Y.Doc;
  /** What the persisted projections counted before this start; empty when they did not. */
  counted: StateVector;
  /** Moves of this start's own commands, counted before the stored ones were read back. */
  readonly early: Map<string, Y.Item>;
  reconciled: boolean;
}

/**
 * The ledger of done moves, split into monthly period documents so that a start need not decode
 * the whole history. Done moves are immutable facts, stored as plain values keyed by move id.
 *
 * The stock document carries a directory: for each period and each replica that wrote to it,
 * the Yjs clock of that replica in the period document after its last write. Given the state
 * vectors that the persisted projections reflect, a start opens only the periods with writes
 * beyond them, and hands over only those writes: moves recorded late by a device that was
 * offline for weeks still count on every replica.
 */
export class Ledger {
  readonly #documents: DocumentSet;
  readonly #directory: Y.Map<number>;
  readonly #listeners = new Set<LedgerListener>();
  readonly #periods = new Map<string, Period>();
  /** Per period followed or about to be, the promise that its moves have been handed over. */
  readonly #watching = new Map<string, Promise<void>>();
  #counted: ReadonlyMap<string, StateVector> = new Map();
  #isOpen = false;
  /** Directory entries of this replica's writes, to be written at the end of the task. */
  readonly #unannounced = new Map<string, number>();
  #announcing = false;
  /** Settles when {@link open} has said what was counted; no move is handed over before. */
  readonly #opened: Promise<void>;
  #markOpened: () => void = () => {};

  /** @internal Opened by the stock. */
  constructor(documents: DocumentSet, stock: Y.Doc) {
    this.#documents = documents;
    this.#directory = stock.getMap('ledger');
    this.#opened = new Promise((resolve) => (this.#markOpened = resolve));
    this.#directory.observe((event) => {
      for (const key of event.keysChanged) void this.#watch(key.split('/')[0] ?? '');
    });
  }

  /** The periods the directory lists, oldest first. */
  periods(): string[] {
    const periods = new Set<string>();
    for (const key of this.#directory.keys()) periods.add(key.split('/')[0] ?? '');
    return [...periods].filter((period) => PERIOD_NAME.test(period)).sort();
  }

  /**
   * Opens the periods with writes that `counted` does not include, and hands their new moves to
   * the listeners; periods that change later, by this replica or another, open as they do.
   *
   * @param counted - Per period, the state vector that the persisted projections reflect;
   *   periods left out are handed over whole.
   * @returns A promise that settles when every period opened has been read from IndexedDB.
   */
  async open(counted: ReadonlyMap<string, StateVector> = new Map()): Promise<void> {
    this.#counted = counted;
    this.#isOpen = true;
    this.#markOpened();
    const changed = this.changedPeriods(counted);
    await Promise.all(changed.map((period) => this.#watch(period)));
  }

  /**
   * @returns A promise that settles when every period opened so far, or while waiting, has been
   *   read from IndexedDB and its moves handed over.
   */
  async settled(): Promise<void> {
    let pending = 0;
    while (pending !== this.#watching.size) {
      pending = this.#watching.size;
      await Promise.all(this.#watching.values());
    }
  }

  /**
   * @param counted - Per period, the state vector that persisted projections reflect.
   * @returns The periods that the directory lists with writes beyond `counted`.
   */
  changedPeriods(counted: ReadonlyMap<string, StateVector>): string[] {
    return this.periods().filter((period) => hasNews(this.#directory, period, counted));
  }

  /**
   * @returns Per period, the state vector up to which its moves have been handed over: those of
   *   the open periods as they stand, the others as given to {@link open}.
   */
  counted(): Map<string, StateVector> {
    const counted = new Map(this.#counted);
    for (const [name, period] of this.#periods) {
      if (period.reconciled) {
        counted.set(name, Y.decodeStateVector(Y.encodeStateVector(period.doc)));
      } else {
        // Not read back yet: what was counted before, and this replica's own writes since,
        // which all went through the observer. Its client id is new to this start.
        const vector = new Map(period.counted);
        vector.set(period.doc.clientID, clockOf(period.doc));
        counted.set(name, vector);
      }
    }
    return counted;
  }

  /**
   * Follows the ledger.
   *
   * @returns A function that stops the calls.
   */
  listen(listener: LedgerListener): () => void {
    this.#listeners.add(listener);

    return () => this.#listeners.delete(listener);
  }

  /**
   * Files done moves in their periods and updates the directory. One transaction per period
   * document, then one for the directory.
   *
   * @param moves - Validated moves in the `done` state.
   */
  record(moves: readonly Move[]): void {
    const byPeriod = new Map<string, Move[]>();
    for (const move of moves) {
      const name = ledgerPeriod(move.date);
      const filed = byPeriod.get(name);
      if (filed === undefined) byPeriod.set(name, [move]);
      else filed.push(move);
    }

    for (const [name, filed] of byPeriod) {
      const { doc } = this.#documents.open(name, { gc: false });
      void this.#watch(name);
      doc.transact(() => {
        const entries = doc.getMap('moves');
        for (const move of filed) entries.set(move.id, entryOf(move));
      }, Origin.command);
      this.#unannounced.set(`${name}/${doc.clientID}`, clockOf(doc));
    }
    if (this.#unannounced.size > 0 && !this.#announcing) {
      this.#announcing = true;
      queueMicrotask(() => this.announce());
    }
  }

  /**
   * Writes the clocks of the periods recorded into to the directory, in one transaction. It runs
   * by itself in a microtask after the commands of one task, before anything else can run: every
   * overwrite of a directory entry stays in the stock document, so a burst of commands writes
   * it once. Call it to have the directory written at once.
   */
  announce(): void {
    this.#announcing = false;
    if (this.#unannounced.size === 0) return;
    const clocks = [...this.#unannounced];
    this.#unannounced.clear();
    this.#directory.doc?.transact(() => {
      for (const [key, clock] of clocks) this.#directory.set(key, clock);
    }, Origin.command);
  }

  /** @returns The done move with that id, if its period is open. */
  move(id: string, date: number): Move | undefined {
    const value = this.#periods.get(ledgerPeriod(date))?.doc.getMap('moves').get(id);
    return value === undefined ? undefined : readLedgerEntry(id, value);
  }

  /**
   * Follows a period document: at once when the ledger is open, else once it is. Its moves are
   * handed over synchronously when nothing of it was counted before; otherwise once IndexedDB
   * has been read, so that what was counted can be told from what was not.
   *
   * @returns A promise that settles when the period's moves have been handed over.
   */
  #watch(name: string): Promise<void> {
    const watching = this.#watching.get(name);
    if (watching !== undefined) return watching;
    if (!PERIOD_NAME.test(name)) return Promise.resolve();

    const followed = this.#isOpen
      ? this.#follow(name)
      : this.#opened.then(() => {
          // The directory read back from IndexedDB names every period; only changed ones open.
          if (hasNews(this.#directory, name, this.#counted)) return this.#follow(name);
          this.#watching.delete(name);
        });
    this.#watching.set(name, followed);
    return followed;
  }

  #follow(name: string): Promise<void> {
    // Replaced versions must stay readable to be taken back, and a ledger replaces rarely.
    const { doc, loaded } = this.#documents.open(name, { gc: false });
    const counted = this.#counted.get(name) ?? new Map<number, number>();
    const period: Period = { doc, counted, early: new Map(), reconciled: false };
    this.#periods.set(name, period);
    doc.getMap('moves').observe((event, transaction) => this.#observe(period, event, transaction));

    if (counted.size === 0) {
      // Nothing of it was counted before: what the document holds counts now, and what
      // IndexedDB or the server adds later arrives through the observer.
      this.#reconcile(period);
      return loaded;
    }
    return loaded.then(() => {
      if (!period.reconciled) this.#reconcile(period);
    });
  }

  #observe(period: Period, event: Y.YMapEvent<unknown>, transaction: Y.Transaction): void {
    const entries = event.target;
    const added: Move[] = [];
    const replaced: Move[] = [];
    for (const [id, change] of event.changes.keys) {
      const item = entries._map.get(id);
      if (!period.reconciled) {
        // Before the stored moves are read back, only this replica's commands count; the rest
        // is sorted out against the persisted state vector once the period has loaded.
        if (transaction.origin !== Origin.command || item === undefined) continue;
        const before = period.early.get(id);
        if (before !== undefined) replaced.push(readLedgerEntry(id, change.oldValue));
        period.early.set(id, item);
      } else if (change.action === 'update') {
        replaced.push(readLedgerEntry(id, change.oldValue));
      }
      if (change.action !== 'delete' && item !== undefined && !item.deleted) {
        added.push(readLedgerEntry(id, entries.get(id)));
      }
    }
    this.#emit(added, replaced);
  }

  /**
   * Hands over what the period holds beyond what was counted: for each move, the version the
   * document keeps now unless it is the version counted, in which case nothing changes. The
   * version counted is the one counted early in this start, else the last one within the
   * persisted state vector: Yjs never reorders items it holds, so that one was the version kept
   * when the projections were persisted.
   */
  #reconcile(period: Period): void {
    period.reconciled = true;
    if (period.counted.size === 0 && period.early.size === 0) {
      // Nothing of it was counted: every move it keeps is new. They go over in small batches,
      // so that a period of 80,000 moves is not held in memory all at once.
      let batch: Move[] = [];
      forEachLedgerMove(period.doc, (move) => {
        batch.push(move);
        if (batch.length < EMIT_BATCH) return;
        this.#emit(batch);
        batch = [];
      });
      this.#emit(batch);
      return;
    }
    const added: Move[] = [];
    const replaced: Move[] = [];
    const isCounted = (item: Y.Item) => item.id.clock < (period.counted.get(item.id.client) ?? 0);

    for (const [id, item] of period.doc.getMap('moves')._map) {
      let stored: Y.Item | null = item;
      while (stored !== null && !isCounted(stored)) stored = stored.left as Y.Item | null;
      const counted = [period.early.get(id) ?? null, stored].filter((version) => version !== null);
      const kept = item.deleted ? null : item;

      for (const version of counted) {
        if (version === kept) continue;
        const value = version.content instanceof Y.ContentAny ? version.content.getContent() : [];
        if (value.length === 0) {
          // Its content was collected before this start could take it back: start over.
          this.#reset();
          return;
        }
        replaced.push(readLedgerEntry(id, value[value.length - 1]));
      }
      if (kept !== null && !counted.includes(kept)) {
        added.push(readLedgerEntry(id, lastValue(kept)));
      }
    }
    period.early.clear();
    this.#emit(added, replaced);
  }

  /** Forgets what was counted and hands over every move of every period again. */
  #reset(): void {
    this.#counted = new Map();
    for (const listener of this.#listeners) listener.reset();
    for (const period of this.#periods.values()) {
      period.counted = new Map();
      period.early.clear();
      this.#reconcile(period);
    }
    for (const name of this.periods()) void this.#watch(name);
  }

  #emit(moves: readonly Move[], replaced: readonly Move[] = []): void {
    if (moves.length === 0 && replaced.length === 0) return;
    for (const listener of this.#listeners) listener.moves(moves, replaced);
  }
}

/** @returns `true` when the directory lists writes to `period` beyond what was counted. */
function hasNews(
  directory: Y.Map<number>,
  period: string,
  counted: ReadonlyMap<string, StateVector>,
): boolean {
  const vector = counted.get(period);
  if (vector === undefined) return true;
  for (const [key, clock] of directory.entries()) {
    const [name, client] = key.split('/');
    if (name === period && clock > (vector.get(Number(client)) ?? 0)) return true;
  }
  return false;
}

/** @returns The next clock of this replica in `doc`: how many items it has written there. */
function clockOf(doc: Y.Doc): number {
  return Y.getState(doc.store, doc.clientID);
}
