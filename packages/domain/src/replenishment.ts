import { add, compare, decimal, type Decimal, isZero, round, subtract } from './decimal.js';
import { DomainError } from './errors.js';
import type { LocationTree } from './location.js';
import type { Product, Unit } from './model.js';
import { validateProductUnits, vendorFor } from './product.js';
import { compareQuantities, convertQuantity, purchaseQuantity } from './uom.js';

// Reorder rules keep a product's stock at a location between a minimum and a maximum. Every
// replica computes proposals and exceptions from the data alone, so that replicas holding the
// same data propose the same quantity under the same id and list the same exceptions in the same
// order. Nothing here writes: ordering a proposal or applying a fix is a command of the store.

/** Whether a rule's proposals are ordered by themselves or wait for someone to order them. */
export type ReorderTrigger = 'auto' | 'manual';

/** A rule that keeps a product's forecast at a location between a minimum and a maximum. */
export interface ReorderRule {
  readonly id: string;
  readonly productId: string;
  /** An internal location; its forecast counts the locations below it. */
  readonly locationId: string;
  /** In the product's unit. Below it, the rule orders. */
  readonly minimum: Decimal;
  /** In the product's unit. The rule orders up to it, or up to the minimum when that is above. */
  readonly maximum: Decimal;
  /** In the product's unit; orders are multiples of it. `'0'` when orders come in any quantity. */
  readonly multiple: Decimal;
  readonly trigger: ReorderTrigger;
  /** A manual rule proposes nothing before this instant (ms since the epoch). */
  readonly snoozedUntil?: number | undefined;
  /** The route to replenish by, ahead of the product's own routes. */
  readonly routeId?: string | undefined;
  /** The rule's own delay in whole days, on top of the vendor's lead time. */
  readonly leadDays: number;
  /** When `true`, a forecast exactly at the minimum orders too. */
  readonly triggerAtMinimum?: boolean | undefined;
}

/** A reorder rule as a user types it; quantities may still be numbers. */
export interface ReorderRuleDraft {
  readonly id: string;
  readonly productId: string;
  readonly locationId: string;
  readonly minimum: Decimal | number;
  readonly maximum: Decimal | number;
  /** `'0'` (any quantity) when absent. */
  readonly multiple?: Decimal | number | undefined;
  /** `'auto'` when absent. */
  readonly trigger?: ReorderTrigger | undefined;
  readonly snoozedUntil?: number | undefined;
  readonly routeId?: string | undefined;
  /** 0 when absent. */
  readonly leadDays?: number | undefined;
  readonly triggerAtMinimum?: boolean | undefined;
}

/** What {@link validateReorderRule} checks a draft against. */
export interface ReorderRuleContext {
  readonly products: ReadonlyMap<string, Product>;
  readonly tree: LocationTree;
}

/** Codes of the errors that the reorder functions throw. */
export type ReorderErrorCode =
  | 'reorder-rule-id-required'
  | 'reorder-rule-product-unknown'
  | 'reorder-rule-product-not-storable'
  | 'reorder-rule-location-unknown'
  | 'reorder-rule-location-not-internal'
  | 'reorder-rule-minimum-invalid'
  | 'reorder-rule-maximum-invalid'
  | 'reorder-rule-multiple-invalid'
  | 'reorder-rule-trigger-unknown'
  | 'reorder-rule-snooze-invalid'
  | 'reorder-rule-snooze-auto'
  | 'reorder-rule-lead-days-invalid'
  | 'reorder-product-mismatch'
  | 'reorder-ordered-invalid'
  | 'reorder-cycle-invalid';

/** The figures a proposal was computed from, kept so that anyone can see why it says 36. */
export interface ProposalInputs {
  /** The forecast at the rule's location at {@link ProposalInputs.at}, in the product's unit. */
  readonly forecast: Decimal;
  /** What was already being ordered for the rule and is not yet in the forecast. */
  readonly ordered: Decimal;
  readonly minimum: Decimal;
  readonly maximum: Decimal;
  readonly multiple: Decimal;
  /** The rule's lead days plus those of the preferred vendor of a bought product. */
  readonly leadDays: number;
  /** The instant the forecast looks ahead to: `now` plus the lead days. */
  readonly at: number;
}

