import { compare, type Decimal, positiveDecimal } from './decimal.js';
import { DomainError } from './errors.js';
import { type LocationTree, VIRTUAL_LOCATION_IDS } from './location.js';
import type { Move, ProcureMethod, Product } from './model.js';
import { deliveryPath, receiptPath, type Warehouse } from './warehouse.js';

// Routes say how stock reaches a place. A demand (a sale to deliver, a minimum to restore) finds
// one rule, and the rule says where the stock comes from: taken from stock there, or ordered
// there in turn, down to a purchase or a manufacturing order. Push rules work the other way:
// stock arriving somewhere is sent on. Every answer here is sorted by ids and sequences, so that
// replicas holding the same routes plan the same moves whatever order their records came in.

/**
 * What a rule does. `pull` answers a demand at its destination with a move from its source;
 * `push` sends on stock that arrived at its source; `buy` and `manufacture` answer a demand
 * with a purchase or a manufacturing order.
 */
export type RouteAction = 'pull' | 'push' | 'buy' | 'manufacture';

/** The kind of operation a rule's moves belong to, which groups them into pickings. */
export type RouteOperation = 'receipt' | 'internal' | 'delivery' | 'manufacturing' | 'quality';

/** Where a route can be named: on an order, a product, a product category or a warehouse. */
export type RouteScope = 'order' | 'product' | 'category' | 'warehouse';

/** One step of a route: how stock gets to `destinationId`. */
export interface RouteRule {
  readonly id: string;
  /** The route that holds the rule. */
  readonly routeId: string;
  readonly action: RouteAction;
  /**
   * Where `pull` and `push` rules take stock from; required for them. `buy` and `manufacture`
   * rules may name the vendors' or the production location, for display.
   */
  readonly sourceId?: string | undefined;
  /** The location a demand must lie in (itself or below) for this rule to answer it. */
  readonly destinationId: string;
  /**
   * For `pull` rules: take from stock at the source (`make-to-stock`), order at the source
   * (`make-to-order`), or take from stock when enough is there, else order (`mts-else-mto`).
   */
  readonly procureMethod: ProcureMethod;
  /** Whole days between leaving the source and reaching the destination. */
  readonly delayDays: number;
  readonly operation: RouteOperation;
  /** Order among the rules of the route that answer at one location; lower first. */
  readonly sequence: number;
}

/** A set of rules that together bring stock somewhere, such as "receive in 3 steps". */
export interface Route {
  readonly id: string;
  readonly name: string;
  /** Priority among routes named at the same level; lower first. */
  readonly sequence: number;
  readonly rules: readonly RouteRule[];
  /**
   * Where the route may be named. A route listed somewhere it does not apply, such as a
   * warehouse's receipt steps set on a product, is passed over there.
   */
  readonly appliesTo: readonly RouteScope[];
}

/** A need for a product at a location by a date. */
export interface Demand {
  readonly productId: string;
  /** In the product's unit; positive. */
  readonly quantity: Decimal;
  readonly locationId: string;
  /** When the stock must be there, in milliseconds since the Unix epoch. */
  readonly date: number;
  /** The document that caused it, such as a sale order's reference. */
  readonly origin?: string | undefined;
  /** Routes named on the order; they come before every other route. */
  readonly routeIds?: readonly string[] | undefined;
  /**
   * The warehouse whose routes apply. When absent, the warehouse whose view holds the location;
   * a demand at the customers' location lies in no warehouse and should name one.
   */
  readonly warehouseId?: string | undefined;
}

/** The routes a demand or a move may follow, and where each is named. */
export interface RouteContext {
  readonly tree: LocationTree;
  /** Every route of the workspace, checked by {@link validateRoutes}. */
  readonly routes: readonly Route[];
  /** The warehouses, to tell which one a location lies in. */
  readonly warehouses: readonly Warehouse[];
  /** Route ids set on each product, by product id. */
  readonly productRoutes: ReadonlyMap<string, readonly string[]>;
  /** The category of each product, by product id. */
  readonly productCategories: ReadonlyMap<string, string>;
  /** Route ids set on each product category, by category id. */
  readonly categoryRoutes: ReadonlyMap<string, readonly string[]>;
  /** Route ids set on each warehouse, by warehouse id. */
  readonly warehouseRoutes: ReadonlyMap<string, readonly string[]>;
}

