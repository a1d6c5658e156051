import {
  add,
  compare,
  decimal,
  multiply,
  positiveDecimal,
  round,
  subtract,
  type Decimal,
} from './decimal.js';
import { DomainError } from './errors.js';
import type { Move, Product, Unit, VendorOffer } from './model.js';
import { vendorFor } from './product.js';
import { unitById } from './uom.js';

/** Which side of the business an order is on. */
export type OrderKind = 'sale' | 'purchase';

/**
 * A sale order's states: a quotation until the customer agrees, then a confirmed sale, done once
 * everything is delivered, or cancelled.
 */
export type SaleOrderState = 'quotation' | 'sale' | 'done' | 'cancelled';

/**
 * A purchase order's states: a request for quotation (RFQ) until it is sent for good, then a
 * confirmed purchase, done once everything is received, or cancelled.
 */
export type PurchaseOrderState = 'rfq' | 'purchase' | 'done' | 'cancelled';

/** One product on an order. */
export interface OrderLine {
  readonly id: string;
  readonly productId: string;
  /** In `unitId`; always above zero. */
  readonly quantity: Decimal;
  /** The unit the partner sells or buys in; of the same category as the product's unit. */
  readonly unitId: string;
  /** Per one `unitId`, without tax; 0 or more. */
  readonly price: Decimal;
  /** The lots or serial numbers delivered or received for the line, once known. */
  readonly lotIds?: readonly string[] | undefined;
}

/** What sale and purchase orders share. Instants are milliseconds since the Unix epoch. */
export interface OrderBase {
  readonly id: string;
  /** The customer of a sale, the vendor of a purchase. */
  readonly partnerId: string;
  readonly lines: readonly OrderLine[];
  /** When the quotation or RFQ was written. */
  readonly date: number;
  /** When the goods are promised to arrive. */
  readonly plannedDate?: number | undefined;
  /** When the order was confirmed; set by {@link transitionOrder}. */
  readonly confirmedAt?: number | undefined;
  /** The documents that caused the order, such as a reorder rule or a sale, comma separated. */
  readonly origin?: string | undefined;
}

/** An order from a customer. */
export interface SaleOrder extends OrderBase {
  readonly kind: 'sale';
  readonly state: SaleOrderState;
}

/** An order to a vendor. */
export interface PurchaseOrder extends OrderBase {
  readonly kind: 'purchase';
  readonly state: PurchaseOrderState;
}

/** A sale or a purchase order. */
export type Order = SaleOrder | PurchaseOrder;

/** Codes of the errors that the order functions throw. */
export type OrderErrorCode =
  | 'order-transition-invalid'
  | 'order-lines-empty'
  | 'order-quantity-not-positive'
  | 'order-price-invalid'
  | 'order-price-negative'
  | 'order-product-unknown'
  | 'order-unit-category'
  | 'order-partner-required'
  | 'order-not-draft'
  | 'order-line-unknown'
  | 'order-done-quantity-invalid'
  | 'order-lot-required'
  | 'order-lot-untracked'
  | 'order-serial-quantity'
  | 'return-move-unknown'
  | 'return-quantity-invalid'
  | 'return-exceeds-delivered';

/**
 * The steps a sale order may take. Done and cancelled are final; cancelling an order whose goods
 * have left is the caller's to prevent, since only the ledger knows.
 */
export const SALE_ORDER_TRANSITIONS: Readonly<Record<SaleOrderState, readonly SaleOrderState[]>> =
  Object.freeze({
    quotation: Object.freeze(['sale', 'cancelled'] as const),
    sale: Object.freeze(['done', 'cancelled'] as const),
    done: Object.freeze([] as const),
    cancelled: Object.freeze([] as const),
  });

/** The steps a purchase order may take; the same shape as {@link SALE_ORDER_TRANSITIONS}. */
export const PURCHASE_ORDER_TRANSITIONS: Readonly<
  Record<PurchaseOrderState, readonly PurchaseOrderState[]>