/** What a reorder rule asks to order, and why. */
export interface ReorderProposal {
  /** From the rule and its open cycle; see {@link proposalId}. */
  readonly id: string;
  readonly ruleId: string;
  readonly productId: string;
  readonly locationId: string;
  /** The quantity to order, in the product's unit, after every rounding. */
  readonly quantity: Decimal;
  /** For a bought product: the quantity in the purchase unit. */
  readonly purchaseQuantity?: Decimal | undefined;
  /** For a bought product: its purchase unit, or its unit when it has none. */
  readonly purchaseUnitId?: string | undefined;
  /**
   * For a bought product: the partner of the first vendor whose minimum the purchase quantity
   * reaches. Absent when no vendor sells that little; the buyer then picks one by hand.
   */
  readonly vendorId?: string | undefined;
  /** The rule's preferred route, when it names one. */
  readonly routeId?: string | undefined;
  readonly inputs: ProposalInputs;
  /** Why the rule orders this quantity, in one English sentence. */
  readonly explanation: string;
}

/** What {@link reorderProposal} needs beyond the rule. */
export interface ReorderInputs {
  /** The rule's product. */
  readonly product: Product;
  /** The units of the workspace; the product's unit and purchase unit are taken from them. */
  readonly units: readonly Unit[];
  /**
   * The forecast of the product at the rule's location (with the locations below it) up to
   * {@link reorderHorizon}, in the product's unit. It may be negative.
   */
  readonly forecast: Decimal;
  /**
   * What is already being ordered for this rule and is not in the forecast yet, such as lines
   * of draft purchase orders, in the product's unit. Confirmed orders are incoming moves, which
   * the forecast already counts; counting them here too would order them twice.
   */
  readonly ordered: Decimal;
  /** The current instant (ms since the epoch). */
  readonly now: number;
  /** The rule's open cycle: how many of its proposals were already ordered. */
  readonly cycle: number;
}

const DAY = 86_400_000;
const TRIGGERS: readonly ReorderTrigger[] = ['auto', 'manual'];

/**
 * Checks a reorder rule before it is written, and normalizes it: quantities in canonical
 * decimal form, the multiple defaulting to `'0'`, the trigger to `auto`, the lead days to 0, an
 * empty route and a `false` flag removed.
 *
 * A minimum above the maximum is not refused, so that a rule can be stored while someone fixes
 * it: the rule then orders up to its minimum and {@link replenishmentExceptions} lists it.
 *
 * @param draft - The rule as typed.
 * @param context - The products and locations it refers to.
 * @returns The rule to write.
 * @throws {DomainError} `reorder-rule-id-required`, `reorder-rule-product-unknown`,
 *   `reorder-rule-product-not-storable`, `reorder-rule-location-unknown`,
 *   `reorder-rule-location-not-internal`, `reorder-rule-minimum-invalid`,
 *   `reorder-rule-maximum-invalid`, `reorder-rule-multiple-invalid`,
 *   `reorder-rule-trigger-unknown`, `reorder-rule-snooze-invalid`, `reorder-rule-snooze-auto`
 *   or `reorder-rule-lead-days-invalid`, in that order of checking.
 */