/** What {@link procure} needs besides the routes. */
export interface ProcureContext extends RouteContext {
  /**
   * The quantity of a product available at a location (on hand minus reserved), in the
   * product's unit; asked by `mts-else-mto` rules only.
   */
  readonly available: (productId: string, locationId: string) => Decimal;
}

/** What {@link pushFor} needs besides the routes. */
export interface PushContext extends RouteContext {
  /**
   * Whether an open move already takes this one further, as a chain planned by {@link procure}
   * does; such a move is not pushed a second time. Nothing is chained when absent.
   */
  readonly continued?: ((move: Move) => boolean) | undefined;
}

/** A move to plan, from a pull rule. */
export interface ProcurementMove {
  readonly kind: 'move';
  readonly productId: string;
  readonly quantity: Decimal;
  readonly sourceId: string;
  /** The location of the demand, which may lie below the rule's destination. */
  readonly destinationId: string;
  /** The demand's date minus the delays of the rules down to this one. */
  readonly date: number;
  readonly ruleId: string;
  readonly origin?: string | undefined;
}

/** A line to add to the vendor's draft purchase order, from a buy rule. */
export interface ProcurementBuy {
  readonly kind: 'buy';
  readonly productId: string;
  readonly quantity: Decimal;
  /** Where the purchase is received. */
  readonly locationId: string;
  readonly date: number;
  readonly ruleId: string;
}

/** A manufacturing order to create, from a manufacture rule. */
export interface ProcurementManufacture {
  readonly kind: 'manufacture';
  readonly productId: string;
  readonly quantity: Decimal;
  /** Where the finished product is put. */
  readonly locationId: string;
  readonly date: number;
  readonly ruleId: string;
}

/** One thing to do so that a demand is met. */
export type ProcurementStep = ProcurementMove | ProcurementBuy | ProcurementManufacture;

/** What a demand resolves into. */
export interface ProcurementPlan {
  /** Upstream first: each step's stock is there before the step after it needs it. */
  readonly steps: readonly ProcurementStep[];
  /**
   * Demands that no rule reaches, so that nothing will bring their stock: the top demand itself,
   * or the demand a make-to-order rule raised at its source. Each is a replenishment exception.
   */
  readonly unreached: readonly Demand[];
}

/** Codes of the errors that the route functions throw. */
export type RouteErrorCode =
  | 'route-id-duplicate'
  | 'route-rule-mismatch'
  | 'route-source-required'
  | 'route-delay-invalid'
  | 'route-location-unknown'
  | 'route-loop'
  | 'procurement-quantity-invalid'
  | 'procurement-date-invalid'
  | 'rental-end-invalid';

/** The routes {@link warehouseRoutes} creates for every warehouse. */
export type WarehouseRouteKind =
  'receipt' | 'delivery' | 'buy' | 'manufacture' | 'mto' | 'mts-else-mto';

const DAY_MS = 86_400_000;

/** Where the routes of {@link warehouseRoutes} may be named, by kind. */
const SCOPES: Readonly<Record<WarehouseRouteKind, readonly RouteScope[]>> = {
  receipt: ['warehouse'],
  delivery: ['warehouse'],
  buy: ['order', 'product', 'category'],
  manufacture: ['order', 'product', 'category'],
  mto: ['order', 'product', 'category'],
  'mts-else-mto': ['order', 'product', 'category'],
};

/** The priority of each warehouse route: ordering on demand first, buying before making. */
const SEQUENCES: Readonly<Record<WarehouseRouteKind, number>> = {
  mto: 10,
  'mts-else-mto': 11,
  receipt: 20,
  delivery: 30,
  buy: 40,
  manufacture: 50,
};

/** The levels a demand looks for routes at, in order of preference. */
const LEVELS: readonly RouteScope[] = ['order', 'product', 'category', 'warehouse'];

/**
 * The id of one of a warehouse's routes. It derives from the warehouse id alone, so replicas that
 * create the same warehouse write the same routes.
 *
 * @param warehouseId - The warehouse's id.
 * @param kind - Which of its routes.
 * @returns `${warehouseId}/route/${kind}`, such as `'wh1/route/buy'`.
 */
export function warehouseRouteId(warehouseId: string, kind: WarehouseRouteKind): string {
  return `${warehouseId}/route/${kind}`;
}

