import { add, compare, divide, multiply, positiveDecimal, type Decimal } from './decimal.js';
import { DomainError } from './errors.js';
import { VIRTUAL_LOCATION_IDS } from './location.js';
import type { Author, Move, Product, Unit } from './model.js';
import { unitById } from './uom.js';

/** One component of a bill of materials. */
export interface BomComponent {
  readonly productId: string;
  /** How much of it one batch of the bill consumes, in `unitId`; above zero. */
  readonly quantity: Decimal;
  /** Of the same category as the component product's unit. */
  readonly unitId: string;
}

/** What it takes to make a product: the components one batch consumes. */
export interface BillOfMaterials {
  readonly id: string;
  /** The finished product. */
  readonly productId: string;
  /** How much one batch produces, in `unitId`; above zero. */
  readonly quantity: Decimal;
  /** Of the same category as the finished product's unit. */
  readonly unitId: string;
  readonly components: readonly BomComponent[];
}

/** The catalog manufacturing reads: products and units by id. */
export interface ManufacturingContext {
  readonly products: ReadonlyMap<string, Product>;
  readonly units: readonly Unit[];
}

/** What {@link validateBom} checks a bill against. */
export interface BomContext extends ManufacturingContext {
  /** The bills of the workspace; a stored version of the bill being checked is ignored. */
  readonly boms: readonly BillOfMaterials[];
}

/** Codes of the errors that the manufacturing functions throw. */
export type ManufacturingErrorCode =
  | 'bom-cycle'
  | 'bom-product-unknown'
  | 'bom-quantity-not-positive'
  | 'bom-components-empty'
  | 'bom-unit-category'
  | 'manufacturing-transition-invalid'
  | 'manufacturing-quantity-not-positive'
  | 'manufacturing-bom-mismatch'
  | 'production-pick-not-component'
  | 'production-lot-required'
  | 'production-lot-untracked'
  | 'production-serial-quantity';

/**
 * Checks a bill of materials before it is written, and normalizes its quantities. A bill may not
 * contain its own product, directly or through the bills of its components, since making it
 * would then need itself first.
 *
 * @param bom - The bill to check.
 * @param context - The products, units and the other bills of the workspace.
 * @returns The bill with canonical decimals.
 * @throws {DomainError} `bom-product-unknown` when the product or a component does not exist,
 *   `bom-quantity-not-positive` when the batch or a component quantity is not above zero,
 *   `unit-unknown` or `bom-unit-category` for a unit that does not fit its product,
 *   `bom-components-empty` for a bill without components, and `bom-cycle`, naming the chain,
 *   when the bill contains itself.
 */
export function validateBom(bom: BillOfMaterials, context: BomContext): BillOfMaterials {
  const product = productOf(bom.productId, context, `bill "${bom.id}"`);
  const quantity = positiveBomQuantity(bom.quantity, `the batch quantity of bill "${bom.id}"`);
  checkUnit(bom.unitId, product, context.units);

  if (bom.components.length === 0) {
    throw new DomainError<ManufacturingErrorCode>(
      'bom-components-empty',
      `bill "${bom.id}" of "${product.name}" lists no components; ` +
        'add what one batch consumes, or buy the product instead',
    );
  }
  const components = bom.components.map((component, index) => {
    const which = `component ${index + 1} of bill "${bom.id}"`;
    const part = productOf(component.productId, context, which);
    checkUnit(component.unitId, part, context.units);
    return {
      productId: component.productId,
      quantity: positiveBomQuantity(component.quantity, `the quantity of ${which}`),
      unitId: component.unitId,
    };
  });

  const checked: BillOfMaterials = { ...bom, quantity, components };
  const chain = cycleOf(checked, context.boms);
  if (chain !== undefined) {
    const names = chain
      .map((productId) => `"${context.products.get(productId)?.name ?? productId}"`)
      .join(' → ');
    throw new DomainError<ManufacturingErrorCode>(
      'bom-cycle',
      `bill "${bom.id}" contains its own product: ${names}; ` +
        'remove the component that leads back, or buy it instead of making it',
    );
  }
  return checked;
}

/**
 * Follows components through their bills, depth first in a fixed order, looking for the bill's
 * own product. Every bill of a component counts, since any of them may be used.
 *
 * @returns The product ids from the bill's product back to itself, or `undefined`.
 */
