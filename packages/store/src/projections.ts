import type { Move, Product, ProductQuantsSnapshot } from '@kura/domain';
import { Dexie, type Table } from 'dexie';

import type { StateVector } from './ledger.js';

/**
 * The version of what the projection database holds. A start that finds another version throws
 * the projections away and derives them again from the documents.
 */
export const PROJECTION_VERSION = 1;

/** Per document name, the state vector that a projection reflects. */
export type Vectors = ReadonlyMap<string, StateVector>;

/** What a projection reflects, as stored. */
interface MetaRow {
  readonly key: 'ledger' | 'products';
  readonly version: number;
  readonly vectors: Record<string, [client: number, clock: number][]>;
}

/** A done move of a lot, filed under the lot for its trace. */
interface LotMoveRow {
  readonly lotId: string;
  readonly id: string;
  readonly move: Move;
  /** 1 when it comes from or goes to a supplier, for the duplicate-serial verdict. */
  readonly supplier: 0 | 1;
}

/** A product as the search index keeps it. */
export interface ProductHit {
  readonly id: string;
  readonly name: string;
  readonly reference?: string | undefined;
  readonly barcode?: string | undefined;
}

interface ProductRow extends ProductHit {
  /** Lower-case words of the name, reference and barcode, and the reference and barcode whole. */
  readonly words: readonly string[];
}

/**
 * The derived data of one workspace in IndexedDB, through Dexie: quants by product, done moves
 * by lot, and the product search index, each with the state vectors of the documents it
 * reflects. Everything here can be derived again from the documents; nothing is only here.
 */
export class ProjectionDatabase extends Dexie {
  declare readonly meta: Table<MetaRow, string>;
  declare readonly quants: Table<ProductQuantsSnapshot, string>;
  declare readonly lotMoves: Table<LotMoveRow, [string, string]>;
  declare readonly products: Table<ProductRow, string>;

  /** @param workspace - The workspace id. */
  constructor(workspace: string) {
    super(`kura/${workspace}/projections`);
    this.version(1).stores({
      meta: 'key',
      quants: 'productId',
      lotMoves: '[lotId+id], lotId, supplier',
      products: 'id, *words',
    });
  }

  #savedLedgerVectors: Promise<Vectors | undefined> | undefined;

  /**
   * What the ledger's projections reflected when they were last saved, read once: everything a
   * start decides (what to read first, what to restore, whether a saved row answers) rests on
   * the same reading, and saves come only after the start.
   *
   * @returns The vectors, or `undefined` when the projections are missing, of another version or
   *   unreadable, and must be derived again.
   */
  savedLedgerVectors(): Promise<Vectors | undefined> {
    this.#savedLedgerVectors ??= this.#vectors('ledger').catch((error: unknown) => {
      console.warn(`Kura: the saved projections cannot be read, deriving them again: ${error}`);
      return undefined;
    });
    return this.#savedLedgerVectors;
  }

  /** @returns Every persisted quant row. */
  async quantRows(): Promise<ProductQuantsSnapshot[]> {
    return this.quants.toArray();
  }

  /** @returns The persisted quants of one product. */
  async quantRow(productId: string): Promise<ProductQuantsSnapshot | undefined> {
    return this.quants.get(productId);
  }

  /**
   * Stores the ledger's projections in one transaction, so that a crash leaves the old state or
   * the new one, never a mixture.
   */
  async saveLedger(save: LedgerSave): Promise<void> {
    await this.transaction('rw', [this.meta, this.quants, this.lotMoves], async () => {
      if (save.clear) await Promise.all([this.quants.clear(), this.lotMoves.clear()]);
      await this.quants.bulkPut(save.rows);
      await this.quants.bulkDelete([...save.emptied]);
      await this.lotMoves.bulkDelete(save.lots.remove.map(({ lotId, id }) => [lotId, id]));
      await this.lotMoves.bulkPut(
        save.lots.put.map(({ move, supplier }) => ({
          lotId: move.lotId ?? '',
          id: move.id,
          move,
          supplier: supplier ? 1 : 0,
        })),
      );
      await this.meta.put(metaRow('ledger', save.vectors));
    });
  }

  /** @returns The persisted done moves of a lot. */
  async movesOfLot(lotId: string): Promise<Move[]> {
    const rows = await this.lotMoves.where('lotId').equals(lotId).toArray();
    return rows.map((row) => row.move);
  }

  /** @returns The persisted done moves of lots from or to a supplier. */
  async supplierLotMoves(): Promise<Move[]> {
    const rows = await this.lotMoves.where('supplier').equals(1).toArray();
    return rows.map((row) => row.move);
  }

  /** @returns The catalog's state vector that the search index reflects, if it is readable. */
  async productVectors(): Promise<Vectors | undefined> {
    return this.#vectors('products');
  }

  /**
   * Stores changes to the search index. With `replace`, the index is rebuilt: products missing
   * from `put` are gone.
   */
  async saveProducts(save: {
    vectors: Vectors;
    put: readonly Product[];
    remove: readonly string[];
    replace: boolean;
  }): Promise<void> {
    await this.transaction('rw', [this.meta, this.products], async () => {
      if (save.replace) await this.products.clear();
      await this.products.bulkPut(save.put.map(productRow));
      await this.products.bulkDelete([...save.remove]);
      await this.meta.put(metaRow('products', save.vectors));
    });
  }

  /** @returns The products matching a query, best first; see {@link searchProducts}. */
  async searchProducts(query: string, limit: number): Promise<ProductHit[]> {
    const tokens = wordsOf(query);
    const first = tokens[0];
    if (first === undefined) return [];
    const rows = await this.products.where('words').startsWith(first).distinct().toArray();
    return rankHits(rows, query, tokens, limit);
  }

  async #vectors(key: MetaRow['key']): Promise<Vectors | undefined> {
    const meta = await this.meta.get(key);
    if (meta?.version !== PROJECTION_VERSION) return undefined;
    return new Map(Object.entries(meta.vectors).map(([name, clocks]) => [name, new Map(clocks)]));
  }
}