/**
 * The routes a warehouse gets from its steps. Receipt: push rules along the receipt path after
 * input (input → quality → stock), none for 1 step. Delivery: pull rules along the delivery
 * path, the first from stock (`make-to-stock`), the others ordering at their source
 * (`make-to-order`), so that a demand at the customers pulls stock through packing and output.
 * Buy: vendors → input (or stock for 1 step), followed by make-to-order pull rules along the
 * receipt steps, so that a demand ordered at stock reaches the vendors. Manufacture:
 * production → stock. Replenish on order (`mto`) and from stock, else on order
 * (`mts-else-mto`): stock → the first delivery step, for products that name them.
 *
 * Receipt and delivery apply to the warehouse; the others to orders, products and categories.
 *
 * @param warehouse - The warehouse.
 * @returns Its routes, sorted by id; rule ids are the route id, a slash and a number.
 */
export function warehouseRoutes(warehouse: Warehouse): Route[] {
  const inbound = receiptPath(warehouse);
  const outbound = deliveryPath(warehouse);
  const stock = warehouse.stockLocationId;
  const received = inbound[1] ?? stock;
  const firstLeg = outbound[1] ?? VIRTUAL_LOCATION_IDS.customers;
  const quality = warehouse.receptionSteps >= 3 ? inbound[2] : undefined;
  const operationIn = (destinationId: string): RouteOperation =>
    destinationId === quality ? 'quality' : 'internal';
  const operationOut = (destinationId: string): RouteOperation =>
    destinationId === VIRTUAL_LOCATION_IDS.customers ? 'delivery' : 'internal';

  const legs: Record<WarehouseRouteKind, readonly Leg[]> = {
    receipt: pathLegs(inbound.slice(1), 'push', () => 'make-to-stock', operationIn),
    delivery: pathLegs(
      outbound,
      'pull',
      (index) => (index === 0 ? 'make-to-stock' : 'make-to-order'),
      operationOut,
    ),
    buy: [
      leg('buy', VIRTUAL_LOCATION_IDS.vendors, received, 'make-to-stock', 'receipt'),
      ...pathLegs(inbound.slice(1), 'pull', () => 'make-to-order', operationIn),
    ],
    manufacture: [
      leg('manufacture', VIRTUAL_LOCATION_IDS.production, stock, 'make-to-stock', 'manufacturing'),
    ],
    mto: [leg('pull', stock, firstLeg, 'make-to-order', operationOut(firstLeg))],
    'mts-else-mto': [leg('pull', stock, firstLeg, 'mts-else-mto', operationOut(firstLeg))],
  };

  const kinds = Object.keys(legs) as WarehouseRouteKind[];
  const routes = kinds.map((kind): Route => {
    const routeId = warehouseRouteId(warehouse.id, kind);
    return {
      id: routeId,
      name: `${warehouse.code}: ${routeName(kind, warehouse)}`,
      sequence: SEQUENCES[kind],
      appliesTo: SCOPES[kind],
      rules: legs[kind].map((step, index) => ({
        id: `${routeId}/${index + 1}`,
        routeId,
        ...step,
        delayDays: 0,
        sequence: index + 1,
      })),
    };
  });
  return routes.sort((a, b) => byText(a.id, b.id));
}

/**
 * The warehouse routes a product names because of its supply settings: buy when it is bought,
 * manufacture when it is made, and replenish on order or from stock, else on order by its
 * procurement method.
 *
 * @param product - The product's supply settings.
 * @param warehouse - The warehouse whose routes to name.
 * @returns Route ids of {@link warehouseRoutes}, by priority.
 */
export function productRouteIds(
  product: Pick<Product, 'buy' | 'manufacture' | 'procureMethod'>,
  warehouse: Pick<Warehouse, 'id'>,
): string[] {
  const kinds: WarehouseRouteKind[] = [];
  if (product.procureMethod === 'make-to-order') kinds.push('mto');
  if (product.procureMethod === 'mts-else-mto') kinds.push('mts-else-mto');
  if (product.buy) kinds.push('buy');
  if (product.manufacture) kinds.push('manufacture');
  return kinds.map((kind) => warehouseRouteId(warehouse.id, kind));
}

