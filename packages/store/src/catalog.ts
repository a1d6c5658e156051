import { validateProductDraft, type ProductDraft, type ProductFields } from '@kura/domain';
import type * as Y from 'yjs';

import { randomId } from './ids.js';
import { Origin } from './origins.js';
import { RecordProjection } from './projection.js';
import { insertRecord, type RecordMap } from './records.js';

/** A product as the store hands it out: plain, frozen data. */
export interface Product extends ProductFields {
  readonly id: string;
}

/**
 * The catalog of a workspace: products, units, locations and partners, each a record whose
 * fields merge one by one. Commands validate with the domain before they write.
 */
export class Catalog {
  readonly #doc: Y.Doc;
  readonly #products: RecordProjection<Product>;
  #productList: readonly Product[] | undefined;

  /** @internal Opened by the workspace. */
  constructor(doc: Y.Doc) {
    this.#doc = doc;
    this.#products = new RecordProjection<Product>(this.#productMap, () => {
      this.#productList = undefined;
    });
  }

  /**
   * Records a new product in the catalog.
   *
   * @param draft - The product's fields as typed.
   * @returns The stored product.
   * @throws {DomainError} The codes of `validateProductDraft`; nothing is written then.
   */
  createProduct(draft: ProductDraft): Product {
    const fields = validateProductDraft(draft);
    const id = randomId();

    this.#doc.transact(() => insertRecord(this.#productMap, id, fields), Origin.command);

    return this.#products.get(id) ?? Object.freeze({ id, ...fields });
  }

  /** @returns The product with that id, if there is one. */
  product(id: string): Product | undefined {
    return this.#products.get(id);
  }

  /** @returns Every product of the catalog, ordered by name. */
  products(): readonly Product[] {
    this.#productList ??= Object.freeze(
      [...this.#products.all().values()].sort(
        (a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1),
      ),
    );

    return this.#productList;
  }

  /**
   * Calls `listener` with every product, now and after each change, local or remote.
   *
   * @returns A function that stops the calls.
   */
  subscribeProducts(listener: (products: readonly Product[]) => void): () => void {
    return this.#products.subscribe(() => listener(this.products()));
  }

  get #productMap(): RecordMap {
    return this.#doc.getMap('products');
  }
}
