import {
  onHandInSnapshot,
  QuantIndex,
  type Decimal,
  type LocationTree,
  type Move,
  type ProductQuantsSnapshot,
} from '@kura/domain';

import { DelayedSave } from './delayed-save.js';
import type { DocumentSet } from './documents.js';
import type { Ledger } from './ledger.js';
import type { ProjectionDatabase } from './projections.js';

/** What the ledger's projections need from the stock. */
export interface LedgerProjectionsOptions {
  readonly ledger: Ledger;
  readonly documents: DocumentSet;
  /** Where the projections persist; without it they live in memory and start from the ledger. */
  readonly db: ProjectionDatabase | undefined;
  readonly tree: () => LocationTree;
  readonly places: (productId: string) => number;
}

/**
 * What the stock derives from the ledger, kept in memory and persisted in IndexedDB with the
 * state vectors of the period documents it reflects: the quants, and the done moves of each lot.
 * A start restores them and has the ledger hand over only the moves written since, so that the
 * periods nobody wrote to stay closed. When the persisted copy is missing, of another version
 * or unreadable, everything is derived again from the ledger.
 */
export class LedgerProjections {
  readonly #options: LedgerProjectionsOptions;
  #index: QuantIndex;
  /**
   * Per lot, the done moves handed over since the last save, and `null` for versions taken
   * back; without persistence, every done move of a lot.
   */
  readonly #lots = new Map<string, Map<string, Move | null>>();
  /** The done moves of lots from or to a supplier, persisted or not. */
  readonly #supplierLotMoves = new Map<string, Move>();
  /** Products whose quants changed since they were last persisted. */
  readonly #unsaved = new Set<string>();
  /** The persisted copy is to be replaced whole at the next save. */
  #replace = false;
  #started = false;
  readonly #saves = new DelayedSave(() => this.#save());

  constructor(options: LedgerProjectionsOptions) {
    this.#options = options;
    this.#index = new QuantIndex(options.tree(), options.places);
  }

  /** The quants, as counted so far. */
  get quants(): QuantIndex {
    return this.#index;
  }

  /**
   * Restores the persisted projections once the documents are read, then opens the ledger so
   * that it hands over what they do not reflect.
   *
   * @returns A promise that settles when every period with new moves has been read.
   */
  start(documentsLoaded: Promise<void>): Promise<void> {
    const { db, ledger } = this.#options;
    if (db === undefined) {
      // Nothing persisted: the ledger opens now, so that commands count at once.
      const opened = ledger.open();
      this.#started = true;
      return Promise.all([documentsLoaded, opened]).then(() => {});
    }
    return documentsLoaded.then(() => this.#restore(db));
  }

  async #restore(db: ProjectionDatabase): Promise<void> {
    const { ledger, tree, places } = this.#options;
    let vectors = await db.savedLedgerVectors();
    if (vectors !== undefined) {
      try {
        const [rows, supplied] = await Promise.all([db.quantRows(), db.supplierLotMoves()]);
        this.#index = QuantIndex.restore(rows, tree(), places);
        for (const move of supplied) this.#supplierLotMoves.set(move.id, move);
      } catch (error) {
        console.warn(`Kura: the saved quantities are unreadable, counting them again: ${error}`);
        vectors = undefined;
      }
    }
    this.#replace = vectors === undefined;
    await ledger.open(vectors);
    this.#started = true;
    this.#schedule();
  }

