import {
  compare,
  procure,
  reorderHorizon,
  reorderProposal,
  replenishmentExceptions,
  validateReorderRule,
  type ReorderProposal,
  type ReplenishmentException,
  type Shortage,
  type ReorderRule,
  type ReorderRuleDraft,
} from '@kura/domain';
import type * as Y from 'yjs';

import type { Catalog } from './catalog.js';
import { StoreError } from './errors.js';
import { randomId } from './ids.js';
import type { Operations, ProcurementResult } from './operations.js';
import { Origin } from './origins.js';
import { RecordProjection } from './projection.js';
import { byId, insertRecord, patchRecord, type RecordMap } from './records.js';
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

/** What ordering a proposal planned: the proposal and the records procurement wrote. */
export interface OrderedProposal extends ProcurementResult {
  readonly proposal: ReorderProposal;
}

/** How the reorder scheduler runs. */
export interface SchedulerOptions {
  /** How often every automatic rule is checked, in milliseconds; 60,000 by default. */
  readonly tickMs?: number | undefined;
  /** Hears of a run that failed, such as on data a merge left half-written; the console's. */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * The reorder rules of a workspace, kept in the stock document as records whose fields merge
 * one by one, and the proposals they make now, derived from the rules and the stock on every
 * call, so that every replica with the same data proposes the same quantities under the same ids.
 */
export class Replenishment {
  readonly #doc: Y.Doc;
  readonly #catalog: Catalog;
  readonly #stock: Stock;
  readonly #operations: Operations;
  readonly #rules: RecordProjection<StoredReorderRule>;
  #rulesByProduct: Map<string, StoredReorderRule[]> | undefined;

  /** @internal Opened by the workspace. */
  constructor(doc: Y.Doc, catalog: Catalog, stock: Stock, operations: Operations) {
    this.#doc = doc;
    this.#catalog = catalog;
    this.#stock = stock;
    this.#operations = operations;
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
    return byId(rules);
  }

  /**
   * Orders a rule's proposal now, whatever its trigger: procurement plans it through the rule's
   * preferred route, else the product's and the warehouse's (a line in the vendor's draft
   * purchase order, a manufacturing order, or moves from another location), and the rule's
   * cycle moves on. Replicas that order the same proposal while apart write the same records and
   * the same cycle, so the merge holds one order, not two.
   *
   * @param now - The instant to compute at; now by default.
   * @returns What was ordered, or `undefined` when the rule proposes nothing now. When nothing
   *   could be planned (no route, vendor or bill), the result lists it as unplanned and the
   *   rule stays in its cycle.
   * @throws {StoreError} `reorder-rule-unknown`.
   * @throws {DomainError} The codes of `procure`, such as `route-loop`; nothing is written then.
   */
  orderOnce(ruleId: string, now: number = Date.now()): OrderedProposal | undefined {
    const rule = this.#rule(ruleId);
    const product = this.#catalog.product(rule.productId);
    const proposal = this.#proposal({ ...rule, snoozedUntil: undefined }, now);
    if (product === undefined || proposal === undefined) return undefined;
    const demand = {
      productId: rule.productId,
      quantity: proposal.quantity,
      locationId: rule.locationId,
      date: reorderHorizon(rule, product, now),
      origin: proposal.id,
      routeIds: rule.routeId === undefined ? undefined : [rule.routeId],
    };
    return this.#doc.transact(() => {
      const result = this.#operations.procure(demand, proposal.id);
      // Nothing planned, as for a product no route reaches: the proposal stays open, and the
      // replenishment exceptions say why.
      const planned = result.moves.length + result.purchases.length + result.manufacturing.length;
      if (planned > 0) {
        patchRecord(this.#map.get(ruleId) as Y.Map<unknown>, { cycle: rule.cycle + 1 });
      }
      return { proposal, ...result };
    }, Origin.command);
  }

  /**
   * Makes a manual rule automatic: the scheduler orders its proposals from now on.
   *
   * @returns The rule after the change.
   * @throws {StoreError} `reorder-rule-unknown`.
   */
  automate(ruleId: string): StoredReorderRule {
    this.#rule(ruleId);
    return this.updateReorderRule(ruleId, { trigger: 'auto', snoozedUntil: undefined });
  }