export function validateReorderRule(
  draft: ReorderRuleDraft,
  context: ReorderRuleContext,
): ReorderRule {
  const id = draft.id.trim();
  if (id === '') {
    throw new DomainError<ReorderErrorCode>(
      'reorder-rule-id-required',
      'a reorder rule needs an id; generate one before writing the rule',
    );
  }

  const product = context.products.get(draft.productId);
  if (product === undefined) {
    throw new DomainError<ReorderErrorCode>(
      'reorder-rule-product-unknown',
      `product "${draft.productId}" does not exist; pick a product from the catalog`,
    );
  }
  if (product.type !== 'storable') {
    throw new DomainError<ReorderErrorCode>(
      'reorder-rule-product-not-storable',
      `"${product.name}" is a ${product.type}, and only storable products keep a stock that ` +
        'a reorder rule can watch; make the product storable or remove the rule',
    );
  }

  if (!context.tree.has(draft.locationId)) {
    throw new DomainError<ReorderErrorCode>(
      'reorder-rule-location-unknown',
      `location "${draft.locationId}" does not exist; pick an existing location`,
    );
  }
  if (!context.tree.internal(draft.locationId)) {
    throw new DomainError<ReorderErrorCode>(
      'reorder-rule-location-not-internal',
      `"${context.tree.fullName(draft.locationId)}" does not hold the company's stock; pick an ` +
        'internal location, such as a warehouse stock location',
    );
  }

  const minimum = quantity(draft.minimum, 'reorder-rule-minimum-invalid', 'minimum');
  const maximum = quantity(draft.maximum, 'reorder-rule-maximum-invalid', 'maximum');
  const multiple = quantity(draft.multiple ?? '0', 'reorder-rule-multiple-invalid', 'multiple');

  const trigger = draft.trigger ?? 'auto';
  if (!TRIGGERS.includes(trigger)) {
    throw new DomainError<ReorderErrorCode>(
      'reorder-rule-trigger-unknown',
      `"${String(trigger)}" is not a trigger; pick auto or manual`,
    );
  }
  const { snoozedUntil } = draft;
  if (snoozedUntil !== undefined && !Number.isSafeInteger(snoozedUntil)) {
    throw new DomainError<ReorderErrorCode>(
      'reorder-rule-snooze-invalid',
      `${String(snoozedUntil)} is not an instant; snooze until a time in whole milliseconds`,
    );
  }
  if (snoozedUntil !== undefined && trigger === 'auto') {
    throw new DomainError<ReorderErrorCode>(
      'reorder-rule-snooze-auto',
      'an automatic rule orders by itself and cannot be snoozed; make the rule manual or ' +
        'remove the snooze',
    );
  }

  const leadDays = draft.leadDays ?? 0;
  if (!Number.isSafeInteger(leadDays) || leadDays < 0) {
    throw new DomainError<ReorderErrorCode>(
      'reorder-rule-lead-days-invalid',
      `the lead time is ${String(leadDays)} days; write a whole number of days, 0 or more`,
    );
  }

  const routeId = draft.routeId?.trim() || undefined;
  return {
    id,
    productId: product.id,
    locationId: draft.locationId,
    minimum,
    maximum,
    multiple,
    trigger,
    leadDays,
    ...(snoozedUntil !== undefined && { snoozedUntil }),
    ...(routeId !== undefined && { routeId }),
    ...(draft.triggerAtMinimum === true && { triggerAtMinimum: true }),
  };
}

/**
 * The lead days of a rule: its own, plus the lead time of the product's preferred vendor when
 * the product is bought.
 *
 * The vendor to order from is the first whose minimum the order reaches, but the order's size
 * depends on the forecast at the end of the lead time, so the lead time cannot wait for it. It
 * takes the preferred vendor, the first of the list, whatever the quantity; the proposal then
 * names the vendor the quantity picks, which is the same one unless the preferred vendor's
 * minimum is above the order.
 *
 * @param rule - The rule's own lead days.
 * @param product - Whether the product is bought, and its vendors in order of preference.
 * @returns A whole number of days.
 */
export function reorderLeadDays(
  rule: Pick<ReorderRule, 'leadDays'>,
  product: Pick<Product, 'buy' | 'vendors'>,
): number {
  const vendor = product.buy ? product.vendors[0] : undefined;
  return rule.leadDays + (vendor?.leadDays ?? 0);
}