  /**
   * Counts done moves the ledger handed over, after taking back the versions they replace.
   *
   * @returns `true` when anything was counted or taken back.
   */
  apply(moves: readonly Move[], replaced: readonly Move[]): boolean {
    for (const move of replaced) {
      this.#index.revertDone(move);
      if (move.lotId) this.#fileLot(move.lotId, move.id, null);
      this.#supplierLotMoves.delete(move.id);
    }
    for (const move of moves) {
      this.#index.applyDone(move);
      if (!move.lotId) continue;
      this.#fileLot(move.lotId, move.id, move);
      if (this.#isSupplied(move)) this.#supplierLotMoves.set(move.id, move);
    }
    this.#schedule();
    return moves.length > 0 || replaced.length > 0;
  }

  /** @returns The done moves of lots that came from or went to a supplier. */
  supplierLotMoves(): Move[] {
    return [...this.#supplierLotMoves.values()];
  }

  /** Forgets everything counted, as the ledger asks before it hands every move over again. */
  reset(): void {
    this.#index = new QuantIndex(this.#options.tree(), this.#options.places);
    this.#lots.clear();
    this.#supplierLotMoves.clear();
    this.#unsaved.clear();
    this.#replace = true;
  }

  /**
   * Answers on hand as soon as it can be answered right: from the live quants once the start is
   * done; before that, from the product's persisted row when the directory shows no move
   * written since it was saved.
   *
   * @param stockLoaded - Settles when the stock document, with the ledger's directory, is read.
   */
  async readOnHand(
    productId: string,
    scopeId: string,
    stockLoaded: Promise<void>,
    started: Promise<void>,
  ): Promise<Decimal> {
    const { db, ledger } = this.#options;
    if (!this.#started && db !== undefined) {
      const [vectors] = await Promise.all([db.savedLedgerVectors(), stockLoaded]);
      if (!this.#started && vectors !== undefined && ledger.changedPeriods(vectors).length === 0) {
        const row = await db.quantRow(productId).catch(() => undefined);
        if (!this.#started && row !== undefined) return onHandInSnapshot(row, scopeId);
      }
    }
    await started;
    return this.#index.onHand(productId, scopeId);
  }

  /**
   * @returns Every done move of a lot, persisted or handed over since, by date then id. Moves
   *   in periods this replica has not received yet are not among them.
   */
  async movesOfLot(lotId: string): Promise<Move[]> {
    const byId = new Map<string, Move>();
    const persisted = (await this.#options.db?.movesOfLot(lotId)) ?? [];
    for (const move of persisted) byId.set(move.id, move);
    for (const [id, move] of this.#lots.get(lotId) ?? []) {
      if (move === null) byId.delete(id);
      else byId.set(id, move);
    }
    return [...byId.values()].sort(
      (a, b) => a.date - b.date || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }

  /** Persists what changed now rather than after the usual short delay. */
  async flush(): Promise<void> {
    await this.#saves.flush();
  }

  /** Persists what changed and stops saving. */
  async close(): Promise<void> {
    await this.#saves.close();
  }

  #isSupplied(move: Move): boolean {
    const tree = this.#options.tree();
    return (
      tree.usage(move.sourceId) === 'supplier' || tree.usage(move.destinationId) === 'supplier'
    );
  }

  #fileLot(lotId: string, id: string, move: Move | null): void {
    let moves = this.#lots.get(lotId);
    if (moves === undefined) {
      moves = new Map();
      this.#lots.set(lotId, moves);
    }
    moves.set(id, move);
  }

  #schedule(): void {
    if (this.#options.db !== undefined && this.#started) this.#saves.schedule();
  }

  /**
   * Writes the products and lots that changed, with the state vectors they reflect. What is
   * written is taken in one synchronous step, then written only once the documents' own changes
   * up to that point are stored, so the projections are never ahead of the documents.
   */
  async #save(): Promise<void> {
    const { db, ledger, documents } = this.#options;
    if (db === undefined || !this.#started) return;

    for (const productId of this.#index.takeChanged()) this.#unsaved.add(productId);
    const products = [...this.#unsaved];
    const rows: ProductQuantsSnapshot[] = [];
    const emptied: string[] = [];
    for (const productId of products) {
      const row = this.#index.productSnapshot(productId);
      if (row === undefined) emptied.push(productId);
      else rows.push(row);
    }
    const lots = [...this.#lots].flatMap(([lotId, moves]) =>
      [...moves].map(([id, move]) => ({ lotId, id, move })),
    );
    const replace = this.#replace;
    const vectors = ledger.counted();
    if (rows.length === 0 && emptied.length === 0 && lots.length === 0 && !replace) return;

    this.#unsaved.clear();
    this.#replace = false;
    try {
      await documents.stored();
      await db.saveLedger({
        clear: replace,
        vectors,
        rows,
        emptied,
        lots: {
          put: lots.flatMap(({ move }) =>
            move === null ? [] : [{ move, supplier: this.#isSupplied(move) }],
          ),
          remove: lots.filter(({ move }) => move === null),
        },
      });
    } catch (error) {
      for (const productId of products) this.#unsaved.add(productId);
      this.#replace ||= replace;
      console.warn(`Kura: the quantities could not be saved, they will be next time: ${error}`);
      return;
    }
    // Lots persisted as they were taken need no longer be kept in memory.
    for (const { lotId, id, move } of lots) {
      const moves = this.#lots.get(lotId);
      if (moves?.get(id) !== move) continue;
      moves.delete(id);
      if (moves.size === 0) this.#lots.delete(lotId);
    }
  }
}