/**
 * Checks routes before they are written, all of them at once, so that a set of routes is either
 * accepted whole or refused. Pass the routes that can apply together, such as every route of
 * the workspace: a loop is looked for across them.
 *
 * @param routes - The routes to check.
 * @param tree - The workspace's locations.
 * @throws {DomainError} `route-id-duplicate` when two routes or two rules share an id,
 *   `route-rule-mismatch` when a rule names another route than the one holding it,
 *   `route-source-required` when a pull or push rule has no source, `route-delay-invalid` when
 *   a delay is not a whole number of days of 0 or more, `route-location-unknown` when a rule
 *   names a location the tree does not know, `route-loop` when make-to-order pull rules, or
 *   push rules, lead back to a location already on the way; in that order of checking.
 */
export function validateRoutes(routes: readonly Route[], tree: LocationTree): void {
  const sorted = [...routes].sort((a, b) => byText(a.id, b.id));
  const rules = sorted.flatMap((route) => [...route.rules].sort((a, b) => byText(a.id, b.id)));

  duplicateCheck(
    sorted.map((route) => route.id),
    'route',
  );
  duplicateCheck(
    rules.map((rule) => rule.id),
    'rule',
  );
  for (const route of sorted) {
    for (const rule of route.rules) {
      if (rule.routeId === route.id) continue;
      throw new DomainError<RouteErrorCode>(
        'route-rule-mismatch',
        `rule "${rule.id}" is held by route "${route.id}" but names route "${rule.routeId}"; ` +
          'set its route to the route that holds it',
      );
    }
  }
  for (const rule of rules) checkRule(rule);
  for (const rule of rules) {
    for (const id of [rule.sourceId, rule.destinationId]) {
      if (id === undefined || tree.has(id)) continue;
      throw new DomainError<RouteErrorCode>(
        'route-location-unknown',
        `rule "${rule.id}" names location "${id}", which does not exist; ` +
          'pick an existing location or create it first',
      );
    }
  }

  loopCheck(rules, tree);
}

/**
 * Finds the rule that answers a demand: one whose destination is the demand's location, else its
 * nearest ancestor that has one. At that location, routes named on the order come first, then
 * the product's, its category's and the warehouse's; within one level, the lower route sequence,
 * then the lower rule sequence, then the smaller rule id. Push rules never answer a demand, and
 * route ids that name no route are passed over.
 *
 * @param demand - The product, location and routes named on the order.
 * @param context - The routes and where each is named.
 * @returns The rule, or `undefined` when none reaches the location, which is a replenishment
 *   exception for the caller to show.
 */
export function findRule(demand: Demand, context: RouteContext): RouteRule | undefined {
  const warehouseId = demand.warehouseId ?? warehouseOf(demand.locationId, context);
  return bestRule(
    context,
    demand.locationId,
    {
      order: demand.routeIds ?? [],
      product: context.productRoutes.get(demand.productId) ?? [],
      category: categoryRoutes(demand.productId, context),
      warehouse: (warehouseId && context.warehouseRoutes.get(warehouseId)) || [],
    },
    (rule) => rule.action !== 'push',
  );
}

/**
 * Resolves a demand into the steps that meet it. A pull rule plans a move from its source to the
 * demand's location, dated the demand's date minus the rule's delay. `make-to-stock` takes the
 * stock at the source (reserving it happens elsewhere); `make-to-order` also raises the same
 * demand at the source, by that earlier date, and resolves it in turn; `mts-else-mto` takes
 * from stock when the quantity available at the source covers the whole demand, else orders.
 * A buy rule plans a purchase line and a manufacture rule a manufacturing order, at the demand's
 * location. The demands raised keep the origin and the routes named on the order; their
 * warehouse is the one holding their location, else that of the demand that raised them.
 *
 * @param demand - What is needed, where and by when.
 * @param context - The routes, where each is named, and the stock available.
 * @returns The steps, upstream first, and the demands no rule reaches.
 * @throws {DomainError} `procurement-quantity-invalid` when the quantity is not a positive
 *   decimal, `procurement-date-invalid` when the date is not a finite number,
 *   `route-source-required` or `route-delay-invalid` for a rule {@link validateRoutes} would
 *   refuse, `route-loop` when a make-to-order chain comes back to a location already on the way.
 * @example
 * ```ts
 * // A 3-step delivery of a product bought on order, through a 1-step receipt:
 * procure({ productId: 'chair', quantity: '2', locationId: 'partners/customers', date,
 *   warehouseId: 'wh1' }, context).steps;
 * // buy at wh1/stock, then moves stock → packing → output → customers
 * ```
 */