/**
 * The instant a rule's forecast looks ahead to: now plus its lead days. Compute the forecast
 * handed to {@link reorderProposal} up to this instant.
 *
 * @param rule - The rule's own lead days.
 * @param product - Whether the product is bought, and its vendors.
 * @param now - The current instant (ms since the epoch).
 * @returns `now` plus {@link reorderLeadDays} whole days.
 */
export function reorderHorizon(
  rule: Pick<ReorderRule, 'leadDays'>,
  product: Pick<Product, 'buy' | 'vendors'>,
  now: number,
): number {
  return now + reorderLeadDays(rule, product) * DAY;
}

/**
 * Tells whether a manual rule is snoozed: it proposes nothing before its snooze ends. An
 * automatic rule is never snoozed.
 *
 * @param rule - The rule.
 * @param now - The current instant (ms since the epoch).
 * @returns `true` while `now` is before the end of the snooze.
 */
export function isReorderRuleSnoozed(
  rule: Pick<ReorderRule, 'trigger' | 'snoozedUntil'>,
  now: number,
): boolean {
  return rule.trigger === 'manual' && rule.snoozedUntil !== undefined && now < rule.snoozedUntil;
}

/**
 * The id of a rule's proposal in a cycle. A cycle is the stretch between two orders of the
 * rule: the cycle of the open proposal is the number of the rule's proposals already ordered.
 * Two replicas that compute a proposal for one rule before either ordered it count the same
 * orders, so they write one proposal under one id, the later write replacing the earlier. Once
 * a proposal is ordered the count grows, and the next proposal is a new one under a new id; an
 * id already ordered is never written again.
 *
 * @param ruleId - The rule's id.
 * @param cycle - How many of the rule's proposals were already ordered.
 * @returns `proposal:<ruleId>:<cycle>`.
 * @throws {DomainError} `reorder-cycle-invalid` when the cycle is not a whole number, 0 or more.
 */
export function proposalId(ruleId: string, cycle: number): string {
  if (!Number.isSafeInteger(cycle) || cycle < 0) {
    throw new DomainError<ReorderErrorCode>(
      'reorder-cycle-invalid',
      `the cycle is ${String(cycle)}; count the rule's proposals already ordered, 0 or more`,
    );
  }
  return `proposal:${ruleId}:${cycle}`;
}

/**
 * Computes what a reorder rule asks to order. The forecast at the end of the lead days plus
 * what is already being ordered is compared with the minimum at the unit's precision: strictly
 * below it orders, and so does exactly at it when the rule's `triggerAtMinimum` flag is set.
 * The quantity fills up to the maximum (or the minimum, when that is above): it is
 * max(minimum, maximum) minus that forecast, rounded up to the multiple, then up to the
 * purchase unit for a bought product (to the unit's precision otherwise), so that the order
 * never falls short.
 *
 * @param rule - A validated rule.
 * @param inputs - The product, the units, the forecast, what is already ordered, now and the
 *   rule's open cycle.
 * @returns The proposal, or `undefined` when the rule needs nothing or is snoozed.
 * @throws {DomainError} `reorder-product-mismatch` when the product is not the rule's,
 *   `reorder-cycle-invalid`, `decimal-invalid` when the forecast is not a decimal,
 *   `reorder-ordered-invalid` when the ordered quantity is not a decimal of 0 or more,
 *   `unit-unknown` or `product-purchase-unit-category` when the product's units do not fit.
 * @example
 * ```ts
 * // minimum 10, maximum 40, multiple 6
 * const at = reorderHorizon(rule, product, now);
 * const forecast = stockQuantities(moves, product.id, rule.locationId, tree, { at }).forecast;
 * reorderProposal(rule, { product, units, forecast, ordered: '0', now, cycle: 0 });
 * // forecast 8: quantity '36', "The forecast 8 today is below the minimum 10: order
 * // 40 − 8 = 32, rounded up to 36 by the multiple 6."
 * ```
 */