> = Object.freeze({
  rfq: Object.freeze(['purchase', 'cancelled'] as const),
  purchase: Object.freeze(['done', 'cancelled'] as const),
  done: Object.freeze([] as const),
  cancelled: Object.freeze([] as const),
});

/**
 * Moves an order to another state. Confirming (quotation → sale, RFQ → purchase) needs at least
 * one line, checks every line again and records when it happened.
 *
 * @param order - The order as stored.
 * @param to - The state asked for.
 * @param at - When the step happens; stored as `confirmedAt` when the order is confirmed.
 * @returns A new order in state `to`; `order` is left as it was.
 * @throws {DomainError} `order-transition-invalid` when the step is not allowed, such as anything
 *   after done; `order-lines-empty` when confirming an order without lines;
 *   `order-quantity-not-positive`, `order-price-invalid` or `order-price-negative` when confirming
 *   an order with a bad line.
 */
export function transitionOrder<O extends Order>(order: O, to: O['state'], at: number): O {
  const current: Order = order;
  const allowed: readonly string[] =
    (current.kind === 'sale'
      ? SALE_ORDER_TRANSITIONS[current.state]
      : PURCHASE_ORDER_TRANSITIONS[current.state]) ?? [];
  if (!allowed.includes(to)) {
    throw new DomainError<OrderErrorCode>(
      'order-transition-invalid',
      `${current.kind} order "${current.id}" cannot go from ${current.state} to ${to}; ` +
        (allowed.length === 0
          ? `${current.state} is final, so write a new order instead`
          : `from ${current.state} it can go to ${allowed.join(', ')}`),
    );
  }

  const confirming = to === 'sale' || to === 'purchase';
  if (confirming) {
    if (current.lines.length === 0) {
      throw new DomainError<OrderErrorCode>(
        'order-lines-empty',
        `${current.kind} order "${current.id}" has no lines; add the products to ` +
          `${current.kind === 'sale' ? 'sell' : 'buy'} before confirming it`,
      );
    }
    for (const line of current.lines) {
      positiveQuantity(line.quantity, line.id);
      nonNegativePrice(line.price, line.id);
    }
  }

  return { ...order, state: to, ...(confirming && { confirmedAt: at }) };
}

/** What a user types for one order line. */
export interface OrderLineDraft {
  id: string;
  productId: string;
  quantity: Decimal | number;
  unitId: string;
  price: Decimal | number;
  lotIds?: readonly string[] | undefined;
}

/** The catalog an order line is checked against. */
export interface OrderLineContext {
  readonly products: ReadonlyMap<string, Product>;
  readonly units: readonly Unit[];
}

/**
 * Checks an order line before it is written, and normalizes it: canonical decimals, lot ids
 * trimmed, without empty ones or repeats.
 *
 * @param draft - The line as typed.
 * @param context - When given, the product must exist and the line's unit must be of the
 *   category of the product's unit.
 * @returns The line to write.
 * @throws {DomainError} `order-quantity-not-positive`, `order-price-invalid`,
 *   `order-price-negative`, `order-product-unknown`, `unit-unknown` or `order-unit-category`.
 */
export function validateOrderLine(draft: OrderLineDraft, context?: OrderLineContext): OrderLine {
  const quantity = positiveQuantity(draft.quantity, draft.id);
  const price = nonNegativePrice(draft.price, draft.id);

  if (context !== undefined) {
    const product = context.products.get(draft.productId);
    if (product === undefined) {
      throw new DomainError<OrderErrorCode>(
        'order-product-unknown',
        `line "${draft.id}" names product "${draft.productId}", which does not exist; ` +
          'pick a product from the catalog',
      );
    }
    const unit = unitById(context.units, draft.unitId);
    const productUnit = unitById(context.units, product.unitId);
    if (unit.categoryId !== productUnit.categoryId) {
      throw new DomainError<OrderErrorCode>(
        'order-unit-category',
        `"${product.name}" is counted in ${productUnit.name} (${productUnit.categoryId}), so ` +
          `line "${draft.id}" cannot be in ${unit.name} (${unit.categoryId}); ` +
          `pick a unit of the ${productUnit.categoryId} category`,
      );
    }
  }

  const lotIds = [
    ...new Set((draft.lotIds ?? []).map((id) => id.trim()).filter((id) => id !== '')),
  ];
  return {
    id: draft.id,
    productId: draft.productId,
    quantity,
    unitId: draft.unitId,
    price,
    ...(lotIds.length > 0 && { lotIds }),
  };
}