  /**
   * Orders what the automatic rules propose: of every rule, or of the rules of some products,
   * as after a change that touched them.
   *
   * @returns What was ordered, by proposal id.
   */
  run(now: number = Date.now(), productIds?: Iterable<string>): OrderedProposal[] {
    const ordered: OrderedProposal[] = [];
    for (const proposal of this.proposals(now, productIds)) {
      if (this.#rules.get(proposal.ruleId)?.trigger !== 'auto') continue;
      const result = this.orderOnce(proposal.ruleId, now);
      if (result !== undefined) ordered.push(result);
    }
    return ordered;
  }

  /**
   * Runs the automatic rules by themselves: for the products a change touched, local or remote,
   * once the change is written, and for every rule on each tick.
   *
   * @returns A function that stops the scheduler.
   */
  schedule(options: SchedulerOptions = {}): () => void {
    const touched = new Set<string>();
    const stop = this.#stock.subscribeProducts((productIds) => {
      const first = touched.size === 0;
      for (const id of productIds) touched.add(id);
      if (!first) return;
      queueMicrotask(() => {
        const products = [...touched];
        touched.clear();
        safely(() => this.run(Date.now(), products));
      });
    });
    const safely = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        (options.onError ?? console.error)(error);
      }
    };
    const timer = setInterval(() => safely(() => this.run()), options.tickMs ?? 60_000);
    (timer as { unref?: () => void }).unref?.();
    return () => {
      stop();
      clearInterval(timer);
    };
  }

  /**
   * Why products will not be replenished, each with its fixes: a manufactured product without a
   * bill of materials, a bought one without a vendor or whose vendor has no address, a shortage
   * no rule covers, a rule no route reaches, a purchase unit of another category, a minimum
   * above the maximum. An exception is gone as soon as its cause is.
   *
   * @returns The exceptions, ordered by id.
   */
  exceptions(now: number = Date.now()): ReplenishmentException[] {
    const catalog = this.#catalog;
    const context = catalog.routeContext();
    const products = catalog.products();
    const withStock = products.filter((product) => product.type === 'storable');
    const shortages: Shortage[] = [];
    for (const warehouse of catalog.warehouses()) {
      for (const product of withStock) {
        const { forecast } = this.#stock.quantities(product.id, warehouse.viewLocationId);
        if (compare(forecast, '0') >= 0) continue;
        shortages.push({
          productId: product.id,
          locationId: warehouse.stockLocationId,
          missing: forecast.startsWith('-') ? forecast.slice(1) : forecast,
        });
      }
    }
    return replenishmentExceptions({
      products,
      units: catalog.units(),
      rules: this.reorderRules(),
      billsOfMaterials: new Set(catalog.boms().map((bom) => bom.productId)),
      partners: this.#operations.addressBook(),
      shortages,
      reachable: (productId, locationId) => {
        try {
          const plan = procure(
            { productId, quantity: '1', locationId, date: now },
            { ...context, available: () => '0' },
          );
          return plan.unreached.length === 0;
        } catch {
          return false;
        }
      },
    });
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
    const rules =
      productIds === undefined
        ? this.reorderRules()
        : [...new Set(productIds)].flatMap((productId) => this.reorderRules(productId));
    return byId(rules.flatMap((rule) => this.#proposal(rule, now) ?? []));
  }

  #proposal(rule: StoredReorderRule, now: number): ReorderProposal | undefined {
    const product = this.#catalog.product(rule.productId);
    if (product === undefined) return undefined;
    const horizon = reorderHorizon(rule, product, now);
    const { forecast } = this.#stock.quantities(rule.productId, rule.locationId, horizon);
    return reorderProposal(rule, {
      product,
      units: this.#catalog.units(),
      forecast,
      ordered: this.#operations.pendingSupply(rule.productId, rule.locationId),
      now,
      cycle: rule.cycle,
    });
  }

  #rule(id: string): StoredReorderRule {
    const rule = this.#rules.get(id);
    if (rule === undefined) {
      throw new StoreError<ReplenishmentErrorCode>(
        'reorder-rule-unknown',
        `no reorder rule has the id "${id}"`,
      );
    }
    return rule;
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