function cycleOf(
  bom: BillOfMaterials,
  boms: readonly BillOfMaterials[],
): readonly string[] | undefined {
  const byProduct = new Map<string, BillOfMaterials[]>();
  for (const other of [...boms.filter((stored) => stored.id !== bom.id), bom]) {
    const list = byProduct.get(other.productId);
    if (list === undefined) byProduct.set(other.productId, [other]);
    else list.push(other);
  }
  for (const list of byProduct.values()) list.sort((a, b) => (a.id < b.id ? -1 : 1));

  const target = bom.productId;
  const visited = new Set<string>();
  const search = (productId: string, path: readonly string[]): readonly string[] | undefined => {
    for (const candidate of productId === target ? [bom] : (byProduct.get(productId) ?? [])) {
      for (const component of candidate.components) {
        const next = [...path, component.productId];
        if (component.productId === target) return next;
        if (visited.has(component.productId)) continue;

        visited.add(component.productId);
        const found = search(component.productId, next);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return search(target, [target]);
}

/**
 * The bill used to make a product: the one with the smallest id, so that every replica picks the
 * same when a product has several.
 *
 * @param productId - The finished product.
 * @param boms - The bills of the workspace.
 * @returns The bill, or `undefined` when the product has none (a replenishment exception).
 */
export function bomFor(
  productId: string,
  boms: readonly BillOfMaterials[],
): BillOfMaterials | undefined {
  let chosen: BillOfMaterials | undefined;
  for (const bom of boms) {
    if (bom.productId === productId && (chosen === undefined || bom.id < chosen.id)) chosen = bom;
  }
  return chosen;
}

/** What a quantity of the finished product needs of one component. */
export interface ComponentNeed {
  readonly productId: string;
  /** In `unitId`, as the bill lists it, rounded up to that unit's rounding. */
  readonly quantity: Decimal;
  readonly unitId: string;
  /** The same need in the component product's own unit, rounded up to its rounding. */
  readonly productQuantity: Decimal;
}

/**
 * Scales a bill's components to the quantity to produce. The ratio of the quantity to the batch
 * and the unit conversions are applied exactly, and each need is rounded once, up, so that a
 * manufacturing order never reserves too little: a batch of 3 that takes 1 kg of sugar needs
 * 0.334 kg for one piece.
 *
 * @param bom - The bill.
 * @param quantity - How much to produce, in the finished product's unit.
 * @param context - The products and units.
 * @returns One need per component line of the bill, in its order.
 * @throws {DomainError} `manufacturing-quantity-not-positive` when the quantity is not above
 *   zero, `bom-product-unknown` or `unit-unknown` when the bill names what does not exist.
 * @example
 * ```ts
 * // A gift box takes 2 coffee bags and 1 box.
 * componentNeeds(giftBoxBom, '5', context); // 10 coffee bags, 5 boxes
 * ```
 */
export function componentNeeds(
  bom: BillOfMaterials,
  quantity: Decimal,
  context: ManufacturingContext,
): ComponentNeed[] {
  const produced = positiveDecimal(quantity);
  if (produced === undefined) {
    throw new DomainError<ManufacturingErrorCode>(
      'manufacturing-quantity-not-positive',
      `${JSON.stringify(quantity)} is not a quantity to produce; write a quantity above zero`,
    );
  }
  const finished = productOf(bom.productId, context, `bill "${bom.id}"`);
  const finishedUnit = unitById(context.units, finished.unitId);
  const batchUnit = unitById(context.units, bom.unitId);

  // In the bill's unit a need is component × produced × finished ratio / (batch × batch ratio);
  // in the product's unit, times the bill unit's ratio over the product unit's. Each is one exact
  // fraction, rounded once.
  const scale = multiply(produced, finishedUnit.ratio);
  const batch = multiply(bom.quantity, batchUnit.ratio);
  return bom.components.map((component) => {
    const part = productOf(component.productId, context, `bill "${bom.id}"`);
    const unit = unitById(context.units, component.unitId);
    const partUnit = unitById(context.units, part.unitId);
    const numerator = multiply(component.quantity, scale);

    return {
      productId: component.productId,
      quantity: divide(numerator, batch, unit.rounding, 'up'),
      unitId: component.unitId,
      productQuantity: divide(
        multiply(numerator, unit.ratio),
        multiply(batch, partUnit.ratio),
        partUnit.rounding,
        'up',
      ),
    };
  });
}

/** A manufacturing order's states; done is reached by booking production. */
export type ManufacturingOrderState = 'draft' | 'confirmed' | 'done' | 'cancelled';

/** Stock of one component taken for production: how much, from where, of which lot. */
export interface ComponentPick {
  readonly productId: string;
  /** In the component product's unit; above zero. */
  readonly quantity: Decimal;
  readonly lotId?: string | undefined;
  /** Where it is taken from; the production source location when absent. */
  readonly locationId?: string | undefined;
}

/** An order to make a quantity of a product from a bill of materials. */
export interface ManufacturingOrder {
  readonly id: string;
  readonly productId: string;
  /** In the product's unit; above zero. */
  readonly quantity: Decimal;
  readonly bomId: string;
  readonly state: ManufacturingOrderState;
  /** When it was planned. */
  readonly date: number;
  /** The document that asked for it, such as a sale order or a reorder rule. */
  readonly origin?: string | undefined;
  /** What production consumed, set when it is done. */
  readonly componentLots?: readonly ComponentPick[] | undefined;
  /** The lot or serial number produced, set when it is done. */
  readonly producedLotId?: string | undefined;
  /** When production was booked. */
  readonly doneAt?: number | undefined;
}

/**
 * The steps a manufacturing order may take. Done and cancelled are final; done is reached only
 * through {@link productionMoves}, which books the moves in the same write.
 */
export const MANUFACTURING_TRANSITIONS: Readonly<
  Record<ManufacturingOrderState, readonly ManufacturingOrderState[]>
> = Object.freeze({
  draft: Object.freeze(['confirmed', 'cancelled'] as const),
  confirmed: Object.freeze(['done', 'cancelled'] as const),
  done: Object.freeze([] as const),
  cancelled: Object.freeze([] as const),
});

/**
 * Confirms or cancels a manufacturing order.
 *
 * @param order - The order as stored.
 * @param to - `'confirmed'` or `'cancelled'`.
 * @returns A new order in state `to`; `order` is left as it was.
 * @throws {DomainError} `manufacturing-transition-invalid` when
 *   {@link MANUFACTURING_TRANSITIONS} does not allow the step, or when `to` is done, which only
 *   {@link productionMoves} reaches; `manufacturing-quantity-not-positive` when confirming an
 *   order without a quantity above zero.
 */
export function transitionManufacturingOrder(
  order: ManufacturingOrder,
  to: ManufacturingOrderState,
): ManufacturingOrder {
  if (to === 'done') {
    throw new DomainError<ManufacturingErrorCode>(
      'manufacturing-transition-invalid',
      `manufacturing order "${order.id}" is done by booking its production, ` +
        'so that its moves are written with it; use productionMoves',
    );
  }
  checkStep(order, to);
  if (to === 'confirmed') producedQuantity(order);

  return { ...order, state: to };
}

/** Where production takes its components and puts the finished product. */
export interface ProductionLocations {
  /** Where components are taken from, such as a warehouse's stock location. */
  readonly sourceId: string;
  /** Where the finished product goes, such as the same stock location. */
  readonly destinationId: string;
  /** The virtual location in between; `virtual/production` when absent. */
  readonly productionId?: string | undefined;
}

/** What {@link productionMoves} needs besides the order. */
export interface ProductionContext extends ManufacturingContext {
  /** When production is booked: the date of its moves. */
  readonly at: number;
  readonly author?: Author | undefined;
}

/**
 * The link from the component lots a manufacturing order consumed to the lot it produced: the
 * edge the trace graph follows between them.
 */
export interface ProductionLink {
  readonly orderId: string;
  /** Sorted, without repeats; empty when no component is tracked. */
  readonly componentLotIds: readonly string[];
  /** Absent when the finished product is not tracked. */
  readonly producedLotId?: string | undefined;
}

/** Everything booking production writes, together. */
export interface Production {
  /** The order, done, with what it consumed and produced. */
  readonly order: ManufacturingOrder;
  /** The done moves: each component into production, then the finished product out of it. */
  readonly moves: readonly Move[];
  readonly link: ProductionLink;
}

/**
 * Books the production of a confirmed manufacturing order. Each component moves from where it
 * is picked into the production location; the finished product moves from production to the
 * destination with the produced lot. All moves are done, carry the order's id as origin, and the
 * finished move is chained from the component moves, so walking the trace upstream from the
 * finished lot reaches the component lots.
 *
 * Picks say what was consumed. A component without picks consumes its need from the source
 * location, which only an untracked component can do, since a tracked one needs its lots named.
 * Move ids derive from the order: `<order>:consume:<n>` and `<order>:produce`.
 *
 * @param order - A confirmed order; its `producedLotId` names the lot made, when tracked.
 * @param bom - The order's bill.
 * @param picks - The component stock consumed, in the components' units.
 * @param locations - Where components come from and the finished product goes.
 * @param context - Products, units, the time and author of the booking.
 * @returns The done order, the moves and the link, to write together.
 * @throws {DomainError} `manufacturing-transition-invalid` when the order is not confirmed,
 *   `manufacturing-bom-mismatch` when the bill is not the order's,
 *   `manufacturing-quantity-not-positive` for a quantity not above zero,
 *   `production-pick-not-component` for a pick of a product the bill does not list,
 *   `production-lot-required`, `production-lot-untracked` or `production-serial-quantity` when
 *   lots do not fit the tracking of their product; `bom-product-unknown` or `unit-unknown`.
 */
export function productionMoves(
  order: ManufacturingOrder,
  bom: BillOfMaterials,
  picks: readonly ComponentPick[],
  locations: ProductionLocations,
  context: ProductionContext,
): Production {
  checkStep(order, 'done');
  if (bom.id !== order.bomId || bom.productId !== order.productId) {
    throw new DomainError<ManufacturingErrorCode>(
      'manufacturing-bom-mismatch',
      `manufacturing order "${order.id}" makes "${order.productId}" with bill "${order.bomId}", ` +
        `not with bill "${bom.id}" of "${bom.productId}"; pass the order's own bill`,
    );
  }
  const quantity = producedQuantity(order);
  const finished = productOf(order.productId, context, `manufacturing order "${order.id}"`);
  const producedLotId = order.producedLotId?.trim() || undefined;
  checkLot(finished, producedLotId, quantity, 'the finished product');

  const needs = new Map<string, Decimal>();
  for (const need of componentNeeds(bom, quantity, context)) {
    needs.set(need.productId, add(needs.get(need.productId) ?? '0', need.productQuantity));
  }
  const consumed = consumption(needs, picks, context, order.id);

  const productionId = locations.productionId ?? VIRTUAL_LOCATION_IDS.production;
  const common = {
    state: 'done' as const,
    origin: order.id,
    date: context.at,
    ...(context.author !== undefined && { author: context.author }),
  };
  const componentMoves: Move[] = consumed.map((pick, index) => ({
    ...common,
    id: `${order.id}:consume:${index}`,
    productId: pick.productId,
    quantity: pick.quantity,
    sourceId: pick.locationId ?? locations.sourceId,
    destinationId: productionId,
    ...(pick.lotId !== undefined && { lotId: pick.lotId }),
  }));
  const finishedMove: Move = {
    ...common,
    id: `${order.id}:produce`,
    productId: order.productId,
    quantity,
    sourceId: productionId,
    destinationId: locations.destinationId,
    ...(producedLotId !== undefined && { lotId: producedLotId }),
    chainedFrom: componentMoves.map((move) => move.id),
  };

  const componentLotIds = [...new Set(consumed.flatMap((pick) => pick.lotId ?? []))].sort();
  return {
    order: {
      ...order,
      state: 'done',
      componentLots: consumed,
      ...(producedLotId !== undefined && { producedLotId }),
      doneAt: context.at,
    },
    moves: [...componentMoves, finishedMove],
    link: {
      orderId: order.id,
      componentLotIds,
      ...(producedLotId !== undefined && { producedLotId }),
    },
  };
}

/** Checks the picks and fills in the needs of untracked components without picks. */
function consumption(
  needs: ReadonlyMap<string, Decimal>,
  picks: readonly ComponentPick[],
  context: ManufacturingContext,
  orderId: string,
): ComponentPick[] {
  const picked = new Map<string, ComponentPick[]>();
  for (const pick of picks) {
    const list = picked.get(pick.productId);
    if (!needs.has(pick.productId)) {
      throw new DomainError<ManufacturingErrorCode>(
        'production-pick-not-component',
        `"${context.products.get(pick.productId)?.name ?? pick.productId}" is not a component ` +
          `of manufacturing order "${orderId}"; pick only what its bill lists`,
      );
    }
    if (list === undefined) picked.set(pick.productId, [pick]);
    else list.push(pick);
  }

  const consumed: ComponentPick[] = [];
  for (const [productId, need] of needs) {
    const product = productOf(productId, context, `manufacturing order "${orderId}"`);
    const list = picked.get(productId);
    if (list === undefined) {
      checkLot(product, undefined, need, 'a component');
      consumed.push({ productId, quantity: need });
      continue;
    }

    const serials = new Set<string>();
    for (const pick of list) {
      const quantity = positiveDecimal(pick.quantity);
      if (quantity === undefined) {
        throw new DomainError<ManufacturingErrorCode>(
          'manufacturing-quantity-not-positive',
          `${JSON.stringify(pick.quantity)} of "${product.name}" is not a quantity to consume; ` +
            'write a quantity above zero or remove the pick',
        );
      }
      const lotId = pick.lotId?.trim() || undefined;
      checkLot(product, lotId, quantity, 'a component');
      if (product.tracking === 'serial' && lotId !== undefined) {
        if (serials.has(lotId)) {
          throw new DomainError<ManufacturingErrorCode>(
            'production-serial-quantity',
            `serial number "${lotId}" of "${product.name}" is picked twice; ` +
              'a serial number stands for one unit, so pick each serial once',
          );
        }
        serials.add(lotId);
      }
      consumed.push({
        productId,
        quantity,
        ...(lotId !== undefined && { lotId }),
        ...(pick.locationId !== undefined && { locationId: pick.locationId }),
      });
    }
  }
  return consumed;
}

function checkLot(product: Product, lotId: string | undefined, quantity: Decimal, role: string) {
  if (lotId === undefined && product.tracking !== 'none') {
    throw new DomainError<ManufacturingErrorCode>(
      'production-lot-required',
      `"${product.name}", ${role}, is tracked by ${product.tracking}; name the ` +
        `${product.tracking === 'lot' ? 'lot' : 'serial number'} before production is booked`,
    );
  }
  if (lotId !== undefined && product.tracking === 'none') {
    throw new DomainError<ManufacturingErrorCode>(
      'production-lot-untracked',
      `"${product.name}", ${role}, is not tracked by lot or serial; remove the lot`,
    );
  }
  if (lotId !== undefined && product.tracking === 'serial' && compare(quantity, '1') !== 0) {
    throw new DomainError<ManufacturingErrorCode>(
      'production-serial-quantity',
      `serial number "${lotId}" of "${product.name}" would stand for ${quantity} units; ` +
        'a serial number is one unit, so produce or pick one unit per serial',
    );
  }
}

function checkStep(order: ManufacturingOrder, to: ManufacturingOrderState) {
  const allowed: readonly string[] = MANUFACTURING_TRANSITIONS[order.state] ?? [];
  if (allowed.includes(to)) return;
  throw new DomainError<ManufacturingErrorCode>(
    'manufacturing-transition-invalid',
    `manufacturing order "${order.id}" cannot go from ${order.state} to ${to}; ` +
      (allowed.length === 0
        ? `${order.state} is final, so write a new order instead`
        : `from ${order.state} it can go to ${allowed.join(', ')}`),
  );
}

function producedQuantity(order: ManufacturingOrder): Decimal {
  const quantity = positiveDecimal(order.quantity);
  if (quantity === undefined) {
    throw new DomainError<ManufacturingErrorCode>(
      'manufacturing-quantity-not-positive',
      `manufacturing order "${order.id}" produces ${JSON.stringify(order.quantity)}; ` +
        'write a quantity above zero',
    );
  }
  return quantity;
}

function productOf(productId: string, context: ManufacturingContext, where: string): Product {
  const product = context.products.get(productId);
  if (product === undefined) {
    throw new DomainError<ManufacturingErrorCode>(
      'bom-product-unknown',
      `${where} names product "${productId}", which does not exist; ` +
        'pick a product from the catalog',
    );
  }
  return product;
}

function positiveBomQuantity(value: Decimal, label: string): Decimal {
  const quantity = positiveDecimal(value);
  if (quantity === undefined) {
    throw new DomainError<ManufacturingErrorCode>(
      'bom-quantity-not-positive',
      `${label} is ${JSON.stringify(value)}; write a quantity above zero`,
    );
  }
  return quantity;
}

function checkUnit(unitId: string, product: Product, units: readonly Unit[]) {
  const unit = unitById(units, unitId);
  const productUnit = unitById(units, product.unitId);
  if (unit.categoryId === productUnit.categoryId) return;
  throw new DomainError<ManufacturingErrorCode>(
    'bom-unit-category',
    `"${product.name}" is counted in ${productUnit.name} (${productUnit.categoryId}), so the ` +
      `bill cannot list it in ${unit.name} (${unit.categoryId}); pick a unit of the ` +
      `${productUnit.categoryId} category`,
  );
}