/** The amounts of an order, before tax. */
export interface OrderTotals {
  /** Each line's quantity × price, exact and unrounded. */
  readonly lines: readonly { readonly lineId: string; readonly subtotal: Decimal }[];
  /** The sum of the exact subtotals, rounded half-up to the currency's step once, at the end. */
  readonly untaxed: Decimal;
}

/**
 * Adds up an order. Every product is exact; only the total rounds, so that three lines of
 * 0.005 make 0.02, not the 0.03 that rounding each line first would give.
 *
 * @param order - The order, or just its lines.
 * @param step - The precision of the currency; `'0.01'` by default.
 * @returns The exact line subtotals and the rounded untaxed total.
 * @throws {DomainError} `decimal-invalid` when a quantity or price is not a decimal.
 */
export function orderTotals(order: Pick<OrderBase, 'lines'>, step: Decimal = '0.01'): OrderTotals {
  const lines = order.lines.map((line) => ({
    lineId: line.id,
    subtotal: multiply(line.quantity, line.price),
  }));
  const exact = lines.reduce((sum, line) => add(sum, line.subtotal), '0');

  return { lines, untaxed: round(exact, step) };
}

/**
 * Picks the vendor to buy from: the product's first vendor, in their order of preference, whose
 * minimum quantity is at most the quantity ordered (rule PRD10 of the product).
 *
 * @param product - The product, or just its vendors.
 * @param quantity - The quantity to order, in the product's purchase unit.
 * @returns The vendor's offer, or `undefined` when no minimum fits (a replenishment exception).
 * @throws {DomainError} `decimal-invalid` when the quantity is not a decimal.
 */
export function chooseVendor(
  product: Pick<Product, 'vendors'>,
  quantity: Decimal,
): VendorOffer | undefined {
  return vendorFor(product, decimal(quantity));
}

/**
 * The id of a vendor's procurement draft in a given cycle: `rfq:<vendorId>:<cycle>`. It derives
 * from the vendor alone, so that two replicas adding to "the draft purchase order of vendor V" at
 * the same time write one order, not two.
 *
 * @param vendorId - The vendor's partner id.
 * @param cycle - 0 for the vendor's first draft, one more each time a draft leaves the RFQ state.
 * @returns The order id.
 */
export function procurementDraftId(vendorId: string, cycle: number): string {
  return `rfq:${vendorId}:${cycle}`;
}

/** The draft procurement adds to, and whether it still has to be written. */
export interface DraftPurchase {
  readonly order: PurchaseOrder;
  /** `true` when no open draft exists yet and `order` is a new, empty RFQ. */
  readonly created: boolean;
}

/**
 * Finds the one open RFQ of a vendor that procurement adds lines to, or starts it.
 *
 * Procurement drafts have the ids of {@link procurementDraftId}. The cycle counts the vendor's
 * drafts that have left the RFQ state: once draft `rfq:V:0` is confirmed or cancelled, the next
 * one is `rfq:V:1`. So replicas that each start "the draft of V" offline write the same record,
 * and a confirmed draft is never reopened. RFQs a buyer wrote by hand have other ids and are
 * never touched.
 *
 * @param vendorId - The vendor's partner id.
 * @param orders - The purchase orders of the workspace, or at least the vendor's.
 * @param at - When a new draft is written; its `date`.
 * @returns The open draft with the lowest cycle, or a new empty one at the next cycle.
 * @throws {DomainError} `order-partner-required` when the vendor id is empty.
 */
