import {
  reorderHorizon,
  reorderProposal,
  validateReorderRule,
  type ReorderProposal,
  type ReorderRule,
  type ReorderRuleDraft,
} from '@kura/domain';
import type * as Y from 'yjs';

import type { Catalog } from './catalog.js';
import { StoreError } from './errors.js';
import { randomId } from './ids.js';
import { Origin } from './origins.js';
import { RecordProjection } from './projection.js';
import { insertRecord, type RecordMap } from './records.js';
import type { Stock } from './stock.js';

/** A reorder rule as a user types it; the store gives it its id. */
export type ReorderRuleInput = Omit<ReorderRuleDraft, 'id'>;

/** A reorder rule as the store keeps it: with how many of its proposals were ordered. */
export interface StoredReorderRule extends ReorderRule {
  /** The rule's open cycle: its proposals ordered so far. A proposal's id derives from it. */
  readonly cycle: number;
}

/** Codes of the errors that replenishment commands throw besides the domain's. */
export type ReplenishmentErrorCode = 'reorder-rule-unknown';

/**
 * The reorder rules of a workspace, kept in the stock document as records whose fields merge
 * one by one, and the proposals they make now, derived from the rules and the stock on every
 * call, so that every replica with the same data proposes the same quantities under the same ids.
 */
export class Replenishment {
  readonly #doc: Y.Doc;
  readonly #catalog: Catalog;
  readonly #stock: Stock;
  readonly #rules: RecordProjection<StoredReorderRule>;
  #rulesByProduct: Map<string, StoredReorderRule[]> | undefined;

  /** @internal Opened by the workspace. */
  constructor(doc: Y.Doc, catalog: Catalog, stock: Stock) {
    this.#doc = doc;
    this.#catalog = catalog;
    this.#stock = stock;
    this.#rules = new RecordProjection<StoredReorderRule>(doc.getMap('reorderRules'), () => {
      this.#rulesByProduct = undefined;
    });
  }

  /**
   * Adds a reorder rule for a product at an internal location.
   *
   * @returns The stored rule.
   * @throws {DomainError} The codes of `validateReorderRule`; nothing is written then.
   */
  createReorderRule(input: ReorderRuleInput): StoredReorderRule {
    const rule = { ...this.#validate({ ...input, id: randomId() }), cycle: 0 };
    this.#doc.transact(() => insertRecord(this.#map, rule.id, rule), Origin.command);
    return this.#rules.get(rule.id) ?? rule;
  }

  /**
   * Changes some fields of a rule; a concurrent edit of another field survives.
   *
   * @returns The rule after the change.
   * @throws {StoreError} `reorder-rule-unknown`.
   * @throws {DomainError} The codes of `validateReorderRule` for the changed rule.
   */
  updateReorderRule(id: string, patch: Partial<ReorderRuleInput>): StoredReorderRule {
    const rule = this.#rules.patch(id, patch, (current) =>
      this.#validate({ ...current, ...patch, id }),
    );
    if (rule === undefined) {
      throw new StoreError<ReplenishmentErrorCode>(
        'reorder-rule-unknown',
        `no reorder rule has the id "${id}"`,
      );
    }
    return rule;
  }

  /** @returns The rules, of one product or of all, ordered by id. */
  reorderRules(productId?: string): StoredReorderRule[] {
    const rules =
      productId === undefined
        ? [...this.#rules.all().values()]
        : [...(this.#byProduct().get(productId)?.values() ?? [])];
    return rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The rules by product, kept until a rule changes. */
  #byProduct(): Map<string, StoredReorderRule[]> {
    if (this.#rulesByProduct === undefined) {
      this.#rulesByProduct = new Map();
      for (const rule of this.#rules.all().values()) {
        const rules = this.#rulesByProduct.get(rule.productId);
        if (rules === undefined) this.#rulesByProduct.set(rule.productId, [rule]);
        else rules.push(rule);
      }
    }
    return this.#rulesByProduct;
  }

  /**
   * What the rules propose to order now: for each rule not snoozed whose forecast at now plus
   * its lead days, in its location and the locations below, falls below its minimum.
   *
   * @param now - The instant to compute at; now by default.
   * @param productIds - Only the rules of these products, as after a change that touched them:
   *   the other rules' proposals cannot have changed.
   * @returns The proposals, ordered by id, each with the inputs it was computed from.
   */
  proposals(now: number = Date.now(), productIds?: Iterable<string>): ReorderProposal[] {
    const units = this.#catalog.units();
    const proposals: ReorderProposal[] = [];
    const rules =
      productIds === undefined
        ? this.reorderRules()
        : [...new Set(productIds)].flatMap((productId) => this.reorderRules(productId));
    for (const rule of rules) {
      const product = this.#catalog.product(rule.productId);
      if (product === undefined) continue;
      const horizon = reorderHorizon(rule, product, now);
      const { forecast } = this.#stock.quantities(rule.productId, rule.locationId, horizon);
      const proposal = reorderProposal(rule, {
        product,
        units,
        forecast,
        ordered: '0',
        now,
        cycle: rule.cycle,
      });
      if (proposal !== undefined) proposals.push(proposal);
    }
    return proposals.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Calls `listener` with the rules now and after each change, local or remote.
   *
   * @returns A function that stops the calls.
   */
  subscribeRules(listener: (rules: readonly StoredReorderRule[]) => void): () => void {
    return this.#rules.subscribe(() => listener(this.reorderRules()));
  }

  #validate(draft: ReorderRuleDraft): ReorderRule {
    return validateReorderRule(draft, {
      products: this.#catalog.productMap(),
      tree: this.#catalog.locationTree(),
    });
  }

  get #map(): RecordMap {
    return this.#doc.getMap('reorderRules');
  }
}