export function procure(demand: Demand, context: ProcureContext): ProcurementPlan {
  const quantity = positiveDecimal(demand.quantity);
  if (quantity === undefined) {
    throw new DomainError<RouteErrorCode>(
      'procurement-quantity-invalid',
      `${JSON.stringify(demand.quantity)} is not a positive quantity; a demand asks for more ` +
        'than zero of its product',
    );
  }
  if (!Number.isFinite(demand.date)) {
    throw new DomainError<RouteErrorCode>(
      'procurement-date-invalid',
      `${String(demand.date)} is not a date; give the instant the stock is needed, in ` +
        'milliseconds since the Unix epoch',
    );
  }

  const steps: ProcurementStep[] = [];
  const unreached: Demand[] = [];
  resolve({ ...demand, quantity }, [], context, steps, unreached);
  return { steps, unreached };
}

/**
 * The move that sends on a move done into the source of a push rule, such as input → quality
 * control after a receipt into input. The push rule is found like a demand's rule, by the move's
 * destination or its nearest ancestor and the routes of the product, its category and the
 * warehouse holding the destination. The new move leaves from where the stock is, carries the
 * same product, quantity and lot, is dated the move's date plus the rule's delay, is chained
 * from the move, and has an id derived from it, so that replicas push the same move.
 *
 * @param move - A move, usually one just done.
 * @param context - The routes and where each is named.
 * @returns A confirmed move, or `undefined` when the move is not done, no push rule reaches its
 *   destination, the stock is already within the rule's destination, or an open move already
 *   continues it.
 * @throws {DomainError} `route-source-required` or `route-delay-invalid` for a rule
 *   {@link validateRoutes} would refuse.
 */
export function pushFor(move: Move, context: PushContext): Move | undefined {
  if (move.state !== 'done' || context.continued?.(move) === true) return undefined;

  const warehouseId = warehouseOf(move.destinationId, context);
  const rule = bestRule(
    context,
    move.destinationId,
    {
      order: [],
      product: context.productRoutes.get(move.productId) ?? [],
      category: categoryRoutes(move.productId, context),
      warehouse: (warehouseId && context.warehouseRoutes.get(warehouseId)) || [],
    },
    (candidate) => candidate.action === 'push',
    (candidate) => candidate.sourceId,
  );
  if (rule === undefined) return undefined;
  checkRule(rule);
  if (context.tree.isWithin(move.destinationId, rule.destinationId)) return undefined;

  return {
    id: `${move.id}/push`,
    productId: move.productId,
    quantity: move.quantity,
    sourceId: move.destinationId,
    destinationId: rule.destinationId,
    ...(move.lotId !== undefined && { lotId: move.lotId }),
    state: 'confirmed',
    ...(move.origin !== undefined && { origin: move.origin }),
    date: move.date + rule.delayDays * DAY_MS,
    chainedFrom: [move.id],
  };
}

/**
 * The move that brings a rented product back at the end of the rental: from where the delivery
 * took it (the customer) into the warehouse's input when it receives in 2 or 3 steps, so that
 * its push rules check and store it, else straight into stock. It is planned (`waiting`) for
 * the end of the rental, carries the delivery's product, quantity, lot and origin, is chained
 * from the delivery, and has an id derived from it, so that replicas plan one return.
 *
 * @param delivery - The move that delivered the rented product.
 * @param rentalEnd - When the rental ends, in milliseconds since the Unix epoch.
 * @param warehouse - The warehouse the product returns to.
 * @returns The return move.
 * @throws {DomainError} `rental-end-invalid` when the end is not a finite number or comes
 *   before the delivery.
 */
export function rentalReturn(delivery: Move, rentalEnd: number, warehouse: Warehouse): Move {
  if (!Number.isFinite(rentalEnd) || rentalEnd < delivery.date) {
    throw new DomainError<RouteErrorCode>(
      'rental-end-invalid',
      `the rental of delivery "${delivery.id}" ends at ${String(rentalEnd)}, before the ` +
        `delivery at ${String(delivery.date)}; give an end at or after the delivery`,
    );
  }

  return {
    id: `${delivery.id}/return`,
    productId: delivery.productId,
    quantity: delivery.quantity,
    sourceId: delivery.destinationId,
    destinationId: receiptPath(warehouse)[1] ?? warehouse.stockLocationId,
    ...(delivery.lotId !== undefined && { lotId: delivery.lotId }),
    state: 'waiting',
    ...(delivery.origin !== undefined && { origin: delivery.origin }),
    date: rentalEnd,
    chainedFrom: [delivery.id],
  };
}