export function draftPurchaseFor(
  vendorId: string,
  orders: readonly PurchaseOrder[],
  at: number,
): DraftPurchase {
  if (vendorId.trim() === '') {
    throw new DomainError<OrderErrorCode>(
      'order-partner-required',
      'a purchase order needs a vendor; add a vendor on the product first',
    );
  }

  const prefix = procurementDraftId(vendorId, 0).slice(0, -1);
  let open: { cycle: number; order: PurchaseOrder } | undefined;
  let nextCycle = 0;
  for (const order of orders) {
    if (order.kind !== 'purchase' || !order.id.startsWith(prefix)) continue;
    const suffix = order.id.slice(prefix.length);
    if (!/^(0|[1-9]\d*)$/.test(suffix)) continue;

    const cycle = Number(suffix);
    if (order.state !== 'rfq') nextCycle = Math.max(nextCycle, cycle + 1);
    else if (open === undefined || cycle < open.cycle) open = { cycle, order };
  }

  if (open !== undefined) return { order: open.order, created: false };
  const order: PurchaseOrder = {
    kind: 'purchase',
    id: procurementDraftId(vendorId, nextCycle),
    partnerId: vendorId,
    state: 'rfq',
    lines: [],
    date: at,
  };
  return { order, created: true };
}

/** A quantity procurement wants bought. */
export interface ProcurementLine {
  readonly productId: string;
  /** In `unitId`, the product's purchase unit; above zero. */
  readonly quantity: Decimal;
  readonly unitId: string;
  /** The vendor's price per `unitId`; used only when the draft has no line to merge into. */
  readonly price: Decimal;
  /** The document that asked for it, such as a reorder rule or a sale order. */
  readonly origin?: string | undefined;
}

/**
 * The id of the line procurement adds for a product and unit: `buy:<productId>:<unitId>`, so
 * that replicas adding the same product to the same draft write one line.
 *
 * @param productId - The product bought.
 * @param unitId - The unit it is bought in.
 * @returns The line id.
 */
export function procurementLineId(productId: string, unitId: string): string {
  return `buy:${productId}:${unitId}`;
}

/**
 * Adds a procurement need to a draft purchase order. A line for the same product and unit grows
 * by the quantity and keeps its price, which the buyer may have negotiated; otherwise a new line
 * is added with the id of {@link procurementLineId}. The origin joins the order's origins, sorted
 * and without repeats.
 *
 * @param order - The draft, usually from {@link draftPurchaseFor}.
 * @param line - What to buy.
 * @returns The updated order; `order` is left as it was.
 * @throws {DomainError} `order-not-draft` when the order is no longer an RFQ;
 *   `order-quantity-not-positive`, `order-price-invalid` or `order-price-negative` for a bad line.
 */
export function addProcurementLine(order: PurchaseOrder, line: ProcurementLine): PurchaseOrder {
  if (order.state !== 'rfq') {
    throw new DomainError<OrderErrorCode>(
      'order-not-draft',
      `purchase order "${order.id}" is ${order.state}, so procurement cannot add to it; ` +
        'take the draft that draftPurchaseFor returns now',
    );
  }
  const lineId = procurementLineId(line.productId, line.unitId);
  const quantity = positiveQuantity(line.quantity, lineId);
  const price = nonNegativePrice(line.price, lineId);

  const index = order.lines.findIndex(
    (candidate) => candidate.productId === line.productId && candidate.unitId === line.unitId,
  );
  const existing = order.lines[index];
  const lines =
    existing === undefined
      ? [
          ...order.lines,
          { id: lineId, productId: line.productId, quantity, unitId: line.unitId, price },
        ]
      : order.lines.map((candidate, at) =>
          at === index ? { ...existing, quantity: add(existing.quantity, quantity) } : candidate,
        );

  const origin = joinOrigins(order.origin, line.origin);
  return { ...order, lines, ...(origin !== undefined && { origin }) };
}

