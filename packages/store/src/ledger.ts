import type { Move } from '@kura/domain';
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

/**
 * The ledger of done moves, split into monthly period documents so that a start need not decode
 * the whole history. Done moves are immutable facts, stored as plain values keyed by move id.
 *
 * The stock document carries a directory: for each period and each replica that wrote to it,
 * the Yjs clock of that replica in the period document after its last write. Every replica sees
 * the directory at start, so it knows which periods exist and which changed since the state its
 * persisted projections reflect, and opens only those.
 */
export class Ledger {
  readonly #documents: DocumentSet;
  readonly #directory: Y.Map<number>;
  readonly #listeners = new Set<(moves: readonly Move[], replaced: readonly Move[]) => void>();
  readonly #watched = new Set<string>();

  /** @internal Opened by the stock. */
  constructor(documents: DocumentSet, stock: Y.Doc) {
    this.#documents = documents;
    this.#directory = stock.getMap('ledger');
    this.#directory.observe((event) => {
      for (const key of event.keysChanged) this.#watch(key.split('/')[0] ?? '');
    });
  }

  /** The periods the directory lists, oldest first. */
  periods(): string[] {
    const periods = new Set<string>();
    for (const key of this.#directory.keys()) periods.add(key.split('/')[0] ?? '');
    return [...periods].filter((period) => PERIOD_NAME.test(period)).sort();
  }

  /**
   * Opens every period the directory lists and hands their moves to the listeners; periods
   * listed later, by this replica or another, open as they appear.
   *
   * @returns A promise that settles when every listed period has been read from IndexedDB.
   */
  async open(): Promise<void> {
    await Promise.all(this.periods().map((period) => this.#watch(period)));
  }

  /**
   * Calls `listener` with done moves as they become known: those of each period when it opens,
   * then each new one, local or remote. A move may be handed over more than once. When two
   * replicas wrote one move id with different content, the document keeps one version: the
   * listener then gets the version it was given before in `replaced`, and the kept one in `moves`.
   *
   * @returns A function that stops the calls.
   */
  onMoves(listener: (moves: readonly Move[], replaced: readonly Move[]) => void): () => void {
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
      const period = ledgerPeriod(move.date);
      const filed = byPeriod.get(period);
      if (filed === undefined) byPeriod.set(period, [move]);
      else filed.push(move);
    }

    const clocks: [string, number][] = [];
    for (const [period, filed] of byPeriod) {
      const { doc } = this.#documents.open(period);
      void this.#watch(period);
      doc.transact(() => {
        const entries = doc.getMap<Move>('moves');
        for (const move of filed) entries.set(move.id, move);
      }, Origin.command);
      clocks.push([`${period}/${doc.clientID}`, clockOf(doc)]);
    }

    this.#directory.doc?.transact(() => {
      for (const [key, clock] of clocks) this.#directory.set(key, clock);
    }, Origin.command);
  }

  /** @returns The done move with that id, if its period is open. */
  move(id: string, date: number): Move | undefined {
    const period = ledgerPeriod(date);
    if (!this.#documents.isOpen(period)) return undefined;
    return this.#documents.open(period).doc.getMap<Move>('moves').get(id);
  }

  async #watch(period: string): Promise<void> {
    if (!PERIOD_NAME.test(period) || this.#watched.has(period)) return;
    this.#watched.add(period);

    const { doc, loaded } = this.#documents.open(period);
    const entries = doc.getMap<Move>('moves');
    entries.observe((event) => {
      const added: Move[] = [];
      const replaced: Move[] = [];
      for (const [id, change] of event.changes.keys) {
        const move = entries.get(id);
        if (change.action === 'update') replaced.push(change.oldValue as Move);
        if (change.action !== 'delete' && move !== undefined) added.push(move);
      }
      this.#emit(added, replaced);
    });

    // What the document holds already counts now; what IndexedDB or the server adds later
    // arrives through the observer above, so the ledger is never replayed twice.
    this.#emit([...entries.values()]);
    await loaded;
  }

  #emit(moves: readonly Move[], replaced: readonly Move[] = []): void {
    if (moves.length === 0 && replaced.length === 0) return;
    for (const listener of this.#listeners) listener(moves, replaced);
  }
}

/** @returns The next clock of this replica in `doc`: how many items it has written there. */
function clockOf(doc: Y.Doc): number {
  return Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0;
}
