import { KuraError } from '../src/errors.js';
import type { Product } from '../src/model.js';

/**
 * Runs `run` and returns the code of the Kura error it throws, or `undefined` when it throws
 * nothing. Any other error is a bug and is thrown again.
 */
export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof KuraError) return error.code;
    throw error;
  }
  return undefined;
}

/**
 * A small seeded generator (mulberry32) of numbers in [0, 1), so that a failing randomized test
 * can be replayed from its seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A storable, untracked product counted in units, with `fields` changed. */
export function productFixture(id: string, fields: Partial<Product> = {}): Product {
  return {
    id,
    name: id,
    type: 'storable',
    tracking: 'none',
    unitId: 'unit',
    buy: true,
    manufacture: false,
    procureMethod: 'make-to-stock',
    vendors: [],
    ...fields,
  };
}

/** @returns A copy of `items` in an order drawn from `random` (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