export function reorderProposal(
  rule: ReorderRule,
  inputs: ReorderInputs,
): ReorderProposal | undefined {
  const { product, now } = inputs;
  if (product.id !== rule.productId) {
    throw new DomainError<ReorderErrorCode>(
      'reorder-product-mismatch',
      `rule "${rule.id}" keeps product "${rule.productId}" in stock, not "${product.id}"; pass ` +
        "the rule's own product",
    );
  }
  const id = proposalId(rule.id, inputs.cycle);
  const forecast = decimal(inputs.forecast);
  const ordered = orderedQuantity(inputs.ordered);
  const { unit, purchaseUnit } = validateProductUnits(product, inputs.units);
  if (isReorderRuleSnoozed(rule, now)) return undefined;

  const level = add(forecast, ordered);
  const standing = compareQuantities(level, rule.minimum, unit);
  if (standing > 0 || (standing === 0 && rule.triggerAtMinimum !== true)) return undefined;
  const target = compare(rule.minimum, rule.maximum) > 0 ? rule.minimum : rule.maximum;
  const need = subtract(target, level);
  if (compare(need, '0') <= 0) return undefined;

  const rounded = isZero(rule.multiple) ? need : round(need, rule.multiple, 'up');
  const bought = product.buy
    ? convertQuantity(rounded, unit, purchaseUnit, 'up')
    : purchaseQuantity(rounded, unit);
  const orderQuantity = product.buy ? convertQuantity(bought, purchaseUnit, unit) : bought;
  const vendor = product.buy ? vendorFor(product, bought) : undefined;

  const leadDays = reorderLeadDays(rule, product);
  const when = leadDays === 0 ? 'today' : `in ${leadDays} ${leadDays === 1 ? 'day' : 'days'}`;
  const levelText = isZero(ordered)
    ? `The forecast ${forecast} ${when}`
    : `The forecast ${forecast} ${when} plus ${ordered} already ordered, ${level},`;
  const standingText =
    standing < 0
      ? `is below the minimum ${rule.minimum}`
      : `is at the minimum ${rule.minimum}, and this rule orders at the minimum`;
  let steps = `order ${target} − ${level} = ${need}`;
  if (compare(rounded, need) !== 0) {
    steps += `, rounded up to ${rounded} by the multiple ${rule.multiple}`;
  }
  if (product.buy && purchaseUnit.id !== unit.id) {
    steps += `, bought as ${bought} ${purchaseUnit.name}`;
    if (compare(orderQuantity, rounded) !== 0) steps += ` (${orderQuantity} ${unit.name})`;
  } else if (compare(orderQuantity, rounded) !== 0) {
    steps += `, rounded up to ${orderQuantity} by the precision of ${unit.name}`;
  }

  return {
    id,
    ruleId: rule.id,
    productId: rule.productId,
    locationId: rule.locationId,
    quantity: orderQuantity,
    ...(product.buy && { purchaseQuantity: bought, purchaseUnitId: purchaseUnit.id }),
    ...(vendor !== undefined && { vendorId: vendor.partnerId }),
    ...(rule.routeId !== undefined && { routeId: rule.routeId }),
    inputs: {
      forecast,
      ordered,
      minimum: rule.minimum,
      maximum: rule.maximum,
      multiple: rule.multiple,
      leadDays,
      at: now + leadDays * DAY,
    },
    explanation: `${levelText} ${standingText}: ${steps}.`,
  };
}

/** Why a product cannot be replenished as its data says. */
export type ReplenishmentCause =
  | 'missing-bill-of-materials'
  | 'missing-vendor'
  | 'vendor-without-address'
  | 'unreplenished-shortage'
  | 'unreachable-location'
  | 'purchase-unit-category'
  | 'minimum-above-maximum';