/** A rule of {@link warehouseRoutes} before it gets its id, route and sequence. */
type Leg = Pick<RouteRule, 'action' | 'sourceId' | 'destinationId' | 'procureMethod' | 'operation'>;

function leg(
  action: RouteAction,
  sourceId: string,
  destinationId: string,
  procureMethod: ProcureMethod,
  operation: RouteOperation,
): Leg {
  return { action, sourceId, destinationId, procureMethod, operation };
}

/** One rule per two neighbours of a path. */
function pathLegs(
  path: readonly string[],
  action: 'pull' | 'push',
  method: (index: number) => ProcureMethod,
  operation: (destinationId: string) => RouteOperation,
): Leg[] {
  return path.slice(1).flatMap((destinationId, index) => {
    const sourceId = path[index];
    return sourceId === undefined
      ? []
      : [leg(action, sourceId, destinationId, method(index), operation(destinationId))];
  });
}

function routeName(kind: WarehouseRouteKind, warehouse: Warehouse): string {
  const steps = (count: number) => `${count} step${count === 1 ? '' : 's'}`;
  return {
    receipt: `Receive in ${steps(warehouse.receptionSteps)}`,
    delivery: `Deliver in ${steps(warehouse.deliverySteps)}`,
    buy: 'Buy',
    manufacture: 'Manufacture',
    mto: 'Replenish on order',
    'mts-else-mto': 'From stock, else on order',
  }[kind];
}

/** Refuses a rule that cannot be followed whatever the locations. */
function checkRule(rule: RouteRule) {
  if ((rule.action === 'pull' || rule.action === 'push') && !rule.sourceId) {
    throw new DomainError<RouteErrorCode>(
      'route-source-required',
      `${rule.action} rule "${rule.id}" has no source; give the location it takes stock from`,
    );
  }
  if (!Number.isInteger(rule.delayDays) || rule.delayDays < 0) {
    throw new DomainError<RouteErrorCode>(
      'route-delay-invalid',
      `rule "${rule.id}" has a delay of ${String(rule.delayDays)} days; ` +
        'give a whole number of days, 0 or more',
    );
  }
}

function duplicateCheck(sortedIds: readonly string[], what: 'route' | 'rule') {
  const twice = sortedIds.find((id, index) => index > 0 && sortedIds[index - 1] === id);
  if (twice === undefined) return;
  throw new DomainError<RouteErrorCode>(
    'route-id-duplicate',
    `two ${what}s have the id "${twice}"; give each ${what} its own id`,
  );
}

/**
 * Follows every rule to the rules that could answer next: from a make-to-order pull rule, the
 * demand rules at its source; from a push rule, the push rules at its destination. Every rule of
 * the nearest location that has any is followed, whatever route it belongs to, since which one
 * applies depends on the product.
 */
function loopCheck(rules: readonly RouteRule[], tree: LocationTree) {
  const next = (rule: RouteRule): RouteRule[] => {
    if (rule.action === 'push') {
      // A push rule whose destination already holds the stock sends nothing on.
      return nearest(
        rules,
        tree,
        rule.destinationId,
        (other) => other.action === 'push',
        from,
      ).filter((other) => !tree.isWithin(rule.destinationId, other.destinationId));
    }
    if (rule.action !== 'pull' || rule.procureMethod === 'make-to-stock') return [];
    return nearest(rules, tree, rule.sourceId ?? '', (other) => other.action !== 'push', to);
  };

  const done = new Set<string>();
  const onPath: RouteRule[] = [];
  const visit = (rule: RouteRule) => {
    const seen = onPath.findIndex((step) => step.id === rule.id);
    if (seen >= 0) throw loopError([...onPath.slice(seen), rule]);
    if (done.has(rule.id)) return;

    onPath.push(rule);
    for (const following of next(rule)) visit(following);
    onPath.pop();
    done.add(rule.id);
  };
  for (const rule of rules) visit(rule);
}

const to = (rule: RouteRule) => rule.destinationId;
const from = (rule: RouteRule) => rule.sourceId;

/** The rules matching `keep` at the location or its nearest ancestor that has any, sorted. */
function nearest(
  rules: readonly RouteRule[],
  tree: LocationTree,
  locationId: string,
  keep: (rule: RouteRule) => boolean,
  at: (rule: RouteRule) => string | undefined,
): RouteRule[] {
  for (const id of tree.lineage(locationId)) {
    const found = rules.filter((rule) => keep(rule) && at(rule) === id);
    if (found.length > 0) return found;
  }
  return [];
}