function joinOrigins(current: string | undefined, added: string | undefined) {
  const origins = new Set(
    [...(current ?? '').split(','), added ?? '']
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  );
  if (origins.size === 0) return undefined;
  return [...origins].sort().join(', ');
}

/** How far one order line has been delivered or received. */
export interface DeliveryStatus {
  /** The sum of the done quantities. */
  readonly delivered: Decimal;
  /** What is still to deliver; 0, never negative, once the line is covered or exceeded. */
  readonly remaining: Decimal;
  /** `true` when nothing remains. */
  readonly complete: boolean;
}

/**
 * Adds up what has been delivered of an order line.
 *
 * @param quantity - The line's quantity.
 * @param done - The quantities of its done moves, in the line's unit.
 * @returns What was delivered and what remains.
 * @throws {DomainError} `order-quantity-not-positive` when the line's quantity is not above zero,
 *   `order-done-quantity-invalid` when a done quantity is not a decimal of 0 or more.
 */
export function deliveryStatus(quantity: Decimal, done: readonly Decimal[]): DeliveryStatus {
  const ordered = positiveQuantity(quantity, undefined);
  const delivered = done.reduce((sum, value) => add(sum, doneQuantity(value)), '0');
  const left = subtract(ordered, delivered);
  const remaining = compare(left, '0') > 0 ? left : '0';

  return { delivered, remaining, complete: remaining === '0' };
}

/** A quantity done for one order line, in the line's unit. */
export interface DoneQuantity {
  readonly lineId: string;
  readonly quantity: Decimal;
}

/**
 * The lines still to deliver (or receive) after a partial delivery: the backorder. Each keeps the
 * id, product, unit and price of its order line, with the remaining quantity and no lots.
 *
 * @param lines - The order's lines.
 * @param done - What was done so far, any number of entries per line.
 * @returns The lines with something left, in the order's order; empty when all is delivered.
 * @throws {DomainError} `order-line-unknown` when a done quantity names a line the order does not
 *   have; `order-done-quantity-invalid` or `order-quantity-not-positive` for bad quantities.
 */
export function backorder(lines: readonly OrderLine[], done: readonly DoneQuantity[]): OrderLine[] {
  const doneByLine = new Map<string, Decimal[]>(lines.map((line) => [line.id, []]));
  for (const entry of done) {
    const list = doneByLine.get(entry.lineId);
    if (list === undefined) {
      throw new DomainError<OrderErrorCode>(
        'order-line-unknown',
        `a done quantity names line "${entry.lineId}", which the order does not have; ` +
          'book it against one of the order lines',
      );
    }
    list.push(entry.quantity);
  }

  return lines.flatMap((line) => {
    const { remaining, complete } = deliveryStatus(line.quantity, doneByLine.get(line.id) ?? []);
    if (complete) return [];
    const { id, productId, unitId, price } = line;
    return [{ id, productId, quantity: remaining, unitId, price }];
  });
}

/** How much of one done move to send back. */
export interface ReturnRequest {
  readonly moveId: string;
  /** In the product's unit; 0 asks for nothing. */
  readonly quantity: Decimal;
}

/** A reverse move to book for a return: from where the goods went back to where they came from. */
export interface ReturnLine {
  /** The done move being reversed; the return move should list it in `chainedFrom`. */
  readonly returnedMoveId: string;
  readonly productId: string;
  /** In the product's unit. */
  readonly quantity: Decimal;
  readonly sourceId: string;
  readonly destinationId: string;
  readonly lotId?: string | undefined;
}

/**
 * What can still be returned of a move: its quantity when done, minus the returns already booked
 * or planned for it. A return of a move is a move chained from it that goes the opposite way
 * (from its destination to its source) with the same product and lot and is not cancelled.
 *
 * @param move - The move to return from.
 * @param moves - The moves that may be returns of it, such as all moves of the order.
 * @returns 0 for a move that is not done; never negative.
 */
