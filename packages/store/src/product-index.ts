import type { Product } from '@kura/domain';
import * as Y from 'yjs';

import { DelayedSave } from './delayed-save.js';
import { searchProducts, type ProductHit, type ProjectionDatabase } from './projections.js';

/**
 * The product search index: in IndexedDB when the workspace persists, so that a picker finds
 * products before the catalog document is decoded; in memory otherwise. It follows every change
 * of the catalog, local or remote, and is rebuilt whole when the catalog's state vector differs
 * from the one it was saved with.
 */
export class ProductIndex {
  readonly #doc: Y.Doc;
  readonly #products: () => ReadonlyMap<string, Product>;
  readonly #db: ProjectionDatabase | undefined;
  readonly #dirty = new Set<string>();
  readonly #ready: Promise<void>;
  #replace = false;
  #loaded = false;
  readonly #saves: DelayedSave;

  /**
   * @param doc - The catalog document.
   * @param products - The catalog's products now.
   * @param loaded - Settles when the catalog has been read from IndexedDB.
   * @param db - Where the index persists, if anywhere.
   */
  constructor(
    doc: Y.Doc,
    products: () => ReadonlyMap<string, Product>,
    loaded: Promise<void>,
    db: ProjectionDatabase | undefined,
  ) {
    this.#doc = doc;
    this.#products = products;
    this.#db = db;
    this.#ready = loaded.then(async () => {
      this.#loaded = true;
      if (db !== undefined) await this.#check(db);
    });
    this.#saves = new DelayedSave(async () => {
      if (db === undefined) return;
      await this.#ready;
      await this.#save(db);
    });
  }

  /** Notes products that changed, to be saved shortly. */
  changed(ids: Iterable<string>): void {
    if (this.#db === undefined || this.#saves.closed) return;
    for (const id of ids) this.#dirty.add(id);
    this.#saves.schedule();
  }

  /**
   * Finds products by name, reference or barcode; every word typed must start a word of them.
   *
   * @returns At most `limit` products, an exact reference or barcode first, then by name.
   */
  async search(query: string, limit: number): Promise<ProductHit[]> {
    if (this.#db === undefined) return searchProducts(this.#products().values(), query, limit);
    // Before the catalog is read, the persisted index answers as it was saved.
    if (this.#loaded) await this.flush();
    return this.#db.searchProducts(query, limit);
  }

  /** Saves what changed now. */
  async flush(): Promise<void> {
    await this.#saves.flush();
  }

  /** Saves what changed and stops following the catalog. */
  async close(): Promise<void> {
    await this.#saves.close();
  }

  /** Keeps the saved index when it reflects the catalog as read, else rebuilds it. */
  async #check(db: ProjectionDatabase): Promise<void> {
    const saved = (await db.productVectors().catch(() => undefined))?.get('catalog');
    const current = Y.decodeStateVector(Y.encodeStateVector(this.#doc));
    if (saved !== undefined && sameVector(saved, current)) this.#dirty.clear();
    else this.#replace = true;
  }

  async #save(db: ProjectionDatabase): Promise<void> {
    if (this.#dirty.size === 0 && !this.#replace) return;
    const products = this.#products();
    const ids = this.#replace ? [...products.keys()] : [...this.#dirty];
    const put = ids.flatMap((id) => products.get(id) ?? []);
    const remove = ids.filter((id) => !products.has(id));
    const replace = this.#replace;
    const vectors = new Map([['catalog', Y.decodeStateVector(Y.encodeStateVector(this.#doc))]]);
    this.#dirty.clear();
    this.#replace = false;
    try {
      await db.saveProducts({ vectors, put, remove, replace });
    } catch (error) {
      for (const id of ids) this.#dirty.add(id);
      this.#replace ||= replace;
      console.warn(`Kura: the product search index could not be saved: ${error}`);
    }
  }
}

function sameVector(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [client, clock] of a) if (b.get(client) !== clock) return false;
  return true;
}