/** Names the rules of a loop, the first one again at the end, with where each moves stock. */
function loopError(chain: readonly RouteRule[]) {
  const steps = chain.map((rule) => `"${rule.id}" (${rule.sourceId ?? '?'} → ${to(rule)})`);
  return new DomainError<RouteErrorCode>(
    'route-loop',
    `the rules ${steps.join(', ')} come back to a location already on the way; ` +
      'make one of them take from stock, or give it another source',
  );
}

/** The best rule at the location or its nearest ancestor, by level, then sequences and id. */
function bestRule(
  context: RouteContext,
  locationId: string,
  named: Readonly<Record<RouteScope, readonly string[]>>,
  keep: (rule: RouteRule) => boolean,
  at: (rule: RouteRule) => string | undefined = to,
): RouteRule | undefined {
  const routesById = new Map(context.routes.map((route) => [route.id, route]));
  const levels = LEVELS.map((scope) =>
    named[scope]
      .map((id) => routesById.get(id))
      .filter((route): route is Route => route !== undefined && route.appliesTo.includes(scope)),
  );

  for (const id of context.tree.lineage(locationId)) {
    for (const routes of levels) {
      const candidates = routes.flatMap((route) =>
        route.rules
          .filter((rule) => keep(rule) && at(rule) === id)
          .map((rule) => ({ route, rule })),
      );
      candidates.sort(
        (a, b) =>
          a.route.sequence - b.route.sequence ||
          a.rule.sequence - b.rule.sequence ||
          byText(a.rule.id, b.rule.id),
      );
      const best = candidates[0];
      if (best !== undefined) return best.rule;
    }
  }
  return undefined;
}

function resolve(
  demand: Demand,
  path: readonly string[],
  context: ProcureContext,
  steps: ProcurementStep[],
  unreached: Demand[],
) {
  const way = [...path, demand.locationId];
  if (path.includes(demand.locationId)) {
    throw new DomainError<RouteErrorCode>(
      'route-loop',
      `make-to-order rules for "${demand.productId}" lead back to where they started: ` +
        `${way.join(' ← ')}; make one of them take from stock, or give it another source`,
    );
  }

  const rule = findRule(demand, context);
  if (rule === undefined) {
    unreached.push(demand);
    return;
  }
  checkRule(rule);

  const { productId, quantity, locationId, origin } = demand;
  const date = demand.date - rule.delayDays * DAY_MS;
  if (rule.action === 'buy' || rule.action === 'manufacture') {
    steps.push({ kind: rule.action, productId, quantity, locationId, date, ruleId: rule.id });
    return;
  }

  const sourceId = rule.sourceId ?? '';
  if (orders(rule.procureMethod, demand, sourceId, context)) {
    const warehouseId = warehouseOf(sourceId, context) ?? demand.warehouseId;
    const raised: Demand = {
      ...demand,
      locationId: sourceId,
      date,
      ...(warehouseId !== undefined && { warehouseId }),
    };
    resolve(raised, way, context, steps, unreached);
  }
  steps.push({
    kind: 'move',
    productId,
    quantity,
    sourceId,
    destinationId: locationId,
    date,
    ruleId: rule.id,
    ...(origin !== undefined && { origin }),
  });
}

/** Whether a pull rule orders at its source rather than taking what is there. */
function orders(method: ProcureMethod, demand: Demand, sourceId: string, context: ProcureContext) {
  if (method === 'make-to-stock') return false;
  if (method === 'make-to-order') return true;
  return compare(context.available(demand.productId, sourceId), demand.quantity) < 0;
}

function categoryRoutes(productId: string, context: RouteContext): readonly string[] {
  const categoryId = context.productCategories.get(productId);
  return (categoryId !== undefined && context.categoryRoutes.get(categoryId)) || [];
}

/** The warehouse whose view is the location or its nearest ancestor. */
function warehouseOf(locationId: string, context: RouteContext): string | undefined {
  const byView = new Map(
    context.warehouses.map((warehouse) => [warehouse.viewLocationId, warehouse]),
  );
  for (const id of context.tree.lineage(locationId)) {
    const warehouse = byView.get(id);
    if (warehouse !== undefined) return warehouse.id;
  }
  return undefined;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