/** What one save of the ledger's projections writes. */
export interface LedgerSave {
  /** Empty every table first: the projections were derived again from the start. */
  readonly clear: boolean;
  readonly vectors: Vectors;
  readonly rows: readonly ProductQuantsSnapshot[];
  /** Products whose every quant is gone. */
  readonly emptied: readonly string[];
  readonly lots: {
    readonly put: readonly { readonly move: Move; readonly supplier: boolean }[];
    readonly remove: readonly { readonly lotId: string; readonly id: string }[];
  };
}

function metaRow(key: MetaRow['key'], vectors: Vectors): MetaRow {
  const stored: MetaRow['vectors'] = {};
  for (const [name, vector] of vectors) stored[name] = [...vector];
  return { key, version: PROJECTION_VERSION, vectors: stored };
}

/** Runs of letters or digits; Chinese text has no spaces, so each of its suffixes is a word. */
const WORD = /[\p{L}\p{N}]+/gu;
const HAN = /\p{Script=Han}/u;

/** @returns The lower-case words of a text, as the search index files them. */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const [word] of text.toLowerCase().matchAll(WORD)) {
    words.push(word);
    if (HAN.test(word)) {
      const characters = [...word];
      for (let i = 1; i < characters.length; i++) words.push(characters.slice(i).join(''));
    }
  }
  return words;
}

function productRow(product: Product): ProductRow {
  const codes = [product.reference, product.barcode].flatMap((code) =>
    code ? [code.toLowerCase(), ...wordsOf(code)] : [],
  );
  return {
    id: product.id,
    name: product.name,
    ...(product.reference && { reference: product.reference }),
    ...(product.barcode && { barcode: product.barcode }),
    words: [...new Set([...wordsOf(product.name), ...codes])],
  };
}

/**
 * Finds products by name, reference or barcode: every word of the query must start a word of
 * the product's name, or start its reference or barcode. An exact reference or barcode comes
 * first, then names that start with the query, then the rest, each by name.
 *
 * @param products - The products to search.
 * @param query - What the user typed.
 * @param limit - At most this many hits.
 */
export function searchProducts(
  products: Iterable<Product>,
  query: string,
  limit: number,
): ProductHit[] {
  const tokens = wordsOf(query);
  if (tokens.length === 0) return [];
  return rankHits([...products].map(productRow), query, tokens, limit);
}

function rankHits(
  rows: readonly ProductRow[],
  query: string,
  tokens: readonly string[],
  limit: number,
): ProductHit[] {
  const wanted = query.trim().toLowerCase();
  const rank = (row: ProductRow) => {
    if (row.reference?.toLowerCase() === wanted || row.barcode?.toLowerCase() === wanted) return 0;
    return row.name.toLowerCase().startsWith(wanted) ? 1 : 2;
  };
  return rows
    .filter((row) => tokens.every((token) => row.words.some((word) => word.startsWith(token))))
    .map((row) => ({ row, rank: rank(row) }))
    .sort((a, b) => a.rank - b.rank || a.row.name.localeCompare(b.row.name))
    .slice(0, limit)
    .map(({ row: { words: _words, ...hit } }) => hit);
}