/** A change that removes the cause of a replenishment exception, for the exception's product. */
export type ReplenishmentFix =
  /** Give the product a bill of materials, so that it can be manufactured. */
  | { readonly kind: 'create-bom' }
  /** Let the product be bought, so that it is replenished without manufacturing. */
  | { readonly kind: 'make-purchasable' }
  /** Add a vendor to the product. */
  | { readonly kind: 'add-vendor' }
  /** Give a vendor an address, so that purchase orders can reach it. */
  | { readonly kind: 'set-vendor-address'; readonly partnerId: string }
  /** Add a reorder rule for the product at a location. */
  | { readonly kind: 'add-reorder-rule'; readonly locationId: string }
  /** Order the missing quantity once, by hand, for a location. */
  | { readonly kind: 'buy-by-hand'; readonly locationId: string; readonly quantity: Decimal }
  /** Review the product's routes, so that one brings it to a location. */
  | { readonly kind: 'check-routes'; readonly locationId: string }
  /** Pick a purchase unit of the same category as the product's unit. */
  | { readonly kind: 'pick-purchase-unit' }
  /** Edit a reorder rule. */
  | { readonly kind: 'fix-rule'; readonly ruleId: string };

/** A reason a product will not be replenished, with the fixes that remove it. */
export interface ReplenishmentException {
  /**
   * `replenishment:<cause>:<product>`, then `:<rule>` for a rule's exception or `:<location>`
   * for a shortage, so that replicas name it alike.
   */
  readonly id: string;
  readonly cause: ReplenishmentCause;
  readonly productId: string;
  readonly ruleId?: string | undefined;
  readonly locationId?: string | undefined;
  /** What is wrong and how to fix it, in English. */
  readonly message: string;
  readonly fixes: readonly ReplenishmentFix[];
}

/** Partners by id, with what a purchase order needs to reach them. */
export type PartnerAddressBook = ReadonlyMap<
  string,
  { readonly name: string; readonly address?: string | undefined }
>;

/** A product whose forecast at a location goes below zero. */
export interface Shortage {
  readonly productId: string;
  readonly locationId: string;
  /** How much is missing, in the product's unit; above zero. */
  readonly missing: Decimal;
}

/** The data replenishment exceptions are found in. */
export interface ReplenishmentContext {
  readonly products: readonly Product[];
  readonly units: readonly Unit[];
  readonly rules: readonly ReorderRule[];
  /** The products that have a bill of materials. */
  readonly billsOfMaterials: ReadonlySet<string>;
  readonly partners: PartnerAddressBook;
  /** Whether some route rule can bring the product to the location. */
  readonly reachable: (productId: string, locationId: string) => boolean;
  /**
   * The places where a forecast goes below zero. A shortage at a location where a reorder rule
   * keeps the product is covered by that rule and is skipped.
   */
  readonly shortages: readonly Shortage[];
}

/**
 * Lists why products will not be replenished: a manufactured product without a bill of
 * materials, a bought product without a vendor or whose vendor has no address, a shortage that
 * no reorder rule covers, a rule at a location no route reaches, a purchase unit of another
 * category than the unit, and a rule whose minimum is above its maximum. Each exception names
 * the product (and the rule), the cause and the fixes; its id derives from them, and it is gone
 * as soon as the data no longer shows its cause. Services have no stock and show none.
 *
 * @param context - The catalog, the units, the rules, the bills of materials, the partners,
 *   which locations routes reach, and the shortages.
 * @returns The exceptions, sorted by id.
 */