export function returnableQuantity(move: Move, moves: readonly Move[]): Decimal {
  if (move.state !== 'done') return '0';

  const returned = moves
    .filter((candidate) => isReturnOf(candidate, move))
    .reduce((sum, candidate) => add(sum, candidate.quantity), '0');
  const left = subtract(move.quantity, returned);
  return compare(left, '0') > 0 ? left : '0';
}

function isReturnOf(candidate: Move, move: Move): boolean {
  return (
    candidate.state !== 'cancelled' &&
    candidate.id !== move.id &&
    candidate.productId === move.productId &&
    candidate.lotId === move.lotId &&
    candidate.sourceId === move.destinationId &&
    candidate.destinationId === move.sourceId &&
    (candidate.chainedFrom?.includes(move.id) ?? false)
  );
}

/**
 * Plans a return: one reverse line per returned move, with its lot, from its destination back to
 * its source. A return never sends back more than a move delivered, net of earlier returns.
 *
 * @param moves - The order's moves: the done moves to return from and any earlier returns.
 * @param requests - How much of each move to return; requests for one move add up, and requests
 *   of 0 are skipped.
 * @returns The reverse lines, in the order the moves were first requested.
 * @throws {DomainError} `return-move-unknown` when a request names a move not in `moves`,
 *   `return-quantity-invalid` when a quantity is not a decimal of 0 or more,
 *   `return-exceeds-delivered` when the quantities for a move exceed what it delivered, less what
 *   was already returned (nothing for a move that is not done).
 * @example
 * ```ts
 * returnLines(deliveryMoves, [{ moveId: 'ship-1', quantity: '2' }]);
 * // [{ returnedMoveId: 'ship-1', sourceId: 'partners/customers', destinationId: 'wh/stock', ... }]
 * ```
 */
export function returnLines(
  moves: readonly Move[],
  requests: readonly ReturnRequest[],
): ReturnLine[] {
  const byId = new Map(moves.map((move) => [move.id, move]));
  const wanted = new Map<string, Decimal>();
  for (const request of requests) {
    if (!byId.has(request.moveId)) {
      throw new DomainError<OrderErrorCode>(
        'return-move-unknown',
        `move "${request.moveId}" is not one of the order's moves; return from a done move`,
      );
    }
    const quantity = nonNegative(request.quantity);
    if (quantity === undefined) {
      throw new DomainError<OrderErrorCode>(
        'return-quantity-invalid',
        `${JSON.stringify(request.quantity)} is not a quantity to return; write 0 or more`,
      );
    }
    wanted.set(request.moveId, add(wanted.get(request.moveId) ?? '0', quantity));
  }

  const lines: ReturnLine[] = [];
  for (const [moveId, quantity] of wanted) {
    const move = byId.get(moveId);
    if (move === undefined || compare(quantity, '0') === 0) continue;

    const returnable = returnableQuantity(move, moves);
    if (compare(quantity, returnable) > 0) {
      throw new DomainError<OrderErrorCode>(
        'return-exceeds-delivered',
        move.state === 'done'
          ? `move "${move.id}" delivered ${move.quantity} and ${returnable} of it can still ` +
              `be returned, not ${quantity}; lower the quantity to return`
          : `move "${move.id}" is ${move.state}, so it delivered nothing to return; ` +
              'return from its done moves',
      );
    }
    lines.push({
      returnedMoveId: move.id,
      productId: move.productId,
      quantity,
      sourceId: move.destinationId,
      destinationId: move.sourceId,
      ...(move.lotId !== undefined && { lotId: move.lotId }),
    });
  }
  return lines;
}

/** A lot or serial number picked to validate an order line, and how much of it. */
export interface LinePick {
  readonly lotId?: string | undefined;
  /** In the product's unit. */
  readonly quantity: Decimal;
}

