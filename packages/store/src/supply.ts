import type { Decimal } from '@kura/domain';

/** A quantity on its way to a location that the stock does not count yet. */
export interface SupplyPart {
  readonly productId: string;
  readonly locationId: string;
  /** In `unitId`. */
  readonly quantity: Decimal;
  readonly unitId: string;
}

/**
 * What is being supplied and not yet planned as moves (lines of draft purchase orders, open
 * manufacturing orders), by product, kept up to date one record at a time: a scheduler run that
 * orders thousands of proposals reads it after each one.
 */
export class SupplyIndex {
  readonly #parts = new Map<string, SupplyPart>();
  readonly #byProduct = new Map<string, Set<string>>();

  /**
   * Records what a record supplies now, replacing what it supplied before.
   *
   * @param key - The record, such as `line:<id>`.
   * @param part - What it supplies, or `undefined` when it supplies nothing any more.
   */
  set(key: string, part: SupplyPart | undefined): void {
    const before = this.#parts.get(key);
    if (before !== undefined) {
      this.#parts.delete(key);
      this.#byProduct.get(before.productId)?.delete(key);
    }
    if (part === undefined) return;

    this.#parts.set(key, part);
    const keys = this.#byProduct.get(part.productId);
    if (keys === undefined) this.#byProduct.set(part.productId, new Set([key]));
    else keys.add(key);
  }

  /** @returns What is being supplied of a product. */
  of(productId: string): SupplyPart[] {
    return [...(this.#byProduct.get(productId) ?? [])].flatMap((key) => this.#parts.get(key) ?? []);
  }
}