export function replenishmentExceptions(context: ReplenishmentContext): ReplenishmentException[] {
  const products = new Map<string, Product>();
  for (const product of context.products) {
    if (product.type !== 'service') products.set(product.id, product);
  }
  const exceptions = new Map<string, ReplenishmentException>();
  const report = (exception: ReplenishmentException) => exceptions.set(exception.id, exception);

  for (const product of products.values()) {
    const missingBom = billOfMaterialsException(product, context.billsOfMaterials);
    const missingVendor = vendorException(product);
    const noAddress = vendorAddressException(product, context.partners);
    const unitMismatch = purchaseUnitException(product, context.units);
    for (const exception of [missingBom, missingVendor, noAddress, unitMismatch]) {
      if (exception !== undefined) report(exception);
    }
  }

  const covered = new Set<string>();
  for (const rule of context.rules) {
    const product = products.get(rule.productId);
    if (product === undefined) continue;
    covered.add(placeKey(rule.productId, rule.locationId));

    if (!context.reachable(rule.productId, rule.locationId)) {
      report({
        ...about('unreachable-location', product, rule),
        message:
          `No route brings "${product.name}" to ${rule.locationId}, so reorder rule ` +
          `"${rule.id}" can never be fulfilled. Check the product's routes: let it be bought ` +
          'or manufactured, or add a warehouse route to that location.',
        fixes: [{ kind: 'check-routes', locationId: rule.locationId }],
      });
    }
    if (compare(rule.minimum, rule.maximum) > 0) {
      report({
        ...about('minimum-above-maximum', product, rule),
        message:
          `Reorder rule "${rule.id}" keeps "${product.name}" at ${rule.locationId} with a ` +
          `minimum ${rule.minimum} above its maximum ${rule.maximum}, so it orders up to the ` +
          'minimum. Fix the rule: lower the minimum or raise the maximum.',
        fixes: [{ kind: 'fix-rule', ruleId: rule.id }],
      });
    }
  }

  for (const shortage of largestShortages(context.shortages)) {
    const product = products.get(shortage.productId);
    if (product === undefined || covered.has(placeKey(product.id, shortage.locationId))) continue;

    const { locationId, missing } = shortage;
    report({
      id: `${exceptionId('unreplenished-shortage', product.id)}:${locationId}`,
      cause: 'unreplenished-shortage',
      productId: product.id,
      locationId,
      message:
        `"${product.name}" is short by ${missing} at ${locationId} and no reorder rule ` +
        'replenishes it there. Add a reorder rule for that location, or buy the missing ' +
        'quantity by hand.',
      fixes: [
        { kind: 'add-reorder-rule', locationId },
        { kind: 'buy-by-hand', locationId, quantity: missing },
      ],
    });
  }

  return [...exceptions.values()].sort((a, b) => compareIds(a.id, b.id));
}

function billOfMaterialsException(
  product: Product,
  billsOfMaterials: ReadonlySet<string>,
): ReplenishmentException | undefined {
  if (!product.manufacture || billsOfMaterials.has(product.id)) return undefined;

  const fixes: ReplenishmentFix[] = [{ kind: 'create-bom' }];
  if (!product.buy) fixes.push({ kind: 'make-purchasable' });
  return {
    ...about('missing-bill-of-materials', product),
    message:
      `"${product.name}" is manufactured but has no bill of materials, so no manufacturing ` +
      'order can say what it consumes. Create a bill of materials' +
      (product.buy ? '.' : ', or make the product purchasable and buy it instead.'),
    fixes,
  };
}

function vendorException(product: Product): ReplenishmentException | undefined {
  if (!product.buy || product.vendors.length > 0) return undefined;

  return {
    ...about('missing-vendor', product),
    message:
      `"${product.name}" is bought but has no vendor, so no purchase order can be drafted ` +
      'for it. Add a vendor on the product.',
    fixes: [{ kind: 'add-vendor' }],
  };
}

function vendorAddressException(
  product: Product,
  partners: PartnerAddressBook,
): ReplenishmentException | undefined {
  if (!product.buy) return undefined;
  const partnerIds = [...new Set(product.vendors.map((offer) => offer.partnerId))].filter(
    (partnerId) => (partners.get(partnerId)?.address?.trim() ?? '') === '',
  );
  if (partnerIds.length === 0) return undefined;

  const names = partnerIds.map((partnerId) => `"${partners.get(partnerId)?.name ?? partnerId}"`);
  const many = names.length > 1;
  return {
    ...about('vendor-without-address', product),
    message:
      `${many ? 'The vendors' : 'The vendor'} ${names.join(', ')} of "${product.name}" ` +
      `${many ? 'have' : 'has'} no address, so a purchase order cannot reach ` +
      `${many ? 'them' : 'it'}. Give ${many ? 'each vendor' : 'the vendor'} an address.`,
    fixes: partnerIds.map((partnerId): ReplenishmentFix => ({
      kind: 'set-vendor-address',
      partnerId,
    })),
  };
}