/**
 * Checks the lots or serial numbers picked when a delivery or receipt line is validated. A
 * tracked product names a lot on every pick, an untracked one none. A serial number stands for
 * one unit: each serial is picked once with quantity 1, and no more serials than were reserved.
 *
 * @param product - The line's product, or its name and tracking.
 * @param reserved - The quantity reserved (or expected, for a receipt), in the product's unit.
 * @param picks - What the user picked.
 * @returns The total quantity picked.
 * @throws {DomainError} `order-quantity-not-positive` for a pick not above zero,
 *   `order-lot-required`, `order-lot-untracked`, or `order-serial-quantity` when a serial is
 *   picked with another quantity than 1, twice, or beyond the reserved quantity.
 */
export function validateLinePicks(
  product: Pick<Product, 'name' | 'tracking'>,
  reserved: Decimal,
  picks: readonly LinePick[],
): Decimal {
  const serials = new Set<string>();
  let total = '0';

  for (const pick of picks) {
    const quantity = positiveQuantity(pick.quantity, undefined);
    const lotId = pick.lotId?.trim() || undefined;
    if (lotId === undefined && product.tracking !== 'none') {
      throw new DomainError<OrderErrorCode>(
        'order-lot-required',
        `"${product.name}" is tracked by ${product.tracking}; ` +
          `name the ${product.tracking === 'lot' ? 'lot' : 'serial number'} of every pick`,
      );
    }
    if (lotId !== undefined && product.tracking === 'none') {
      throw new DomainError<OrderErrorCode>(
        'order-lot-untracked',
        `"${product.name}" is not tracked by lot or serial; remove the lot from the pick`,
      );
    }

    total = add(total, quantity);
    if (product.tracking !== 'serial' || lotId === undefined) continue;
    if (compare(quantity, '1') !== 0 || serials.has(lotId)) {
      throw new DomainError<OrderErrorCode>(
        'order-serial-quantity',
        `serial number "${lotId}" of "${product.name}" is picked ` +
          (serials.has(lotId) ? 'twice' : `with ${quantity} units`) +
          '; a serial number stands for one unit, so pick each serial once with quantity 1',
      );
    }
    serials.add(lotId);
  }

  if (product.tracking === 'serial' && compare(total, reserved) > 0) {
    throw new DomainError<OrderErrorCode>(
      'order-serial-quantity',
      `${total} serial numbers of "${product.name}" are picked but ${reserved} are reserved; ` +
        'remove the extra serials or reserve more first',
    );
  }
  return total;
}

function positiveQuantity(value: Decimal | number, lineId: string | undefined): Decimal {
  const quantity = positiveDecimal(value);
  if (quantity === undefined) {
    throw new DomainError<OrderErrorCode>(
      'order-quantity-not-positive',
      `${JSON.stringify(value)} is not a quantity above zero` +
        (lineId === undefined ? '' : ` on line "${lineId}"`) +
        '; write a quantity above zero' +
        (lineId === undefined ? '' : ', or remove the line'),
    );
  }
  return quantity;
}

function nonNegativePrice(value: Decimal | number, lineId: string): Decimal {
  let price: Decimal;
  try {
    price = decimal(value);
  } catch {
    throw new DomainError<OrderErrorCode>(
      'order-price-invalid',
      `the price ${JSON.stringify(value)} on line "${lineId}" is not a number; ` +
        'write it as a decimal such as 12.50',
    );
  }
  if (compare(price, '0') < 0) {
    throw new DomainError<OrderErrorCode>(
      'order-price-negative',
      `the price on line "${lineId}" is ${price}; a price is 0 or more, ` +
        'so write a discount as a lower price',
    );
  }
  return price;
}

function doneQuantity(value: Decimal): Decimal {
  const quantity = nonNegative(value);
  if (quantity === undefined) {
    throw new DomainError<OrderErrorCode>(
      'order-done-quantity-invalid',
      `${JSON.stringify(value)} is not a done quantity; write 0 or more`,
    );
  }
  return quantity;
}

/** @returns The canonical decimal, or `undefined` when it is not a decimal of 0 or more. */
function nonNegative(value: Decimal): Decimal | undefined {
  try {
    const parsed = decimal(value);
    return compare(parsed, '0') < 0 ? undefined : parsed;
  } catch {
    return undefined;
  }
}