function purchaseUnitException(
  product: Product,
  units: readonly Unit[],
): ReplenishmentException | undefined {
  if (product.purchaseUnitId === undefined) return undefined;
  const unit = units.find((candidate) => candidate.id === product.unitId);
  const purchaseUnit = units.find((candidate) => candidate.id === product.purchaseUnitId);
  if (unit === undefined || purchaseUnit === undefined) return undefined;
  if (unit.categoryId === purchaseUnit.categoryId) return undefined;

  return {
    ...about('purchase-unit-category', product),
    message:
      `"${product.name}" is counted in ${unit.name} (category ${unit.categoryId}) but bought ` +
      `in ${purchaseUnit.name} (category ${purchaseUnit.categoryId}), so no order quantity can ` +
      `be converted. Pick a purchase unit of the ${unit.categoryId} category.`,
    fixes: [{ kind: 'pick-purchase-unit' }],
  };
}

/** The id, cause, product and rule of an exception. */
function about(cause: ReplenishmentCause, product: Product, rule?: ReorderRule) {
  if (rule === undefined)
    return { id: exceptionId(cause, product.id), cause, productId: product.id };
  return {
    id: `${exceptionId(cause, product.id)}:${rule.id}`,
    cause,
    productId: product.id,
    ruleId: rule.id,
    locationId: rule.locationId,
  };
}

function exceptionId(cause: ReplenishmentCause, productId: string): string {
  return `replenishment:${cause}:${productId}`;
}

function placeKey(productId: string, locationId: string): string {
  return JSON.stringify([productId, locationId]);
}

/**
 * One shortage per product and location, the largest when one is listed twice, so that a list
 * handed over twice reports the same; shortages of nothing are dropped.
 */
function largestShortages(shortages: readonly Shortage[]): Shortage[] {
  const largest = new Map<string, Shortage>();
  for (const shortage of shortages) {
    const missing = decimal(shortage.missing);
    if (compare(missing, '0') <= 0) continue;
    const key = placeKey(shortage.productId, shortage.locationId);
    const known = largest.get(key);
    if (known === undefined || compare(missing, known.missing) > 0) {
      largest.set(key, { ...shortage, missing });
    }
  }
  return [...largest.values()];
}

function quantity(value: Decimal | number, code: ReorderErrorCode, label: string): Decimal {
  let parsed: Decimal;
  try {
    parsed = decimal(value);
  } catch {
    // The field's own code, rather than decimal-invalid, lets a form mark the right input.
    throw new DomainError<ReorderErrorCode>(
      code,
      `the ${label} "${String(value)}" is not a decimal number; write digits with a point, ` +
        'such as 12.5',
    );
  }

  if (compare(parsed, '0') < 0) {
    throw new DomainError<ReorderErrorCode>(
      code,
      `the ${label} is ${parsed}; it cannot be negative`,
    );
  }
  return parsed;
}

function orderedQuantity(value: Decimal): Decimal {
  let parsed: Decimal | undefined;
  try {
    parsed = decimal(value);
  } catch {
    parsed = undefined;
  }

  if (parsed === undefined || compare(parsed, '0') < 0) {
    throw new DomainError<ReorderErrorCode>(
      'reorder-ordered-invalid',
      `the quantity already ordered is "${value}"; pass a decimal of 0 or more, in the ` +
        "product's unit",
    );
  }
  return parsed;
}

/** Compares by code units, never by locale, so that every replica sorts ids alike. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
