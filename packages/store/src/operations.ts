import {
  add,
  bomFor,
  chooseVendor,
  compare,
  convertQuantity,
  draftPurchaseFor,
  hasAddress,
  isOpenMove,
  procure,
  productionMoves,
  pushFor,
  rentalReturn,
  returnLines,
  subtract,
  traceLot,
  transitionManufacturingOrder,
  transitionOrder,
  validateLinePicks,
  validateOrderLine,
  VIRTUAL_LOCATION_IDS,
  type ComponentPick,
  type Decimal,
  type Demand,
  type ManufacturingOrder,
  type Move,
  type OrderKind,
  type OrderLine,
  type PartnerAddress,
  type Product,
  type PurchaseOrder,
  type ReturnRequest,
  type RouteContext,
  type RouteOperation,
  type SaleOrder,
  type TraceDirection,
  type TraceDocument,
  type TraceGraph,
  type TraceLink,
  type Warehouse,
} from '@kura/domain';
import type * as Y from 'yjs';

import type { Catalog } from './catalog.js';
import { StoreError } from './errors.js';
import { randomId } from './ids.js';
import { Origin } from './origins.js';
import { RecordProjection } from './projection.js';
import { byId, insertRecord, patchRecord, type RecordMap } from './records.js';
import { SupplyIndex } from './supply.js';
import { lotId as lotIdOf, type MovePart, type PlannedMoveDraft, type Stock } from './stock.js';

/** What the store keeps with an order besides the domain's fields. */
interface OrderPlace {
  /** The warehouse that delivers a sale or receives a purchase. */
  readonly warehouseId: string;
  /** Routes named on the order; they come before the product's and the warehouse's. */
  readonly routeIds?: readonly string[] | undefined;
}

/** A sale or purchase order as the store keeps it; its lines are records of their own. */
export type StoredOrder = (Omit<SaleOrder, 'lines'> | Omit<PurchaseOrder, 'lines'>) & OrderPlace;

/** An order line as the store keeps it. */
export interface StoredOrderLine extends OrderLine {
  readonly orderId: string;
  /** The cause procurement added the line for, such as a proposal or a sale line. */
  readonly origin?: string | undefined;
  /** Where a procured purchase is received; the warehouse's receipt steps decide when absent. */
  readonly locationId?: string | undefined;
  /** For a rented product: when the rental ends, so that its return is planned then. */
  readonly rentalEnd?: number | undefined;
}

/** An order with its lines, ordered by id. */
export type OrderWithLines = (
  | (SaleOrder & { readonly lines: readonly StoredOrderLine[] })
  | (PurchaseOrder & { readonly lines: readonly StoredOrderLine[] })
) &
  OrderPlace;

/** What a user types to add an order line; the store fills in the unit and the price. */
export interface OrderLineInput {
  productId: string;
  quantity: Decimal | number;
  /** The product's unit when absent (its purchase unit on a purchase). */
  unitId?: string | undefined;
  /** The product's sale price, or the vendor's price, when absent. */
  price?: Decimal | number | undefined;
  rentalEnd?: number | undefined;
}

/** What a user gives to write a quotation or a request for quotation. */
export interface OrderInput {
  kind: OrderKind;
  partnerId: string;
  /** The first warehouse when absent. */
  warehouseId?: string | undefined;
  plannedDate?: number | undefined;
  routeIds?: readonly string[] | undefined;
  lines?: readonly OrderLineInput[] | undefined;
}

/** What a picking does; the operation of the route rule that planned it, or a return. */
export type PickingOperation = RouteOperation | 'return';

/**
 * A group of moves done together from one place to another, such as a delivery or the receipt
 * of a purchase. Its open moves are the stock's open moves whose origin is the picking's id.
 */
export interface Picking {
  readonly id: string;
  readonly operation: PickingOperation;
  readonly sourceId: string;
  readonly destinationId: string;
  readonly state: 'open' | 'done' | 'cancelled';
  readonly date: number;
  readonly orderId?: string | undefined;
  /** The vendor or customer, for receipts, deliveries and returns. */
  readonly partnerId?: string | undefined;
  readonly warehouseId?: string | undefined;
  /** The picking whose unfinished moves this one carries on. */
  readonly backorderOf?: string | undefined;
  /** The picking whose done moves this one sends back. */
  readonly returnOf?: string | undefined;
  /** The done moves its validations booked, each with the open move it was booked for. */
  readonly done?: readonly BookedMove[] | undefined;
}

/** A done move of a picking, with the open move it was booked for. */
export type BookedMove = Move & { readonly plannedId: string };

/** A picking with its open moves, ordered by id. */
export type PickingWithMoves = Picking & { readonly moves: readonly Move[] };

/** A lot or serial number picked to validate a move, and how much of it. */
export interface ValidationPick {
  /** In the product's unit. */
  quantity: Decimal | number;
  /** An existing lot. */
  lotId?: string | undefined;
  /** A lot or serial number by name; created at a receipt when the product has none by it. */
  lotName?: string | undefined;
  /** Where it is taken from, for a move leaving stock; its reserved location by default. */
  locationId?: string | undefined;
}

/** A manufacturing order as the store keeps it. */
export interface StoredManufacturingOrder extends ManufacturingOrder {
  /** Where components are taken from and the finished product put. */
  readonly locationId: string;
}

/** What a user gives to plan a manufacturing order. */
export interface ManufacturingInput {
  productId: string;
  quantity: Decimal | number;
  /** The product's bill with the smallest id when absent. */
  bomId?: string | undefined;
  /** The first warehouse's stock when absent. */
  locationId?: string | undefined;
  origin?: string | undefined;
}

/** What procurement planned for a demand, and what it could not. */
export interface ProcurementResult {
  /** The moves planned. */
  readonly moves: readonly string[];
  /** The purchase orders that received a line. */
  readonly purchases: readonly string[];
  /** The manufacturing orders planned. */
  readonly manufacturing: readonly string[];
  /** Demands no rule reaches, bought products without a vendor, made ones without a bill. */
  readonly unplanned: readonly Demand[];
}

/** Codes of the errors that operations commands throw besides the domain's. */
export type OperationsErrorCode =
  | 'order-unknown'
  | 'order-line-unknown'
  | 'order-not-draft'
  | 'partner-unknown'
  | 'product-unknown'
  | 'warehouse-unknown'
  | 'picking-unknown'
  | 'picking-closed'
  | 'picking-not-ready'
  | 'manufacturing-order-unknown'
  | 'bom-missing'
  | 'lot-unknown';

/** A demand to plan, and the records its plan writes. */
interface Procurement {
  demand: Demand;
  /** Unique per demand: the move, line and manufacturing order ids derive from it. */
  cause: string;
  /** The document that groups the moves into pickings: an order or a proposal. */
  document: string;
  partnerId?: string | undefined;
  /** What a buy step becomes: a line of a vendor's draft, or the receipt of this purchase. */
  buy: 'draft' | { order: StoredOrder; line: StoredOrderLine };
}

/** Everything a command writes, gathered first so that a refused command writes nothing. */
interface Writes {
  pickings: Map<string, Picking>;
  moves: (PlannedMoveDraft & { id: string; state: 'confirmed' | 'waiting' })[];
  orders: Map<string, StoredOrder>;
  lines: StoredOrderLine[];
  manufacturing: StoredManufacturingOrder[];
  unplanned: Demand[];
}

const CUSTOMERS = VIRTUAL_LOCATION_IDS.customers;
const VENDORS = VIRTUAL_LOCATION_IDS.vendors;

/**
 * Sales, purchases, pickings and manufacturing, kept in the stock document. A confirmed order
 * plans its moves through the routes; every planned record's id derives from its cause (the
 * order line, the reorder proposal), so replicas that plan the same cause write one record.
 * Stock waiting for goods is reserved as soon as the goods are there, on every replica alike.
 */
export class Operations {
  readonly #doc: Y.Doc;
  readonly #catalog: Catalog;
  readonly #stock: Stock;
  readonly #orders: RecordProjection<StoredOrder>;
  readonly #lines: RecordProjection<StoredOrderLine>;
  readonly #pickings: RecordProjection<Picking>;
  readonly #manufacturing: RecordProjection<StoredManufacturingOrder>;
  readonly #listeners = new Set<() => void>();
  readonly #touched = new Set<string>();
  #reserving = false;
  readonly #supply = new SupplyIndex();
  /** The lines of each order, to follow a change of the order's state. */
  readonly #orderLines = new Map<string, Set<string>>();
  readonly #lineOrder = new Map<string, string>();

  /** @internal Opened by the workspace. */
  constructor(doc: Y.Doc, catalog: Catalog, stock: Stock) {
    this.#doc = doc;
    this.#catalog = catalog;
    this.#stock = stock;
    const changed = () => {
      for (const listener of this.#listeners) listener();
    };
    this.#orders = new RecordProjection<StoredOrder>(doc.getMap('orders'), (ids) => {
      for (const id of ids)
        for (const line of this.#orderLines.get(id) ?? []) this.#lineSupply(line);
      changed();
    });
    this.#lines = new RecordProjection<StoredOrderLine>(doc.getMap('orderLines'), (ids) => {
      for (const id of ids) this.#lineSupply(id);
      changed();
    });
    this.#pickings = new RecordProjection<Picking>(doc.getMap('pickings'), changed);
    this.#manufacturing = new RecordProjection<StoredManufacturingOrder>(
      doc.getMap('manufacturing'),
      (ids) => {
        for (const id of ids) this.#manufacturingSupply(id);
        changed();
      },
    );
    for (const id of this.#lines.all().keys()) this.#lineSupply(id);
    for (const id of this.#manufacturing.all().keys()) this.#manufacturingSupply(id);
    stock.subscribeProducts((productIds) => this.#reserveLater(productIds));
  }

  // Commands: orders

  /**
   * Writes a quotation (sale) or a request for quotation (purchase).
   *
   * @returns The order with its lines.
   * @throws {StoreError} `partner-unknown`, `warehouse-unknown`, `product-unknown`.
   * @throws {DomainError} The codes of `validateOrderLine`; nothing is written then.
   */
  createOrder(input: OrderInput): OrderWithLines {
    if (this.#catalog.partner(input.partnerId) === undefined) {
      throw new StoreError<OperationsErrorCode>(
        'partner-unknown',
        `no partner has the id "${input.partnerId}"; pick a customer or vendor`,
      );
    }
    const common = {
      id: randomId(),
      partnerId: input.partnerId,
      warehouseId: this.#warehouse(input.warehouseId).id,
      date: Date.now(),
      plannedDate: input.plannedDate,
      routeIds: input.routeIds,
    };
    const order: StoredOrder =
      input.kind === 'sale'
        ? { ...common, kind: 'sale', state: 'quotation' }
        : { ...common, kind: 'purchase', state: 'rfq' };
    const lines = (input.lines ?? []).map((line) => this.#line(order, randomId(), line));
    this.#doc.transact(() => {
      insertRecord(this.#map('orders'), order.id, order);
      for (const line of lines) insertRecord(this.#map('orderLines'), line.id, line);
    }, Origin.command);
    return this.#withLines(order.id);
  }

  /**
   * Adds a line to a quotation or request for quotation.
   *
   * @returns The order with its lines.
   * @throws {StoreError} `order-unknown`, `order-not-draft`, `product-unknown`.
   * @throws {DomainError} The codes of `validateOrderLine`, such as `order-price-negative`.
   */
  addOrderLine(orderId: string, input: OrderLineInput): OrderWithLines {
    const order = this.#draftOrder(orderId);
    const line = this.#line(order, randomId(), input);
    this.#doc.transact(() => insertRecord(this.#map('orderLines'), line.id, line), Origin.command);
    return this.#withLines(orderId);
  }

  /**
   * Changes a line of a quotation or request for quotation; fields left out keep their value.
   *
   * @returns The order with its lines.
   * @throws {StoreError} `order-unknown`, `order-not-draft`, `order-line-unknown`.
   * @throws {DomainError} The codes of `validateOrderLine`.
   */
  updateOrderLine(orderId: string, lineId: string, patch: Partial<OrderLineInput>): OrderWithLines {
    const order = this.#draftOrder(orderId);
    const current = this.#lines.get(lineId);
    if (current?.orderId !== orderId) {
      throw new StoreError<OperationsErrorCode>(
        'order-line-unknown',
        `order "${orderId}" has no line "${lineId}"`,
      );
    }
    const line = this.#line(order, lineId, { ...current, ...patch });
    const fields = Object.fromEntries(
      Object.keys(patch).map((key) => [key, line[key as keyof StoredOrderLine]]),
    );
    this.#lines.patch(line.id, fields, () => line);
    return this.#withLines(orderId);
  }

  /**
   * Removes a line from a quotation or request for quotation.
   *
   * @returns The order with its lines.
   * @throws {StoreError} `order-unknown`, `order-not-draft`.
   */
  removeOrderLine(orderId: string, lineId: string): OrderWithLines {
    this.#draftOrder(orderId);
    this.#doc.transact(() => this.#map('orderLines').delete(lineId), Origin.command);
    return this.#withLines(orderId);
  }

  /**
   * Confirms a quotation into a sale, or a request for quotation into a purchase, and plans its
   * moves through the routes: a sale's delivery steps, and what they order in turn (a purchase
   * line in the vendor's draft, a manufacturing order); a purchase's receipt steps. The moves
   * leaving stock are reserved at once, as far as there is stock.
   *
   * @returns The confirmed order, and what procurement could not plan.
   * @throws {StoreError} `order-unknown`.
   * @throws {DomainError} `order-lines-empty` for an order without lines, the other codes of
   *   `transitionOrder`, and those of `procure` (such as `route-loop`); nothing is written then.
   */
  confirmOrder(id: string): { order: OrderWithLines; unplanned: readonly Demand[] } {
    const order = this.#withLines(id);
    const now = Date.now();
    const confirmed = transitionOrder(order, order.kind === 'sale' ? 'sale' : 'purchase', now);
    const writes = emptyWrites();
    const context = this.#procureContext();
    for (const line of order.lines) {
      const product = this.#product(line.productId);
      const quantity = this.#inProductUnit(line.quantity, line.unitId, product);
      const cause = line.id;
      if (order.kind === 'sale') {
        this.#plan(writes, context, {
          cause,
          document: order.id,
          partnerId: order.partnerId,
          buy: 'draft',
          demand: {
            productId: line.productId,
            quantity,
            locationId: CUSTOMERS,
            date: order.plannedDate ?? now,
            origin: order.id,
            warehouseId: order.warehouseId,
            routeIds: order.routeIds,
          },
        });
      } else {
        this.#planReceipt(writes, context, order, line, quantity, now);
      }
    }

    this.#doc.transact(() => {
      patchRecord(this.#record('orders', id), {
        state: confirmed.state,
        confirmedAt: confirmed.confirmedAt,
      });
      this.#write(writes);
    }, Origin.command);
    this.#reserve(writes.moves.map((move) => move.productId));
    return { order: this.#withLines(id), unplanned: writes.unplanned };
  }

  /**
   * Cancels an order and the moves it planned that are not done.
   *
   * @returns The cancelled order.
   * @throws {StoreError} `order-unknown`.
   * @throws {DomainError} `order-transition-invalid` for a done or cancelled order.
   */
  cancelOrder(id: string): OrderWithLines {
    const order = this.#withLines(id);
    const cancelled = transitionOrder(order, 'cancelled', Date.now());
    const receipts = new Set(order.lines.map((line) => `in:${line.id}`));
    this.#doc.transact(() => {
      patchRecord(this.#record('orders', id), { state: cancelled.state });
      for (const picking of this.pickings({ orderId: id })) {
        if (picking.state !== 'open') continue;
        for (const move of picking.moves) this.#stock.cancelMove(move.id);
        patchRecord(this.#record('pickings', picking.id), { state: 'cancelled' });
      }
      // Moves planned elsewhere to continue a cancelled purchase's receipts wait for nothing now.
      for (const move of this.#stock.openMoves()) {
        if (isOpenMove(move.state) && move.chainedFrom?.some((before) => receipts.has(before))) {
          this.#stock.cancelMove(move.id);
        }
      }
    }, Origin.command);
    return this.#withLines(id);
  }

  // Commands: pickings

  /**
   * Reserves the open moves of a picking that leave stock, as far as there is stock.
   *
   * @returns The picking with its moves.
   * @throws {StoreError} `picking-unknown`, `picking-closed`.
   */
  reservePicking(id: string): PickingWithMoves {
    const picking = this.#openPicking(id);
    this.#doc.transact(() => {
      for (const move of picking.moves) {
        if (move.state === 'confirmed' && this.#leavesStock(move)) this.#stock.reserveMove(move.id);
      }
    }, Origin.command);
    return this.#picking(id);
  }

  /**
   * Validates a picking: each move that is ready books what was picked, or everything it holds
   * (the whole move for one not leaving stock). At a receipt, lots and serial numbers named by
   * `lotName` are created. What is left of a move, and the moves still waiting, go to a
   * backorder; moves that continue the booked ones are released, push rules send the goods on,
   * and a delivered rental plans its return.
   *
   * @param picks - By open move id, the lots picked and their quantities; required for tracked
   *   products at a receipt.
   * @returns The done picking, and its backorder when something is left.
   * @throws {StoreError} `picking-unknown`, `picking-closed`, `lot-unknown`, and the codes of
   *   `Stock.validateMove` such as `move-not-reserved`.
   * @throws {DomainError} The codes of `validateLinePicks`: `order-lot-required`,
   *   `order-serial-quantity` when more serials are picked than reserved; nothing is written.
   */
  validatePicking(
    id: string,
    picks: Readonly<Record<string, readonly ValidationPick[]>> = {},
  ): { picking: PickingWithMoves; backorder?: PickingWithMoves | undefined } {
    const picking = this.#openPicking(id);
    const parts = new Map(
      picking.moves
        .filter((move) => move.state !== 'waiting')
        .map((move) => [move.id, this.#validationParts(move, picks[move.id])]),
    );
    if (![...parts.values()].some((part) => part.book)) {
      throw new StoreError<OperationsErrorCode>(
        'picking-not-ready',
        `picking "${id}" has nothing to book: its moves wait for earlier steps or hold no ` +
          'stock; reserve it, or validate the steps before it',
      );
    }
    const doneIds = this.#doneIds();
    const done: BookedMove[] = [];
    const backorder: Writes = emptyWrites();
    const follow: Writes = emptyWrites();
    const backorderId = `${id}:bo`;
    const context = this.#catalog.routeContext();

    this.#doc.transact(() => {
      for (const move of picking.moves) {
        const moveParts = parts.get(move.id);
        if (moveParts === undefined || !moveParts.book) {
          backorder.moves.push({ ...carried(move, backorderId), quantity: move.quantity });
          this.#stock.cancelMove(move.id);
          continue;
        }
        const chainedFrom = move.chainedFrom?.flatMap((before) => doneIds.get(before) ?? before);
        const booked = this.#stock.validateMove(move.id, {
          parts: moveParts.parts,
          chainedFrom: chainedFrom?.length ? chainedFrom : undefined,
        });
        done.push(...booked.map((doneMove) => ({ ...doneMove, plannedId: move.id })));
        if (compare(moveParts.left, '0') > 0) {
          backorder.moves.push({ ...carried(move, backorderId), quantity: moveParts.left });
        }
      }
      if (backorder.moves.length > 0) {
        backorder.pickings.set(backorderId, { ...picking, id: backorderId, backorderOf: id });
      }
      this.#followUp(picking, done, follow, context);
      patchRecord(this.#record('pickings', id), {
        state: 'done',
        done: [...(picking.done ?? []), ...done],
      });
      this.#write(backorder);
      this.#write(follow);
    }, Origin.command);
    // The projections read the validation's records once its transaction is over.
    this.#doc.transact(() => {
      for (const move of this.#stock.openMoves()) {
        if (move.state === 'waiting') this.#stock.releaseMove(move.id);
      }
      this.#closeOrder(picking.orderId);
    }, Origin.command);
    this.#reserve(done.map((move) => move.productId));

    return {
      picking: this.#picking(id),
      ...(backorder.moves.length > 0 && { backorder: this.#picking(backorderId) }),
    };
  }

  /**
   * Sends back goods of a done picking: to the stock they came from for a delivery, to the
   * vendor for a receipt. The return is a new picking whose moves are chained from the moves
   * they reverse, so the trace finds them.
   *
   * @param requests - By done move id, how much to send back.
   * @returns The return picking, confirmed; a return to a vendor is reserved at once.
   * @throws {StoreError} `picking-unknown`.
   * @throws {DomainError} The codes of `returnLines`, such as `return-exceeds-delivered`.
   */
  returnPicking(id: string, requests: readonly ReturnRequest[]): PickingWithMoves {
    const picking = this.#pickings.get(id);
    if (picking === undefined) throw unknownPicking(id);
    const returns = this.pickings().filter((other) => other.returnOf === id);
    const earlier = returns.flatMap((other) => [...other.moves, ...(other.done ?? [])]);
    const lines = returnLines([...(picking.done ?? []), ...earlier], requests);
    const returnId = `${id}:return:${randomId()}`;
    const writes = emptyWrites();
    writes.pickings.set(returnId, {
      id: returnId,
      operation: 'return',
      sourceId: picking.destinationId,
      destinationId: picking.sourceId,
      state: 'open',
      date: Date.now(),
      orderId: picking.orderId,
      partnerId: picking.partnerId,
      warehouseId: picking.warehouseId,
      returnOf: id,
    });
    lines.forEach((line, index) => {
      writes.moves.push({
        id: `${returnId}:${index}`,
        productId: line.productId,
        quantity: line.quantity,
        sourceId: line.sourceId,
        destinationId: line.destinationId,
        lotId: line.lotId,
        origin: returnId,
        chainedFrom: [line.returnedMoveId],
        state: 'confirmed',
      });
    });
    this.#doc.transact(() => this.#write(writes), Origin.command);
    this.#reserve(lines.map((line) => line.productId));
    return this.#picking(returnId);
  }

  // Commands: manufacturing

  /**
   * Plans a manufacturing order in the draft state.
   *
   * @returns The order.
   * @throws {StoreError} `product-unknown`, `bom-missing`, `warehouse-unknown`.
   * @throws {DomainError} `manufacturing-quantity-not-positive` when confirmed later.
   */
  createManufacturingOrder(input: ManufacturingInput): StoredManufacturingOrder {
    const order = this.#manufacturingOrder(randomId(), input);
    this.#doc.transact(
      () => insertRecord(this.#map('manufacturing'), order.id, order),
      Origin.command,
    );
    return this.#manufacturing.get(order.id) ?? order;
  }

  /**
   * Confirms a manufacturing order.
   *
   * @throws {StoreError} `manufacturing-order-unknown`.
   * @throws {DomainError} The codes of `transitionManufacturingOrder`.
   */
  confirmManufacturingOrder(id: string): StoredManufacturingOrder {
    return this.#stepManufacturing(id, 'confirmed');
  }

  /**
   * Cancels a manufacturing order that is not done.
   *
   * @throws {StoreError} `manufacturing-order-unknown`.
   * @throws {DomainError} The codes of `transitionManufacturingOrder`.
   */
  cancelManufacturingOrder(id: string): StoredManufacturingOrder {
    return this.#stepManufacturing(id, 'cancelled');
  }

  /**
   * Books the production of a confirmed manufacturing order: the components picked (their lots
   * named for tracked ones) move into production, and the finished product comes out, under the
   * lot named `producedLot` when it is tracked (created when new). The link from component lots
   * to the finished lot is kept on the order, for the trace.
   *
   * @returns The done order.
   * @throws {StoreError} `manufacturing-order-unknown`, `bom-missing`, `stock-insufficient`
   *   when a pick is more than is on hand.
   * @throws {DomainError} The codes of `productionMoves`; nothing is written then.
   */
  produce(
    id: string,
    options: { picks?: readonly ComponentPick[]; producedLot?: string } = {},
  ): StoredManufacturingOrder {
    const order = this.#manufacturing.get(id);
    if (order === undefined) throw unknownManufacturing(id);
    const bom = this.#catalog.bom(order.bomId);
    if (bom === undefined) throw missingBom(order.productId);
    const product = this.#product(order.productId);
    const lotName = options.producedLot?.trim();
    const producedLotId =
      lotName === undefined || lotName === '' || product.tracking === 'none'
        ? lotName || undefined
        : lotIdOf(order.productId, lotName);
    const production = productionMoves(
      { ...order, producedLotId },
      bom,
      options.picks ?? [],
      { sourceId: order.locationId, destinationId: order.locationId },
      { products: this.#catalog.productMap(), units: this.#catalog.units(), at: Date.now() },
    );
    for (const move of production.moves) {
      if (move.destinationId !== VIRTUAL_LOCATION_IDS.production) continue;
      this.#stock.requireOnHand(move.productId, move.sourceId, move.lotId, move.quantity);
    }

    this.#doc.transact(() => {
      if (producedLotId !== undefined && lotName !== undefined) {
        this.#stock.ensureLot(order.productId, lotName);
      }
      this.#stock.recordDone(production.moves.map((move) => ({ ...move, origin: order.id })));
      const { state, componentLots, doneAt } = production.order;
      patchRecord(this.#record('manufacturing', id), {
        state,
        componentLots,
        producedLotId,
        doneAt,
      });
    }, Origin.command);
    return this.#manufacturing.get(id) ?? order;
  }

  // Commands: procurement

  /**
   * Plans what brings a quantity of a product to a location by a date, through the routes: moves,
   * a line in the vendor's draft purchase order, or a manufacturing order. The records' ids derive
   * from `cause`, so a cause planned twice, on one replica or two, is planned once.
   *
   * @param demand - What is needed, where and by when.
   * @param cause - What asks, such as a reorder proposal's id.
   * @returns What was planned and what could not be.
   * @throws {DomainError} The codes of `procure`, such as `route-loop`; nothing is written then.
   */
  procure(demand: Demand, cause: string): ProcurementResult {
    const writes = emptyWrites();
    this.#plan(writes, this.#procureContext(), { demand, cause, document: cause, buy: 'draft' });
    this.#doc.transact(() => this.#write(writes), Origin.command);
    this.#reserve([demand.productId]);
    return {
      moves: writes.moves.map((move) => move.id),
      purchases: [...new Set(writes.lines.map((line) => line.orderId))],
      manufacturing: writes.manufacturing.map((order) => order.id),
      unplanned: writes.unplanned,
    };
  }

  // Queries

  /** @returns The orders, of one kind or both, with their lines, ordered by id. */
  orders(kind?: OrderKind): OrderWithLines[] {
    return byId([...this.#orders.all().values()])
      .filter((order) => kind === undefined || order.kind === kind)
      .map((order) => this.#withLines(order.id));
  }

  /** @returns The order with its lines, if there is one. */
  order(id: string): OrderWithLines | undefined {
    return this.#orders.get(id) === undefined ? undefined : this.#withLines(id);
  }

  /** @returns The pickings, of an order or all, with their open moves, ordered by id. */
  pickings(filter: { orderId?: string } = {}): PickingWithMoves[] {
    const moves = this.#movesByOrigin();
    return byId([...this.#pickings.all().values()])
      .filter((picking) => filter.orderId === undefined || picking.orderId === filter.orderId)
      .map((picking) => ({ ...picking, moves: moves.get(picking.id) ?? [] }));
  }

  /** @returns The manufacturing orders, ordered by id. */
  manufacturingOrders(): StoredManufacturingOrder[] {
    return byId([...this.#manufacturing.all().values()]);
  }

  /**
   * What is being supplied to a location that the stock does not count yet: lines of draft
   * purchase orders received there, and manufacturing orders not done that put products there.
   * The reorder rules add it to the forecast, so that a proposal ordered is not ordered again.
   *
   * @returns The quantity, in the product's unit.
   */
  pendingSupply(productId: string, locationId: string): Decimal {
    const tree = this.#catalog.locationTree();
    const product = this.#catalog.product(productId);
    if (product === undefined) return '0';
    let supply = '0';
    for (const part of this.#supply.of(productId)) {
      if (!tree.isWithin(part.locationId, locationId)) continue;
      supply = add(supply, this.#inProductUnit(part.quantity, part.unitId, product));
    }
    return supply;
  }

  /** Follows a line: it supplies while its order is a draft and it names where it arrives. */
  #lineSupply(id: string): void {
    const line = this.#lines.get(id);
    const before = this.#lineOrder.get(id);
    if (before !== line?.orderId) {
      if (before !== undefined) this.#orderLines.get(before)?.delete(id);
      this.#lineOrder.delete(id);
      if (line !== undefined) {
        this.#lineOrder.set(id, line.orderId);
        const lines = this.#orderLines.get(line.orderId);
        if (lines === undefined) this.#orderLines.set(line.orderId, new Set([id]));
        else lines.add(id);
      }
    }
    const supplies =
      line?.locationId !== undefined && this.#orders.get(line.orderId)?.state === 'rfq';
    this.#supply.set(
      `line:${id}`,
      supplies ? { ...line, locationId: line.locationId ?? '' } : undefined,
    );
  }

  /** Follows a manufacturing order: it supplies until it is done or cancelled. */
  #manufacturingSupply(id: string): void {
    const order = this.#manufacturing.get(id);
    const open = order !== undefined && order.state !== 'done' && order.state !== 'cancelled';
    const unitId = order === undefined ? '' : this.#catalog.product(order.productId)?.unitId;
    this.#supply.set(`mo:${id}`, open && unitId !== undefined ? { ...order, unitId } : undefined);
  }

  /**
   * The trace of a lot: where it came from (vendors, receipts, the component lots of the
   * manufacturing orders that made it) and where it went (the orders it went into, deliveries,
   * customers, returns), over the done moves of every period.
   *
   * @returns The graph: lots, moves, documents (pickings and manufacturing orders) and partners.
   * @throws {DomainError} The codes of `traceLot`, such as `trace-lot-unknown`.
   */
  async traceLot(lotId: string, direction: TraceDirection): Promise<TraceGraph> {
    const links: TraceLink[] = [];
    for (const order of this.#manufacturing.all().values()) {
      if (order.state !== 'done') continue;
      const components = (order.componentLots ?? []).flatMap((pick) => pick.lotId ?? []);
      links.push({
        orderId: order.id,
        componentLotIds: [...new Set(components)].sort(),
        producedLotId: order.producedLotId,
      });
    }
    const lots = relatedLots(lotId, direction, links);
    const moves = (await Promise.all([...lots].map((id) => this.#stock.lotMoves(id)))).flat();
    return traceLot(lotId, direction, {
      moves,
      tree: this.#catalog.locationTree(),
      documents: (origin) => this.#traceDocument(origin),
      lots: this.#stock.lots(),
      links,
      partnerName: (partnerId) => this.#catalog.partner(partnerId)?.name,
    });
  }

  /**
   * Calls `listener` after every change of the orders, pickings or manufacturing orders, local or
   * remote.
   *
   * @returns A function that stops the calls.
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @returns The partners as procurement and the replenishment exceptions read them. */
  addressBook(): ReadonlyMap<string, { name: string; address?: string | undefined }> {
    return new Map(
      this.#catalog.partners().map((partner) => [
        partner.id,
        {
          name: partner.name,
          address: hasAddress(partner) ? addressText(partner.address) : undefined,
        },
      ]),
    );
  }

  // Internals: planning

  #plan(writes: Writes, context: ProcureContextWithRoutes, procurement: Procurement): void {
    const { demand, cause, document } = procurement;
    const plan = procure(demand, context);
    writes.unplanned.push(...plan.unreached);
    let previous: { id: string; open: boolean } | undefined;
    for (const step of plan.steps) {
      if (step.kind === 'buy') {
        previous =
          procurement.buy === 'draft'
            ? this.#addToDraft(writes, step.productId, step.quantity, step.locationId, cause)
            : this.#receive(writes, procurement.buy.order, procurement.buy.line, step.locationId);
        if (previous === undefined)
          writes.unplanned.push({ ...demand, locationId: step.locationId });
        continue;
      }
      if (step.kind === 'manufacture') {
        previous = this.#planManufacturing(
          writes,
          step.productId,
          step.quantity,
          step.locationId,
          cause,
          demand.origin,
        );
        if (previous === undefined)
          writes.unplanned.push({ ...demand, locationId: step.locationId });
        continue;
      }
      const rule = context.rulesById.get(step.ruleId);
      const pickingId = `${document}:${step.ruleId}`;
      if (!writes.pickings.has(pickingId) && this.#pickings.get(pickingId) === undefined) {
        writes.pickings.set(pickingId, {
          id: pickingId,
          operation: rule?.operation ?? 'internal',
          sourceId: step.sourceId,
          destinationId: rule?.destinationId ?? step.destinationId,
          state: 'open',
          date: step.date,
          orderId: this.#orders.get(document) === undefined ? undefined : document,
          partnerId: procurement.partnerId,
          warehouseId: demand.warehouseId,
        });
      }
      const id = `${pickingId}:${cause}`;
      writes.moves.push({
        id,
        productId: step.productId,
        quantity: step.quantity,
        sourceId: step.sourceId,
        destinationId: step.destinationId,
        date: step.date,
        origin: pickingId,
        chainedFrom: previous === undefined ? undefined : [previous.id],
        state: previous?.open === true ? 'waiting' : 'confirmed',
      });
      previous = { id, open: true };
    }
  }

  /** Adds a need to the vendor's draft purchase order; the receipt it will get is returned. */
  #addToDraft(
    writes: Writes,
    productId: string,
    quantity: Decimal,
    locationId: string,
    cause: string,
  ): { id: string; open: boolean } | undefined {
    const product = this.#product(productId);
    const purchaseUnitId = product.purchaseUnitId ?? product.unitId;
    const purchaseQuantity = this.#convert(quantity, product.unitId, purchaseUnitId);
    const vendor = chooseVendor(product, purchaseQuantity);
    if (vendor === undefined) return undefined;

    const purchases = [
      ...[...this.#orders.all().values()].filter((order) => order.kind === 'purchase'),
      ...writes.orders.values(),
    ].flatMap((order) => (order.kind === 'purchase' ? [{ ...order, lines: [] }] : []));
    const { order: draft, created } = draftPurchaseFor(vendor.partnerId, purchases, Date.now());
    const warehouse = this.#warehouseOf(locationId);
    if (created && !writes.orders.has(draft.id)) {
      writes.orders.set(draft.id, {
        id: draft.id,
        kind: 'purchase',
        partnerId: draft.partnerId,
        state: 'rfq',
        warehouseId: warehouse.id,
        date: draft.date,
      });
    }
    const line = validateOrderLine({
      id: `${draft.id}/${cause}`,
      productId,
      quantity: purchaseQuantity,
      unitId: purchaseUnitId,
      price: vendor.price,
    });
    writes.lines.push({ ...line, orderId: draft.id, origin: cause, locationId });
    return { id: `in:${draft.id}/${cause}`, open: true };
  }

  /** Plans the receipt of a purchase line at a location: from the vendors, confirmed. */
  #receive(
    writes: Writes,
    order: StoredOrder,
    line: StoredOrderLine,
    locationId: string,
  ): { id: string; open: boolean } {
    const pickingId = `${order.id}:receipt:${locationId}`;
    if (!writes.pickings.has(pickingId)) {
      writes.pickings.set(pickingId, {
        id: pickingId,
        operation: 'receipt',
        sourceId: VENDORS,
        destinationId: locationId,
        state: 'open',
        date: order.plannedDate ?? Date.now(),
        orderId: order.id,
        partnerId: order.partnerId,
        warehouseId: order.warehouseId,
      });
    }
    const id = `in:${line.id}`;
    writes.moves.push({
      id,
      productId: line.productId,
      quantity: line.quantity,
      unitId: line.unitId,
      sourceId: VENDORS,
      destinationId: locationId,
      date: order.plannedDate ?? Date.now(),
      origin: pickingId,
      state: 'confirmed',
    });
    return { id, open: true };
  }

  /**
   * Plans the receipt of a purchase line: into where procurement asked for it, whose next steps
   * were planned with the line; else through the receipt steps of the order's warehouse.
   */
  #planReceipt(
    writes: Writes,
    context: ProcureContextWithRoutes,
    order: StoredOrder,
    line: StoredOrderLine,
    quantity: Decimal,
    now: number,
  ): void {
    if (line.locationId !== undefined) {
      this.#receive(writes, order, line, line.locationId);
      return;
    }
    const warehouse = this.#warehouse(order.warehouseId);
    const buyRoute = `${warehouse.id}/route/buy`;
    this.#plan(writes, context, {
      cause: line.id,
      document: order.id,
      partnerId: order.partnerId,
      buy: { order, line },
      demand: {
        productId: line.productId,
        quantity,
        locationId: warehouse.stockLocationId,
        date: order.plannedDate ?? now,
        origin: order.id,
        warehouseId: warehouse.id,
        routeIds: [buyRoute],
      },
    });
  }

  #planManufacturing(
    writes: Writes,
    productId: string,
    quantity: Decimal,
    locationId: string,
    cause: string,
    origin: string | undefined,
  ): { id: string; open: boolean } | undefined {
    const bom = bomFor(productId, this.#catalog.boms());
    if (bom === undefined) return undefined;
    const order = this.#manufacturingOrder(`mo:${cause}`, {
      productId,
      quantity,
      bomId: bom.id,
      locationId,
      origin: origin ?? cause,
    });
    writes.manufacturing.push(order);
    return { id: `${order.id}:produce`, open: false };
  }

  /** Writes what a command gathered, leaving records that exist already as they are. */
  #write(writes: Writes): void {
    for (const order of writes.orders.values()) {
      if (!this.#map('orders').has(order.id)) insertRecord(this.#map('orders'), order.id, order);
    }
    for (const line of writes.lines) {
      const map = this.#map('orderLines');
      if (!map.has(line.id)) insertRecord(map, line.id, line);
    }
    for (const order of writes.manufacturing) {
      const map = this.#map('manufacturing');
      if (!map.has(order.id)) insertRecord(map, order.id, order);
    }
    for (const picking of writes.pickings.values()) {
      const map = this.#map('pickings');
      if (!map.has(picking.id)) insertRecord(map, picking.id, { ...picking, done: undefined });
    }
    if (writes.moves.length > 0) this.#stock.planMoves(writes.moves);
  }

  /** After a validation: pushes, rental returns. */
  #followUp(
    picking: Picking,
    done: readonly BookedMove[],
    writes: Writes,
    context: RouteContext,
  ): void {
    const continued = new Set(
      this.#stock
        .openMoves()
        .flatMap((move) => (isOpenMove(move.state) ? (move.chainedFrom ?? []) : [])),
    );
    const pushId = `${picking.id}:push`;
    for (const move of done) {
      const pushed = pushFor(move, {
        ...context,
        continued: () => continued.has(move.plannedId) || continued.has(move.id),
      });
      if (pushed !== undefined) {
        if (!writes.pickings.has(pushId)) {
          const warehouse = this.#catalog
            .warehouses()
            .find((candidate) => candidate.qualityLocationId === pushed.destinationId);
          writes.pickings.set(pushId, {
            id: pushId,
            operation: warehouse === undefined ? 'internal' : 'quality',
            sourceId: pushed.sourceId,
            destinationId: pushed.destinationId,
            state: 'open',
            date: pushed.date,
            orderId: picking.orderId,
            warehouseId: picking.warehouseId,
          });
        }
        writes.moves.push({ ...pushed, origin: pushId, state: 'confirmed' });
      }
      this.#planRentalReturn(picking, move, writes);
    }
  }

  #planRentalReturn(picking: Picking, move: BookedMove, writes: Writes): void {
    if (picking.orderId === undefined || move.destinationId !== CUSTOMERS) return;
    const line = [...this.#lines.all().values()].find(
      (candidate) =>
        candidate.orderId === picking.orderId && move.plannedId.endsWith(`:${candidate.id}`),
    );
    if (line?.rentalEnd === undefined) return;
    const warehouse = this.#warehouse(picking.warehouseId);
    const back = rentalReturn(move, line.rentalEnd, warehouse);
    const pickingId = `${picking.id}:rental`;
    writes.pickings.set(pickingId, {
      id: pickingId,
      operation: 'return',
      sourceId: back.sourceId,
      destinationId: back.destinationId,
      state: 'open',
      date: back.date,
      orderId: picking.orderId,
      partnerId: picking.partnerId,
      warehouseId: warehouse.id,
      returnOf: picking.id,
    });
    writes.moves.push({ ...back, origin: pickingId, state: 'confirmed' });
  }

  /** Marks an order done once none of its pickings is open. */
  #closeOrder(orderId: string | undefined): void {
    if (orderId === undefined) return;
    const order = this.#orders.get(orderId);
    if (order === undefined || (order.state !== 'sale' && order.state !== 'purchase')) return;
    const open = [...this.#pickings.all().values()].some(
      (picking) => picking.orderId === orderId && picking.state === 'open',
    );
    if (open) return;
    const done = transitionOrder({ ...order, lines: [] }, 'done', Date.now());
    patchRecord(this.#record('orders', orderId), { state: done.state });
  }

  // Internals: validation

  #validationParts(
    move: Move,
    picks: readonly ValidationPick[] | undefined,
  ): { parts?: MovePart[] | undefined; book: boolean; left: Decimal } {
    const product = this.#product(move.productId);
    const leaves = this.#leavesStock(move);
    const held = (move.reservation?.lines ?? []).reduce(
      (sum, line) => add(sum, line.quantity),
      '0',
    );
    if (picks === undefined) {
      if (!leaves && product.tracking !== 'none' && move.lotId === undefined) {
        validateLinePicks(product, move.quantity, [{ quantity: move.quantity }]);
      }
      const booked = leaves && this.#storable(product) ? held : move.quantity;
      if (compare(booked, '0') <= 0) return { book: false, left: move.quantity };
      return {
        parts: leaves ? undefined : [{ quantity: booked }],
        book: true,
        left: subtract(move.quantity, booked),
      };
    }
    const parts = picks.map((pick) => ({
      quantity: String(pick.quantity),
      lotId:
        pick.lotId ??
        (pick.lotName === undefined
          ? undefined
          : this.#pickedLot(move, product, pick.lotName, leaves)),
      locationId: pick.locationId,
    }));
    const total = validateLinePicks(product, leaves ? held : move.quantity, parts);
    return { parts, book: true, left: subtract(move.quantity, total) };
  }

  #pickedLot(move: Move, product: Product, name: string, leaves: boolean): string {
    const id = lotIdOf(product.id, name.trim());
    if (this.#stock.lots(product.id).some((lot) => lot.id === id)) return id;
    if (leaves) {
      throw new StoreError<OperationsErrorCode>(
        'lot-unknown',
        `"${product.name}" has no lot "${name}" to take for move "${move.id}"; pick one in stock`,
      );
    }
    return this.#stock.ensureLot(product.id, name.trim()).id;
  }

  /** The done ids each validated planned move booked, from the pickings' records. */
  #doneIds(): Map<string, string[]> {
    const ids = new Map<string, string[]>();
    for (const picking of this.#pickings.all().values()) {
      for (const move of picking.done ?? []) {
        ids.set(move.plannedId, [...(ids.get(move.plannedId) ?? []), move.id]);
      }
    }
    return ids;
  }

  // Internals: reservation

  #reserveLater(productIds: ReadonlySet<string>): void {
    const first = this.#touched.size === 0;
    for (const id of productIds) this.#touched.add(id);
    if (first) queueMicrotask(() => this.#reserve([...this.#touched]));
  }

  /**
   * Reserves the confirmed moves of pickings that leave stock where stock of their product is
   * available: the same plan on every replica that sees the same stock.
   */
  #reserve(productIds: Iterable<string>): void {
    const products = new Set(productIds);
    this.#touched.clear();
    if (this.#reserving || products.size === 0) return;
    this.#reserving = true;
    try {
      for (const move of this.#stock.openMoves()) {
        if (move.state !== 'confirmed' || !products.has(move.productId)) continue;
        if (move.origin === undefined || this.#pickings.get(move.origin) === undefined) continue;
        if (!this.#leavesStock(move) || !this.#storable(this.#product(move.productId))) continue;
        const held = (move.reservation?.lines ?? []).reduce(
          (sum, line) => add(sum, line.quantity),
          '0',
        );
        const { available } = this.#stock.quantities(move.productId, move.sourceId);
        if (compare(available, '0') > 0 && compare(held, move.quantity) < 0) {
          this.#stock.reserveMove(move.id, { onlyMore: true });
        }
      }
    } finally {
      this.#reserving = false;
    }
  }

  // Internals: lookups

  #procureContext(): ProcureContextWithRoutes {
    const context = this.#catalog.routeContext();
    return {
      ...context,
      rulesById: new Map(
        context.routes.flatMap((route) => route.rules.map((rule) => [rule.id, rule])),
      ),
      available: (productId, locationId) => this.#stock.quantities(productId, locationId).available,
    };
  }

  #line(order: StoredOrder, id: string, input: OrderLineInput): StoredOrderLine {
    const product = this.#product(input.productId);
    const unitId =
      input.unitId ??
      (order.kind === 'purchase' ? product.purchaseUnitId : undefined) ??
      product.unitId;
    const vendorPrice = product.vendors.find((offer) => offer.partnerId === order.partnerId)?.price;
    const price =
      input.price ??
      (order.kind === 'sale' ? product.salePrice : (vendorPrice ?? product.cost)) ??
      '0';
    const line = validateOrderLine(
      { id, productId: input.productId, quantity: input.quantity, unitId, price },
      { products: this.#catalog.productMap(), units: this.#catalog.units() },
    );
    return {
      ...line,
      orderId: order.id,
      ...(input.rentalEnd !== undefined && { rentalEnd: input.rentalEnd }),
    };
  }

  #withLines(id: string): OrderWithLines {
    const order = this.#orders.get(id);
    if (order === undefined) {
      throw new StoreError<OperationsErrorCode>('order-unknown', `no order has the id "${id}"`);
    }
    const lines = byId([...this.#lines.all().values()].filter((line) => line.orderId === id));
    return { ...order, lines };
  }

  #draftOrder(id: string): StoredOrder {
    const order = this.#withLines(id);
    if (order.state !== 'quotation' && order.state !== 'rfq') {
      throw new StoreError<OperationsErrorCode>(
        'order-not-draft',
        `order "${id}" is ${order.state}; only a quotation or a request for quotation changes`,
      );
    }
    return order;
  }

  #openPicking(id: string): PickingWithMoves {
    const picking = this.#picking(id);
    if (picking.state !== 'open') {
      throw new StoreError<OperationsErrorCode>(
        'picking-closed',
        `picking "${id}" is ${picking.state} already`,
      );
    }
    return picking;
  }

  #picking(id: string): PickingWithMoves {
    const picking = this.#pickings.get(id);
    if (picking === undefined) throw unknownPicking(id);
    return { ...picking, moves: this.#movesByOrigin().get(id) ?? [] };
  }

  #movesByOrigin(): Map<string, Move[]> {
    const moves = new Map<string, Move[]>();
    for (const move of this.#stock.openMoves()) {
      if (move.origin === undefined || !isOpenMove(move.state)) continue;
      const list = moves.get(move.origin);
      if (list === undefined) moves.set(move.origin, [move]);
      else list.push(move);
    }
    return moves;
  }

  #manufacturingOrder(id: string, input: ManufacturingInput): StoredManufacturingOrder {
    this.#product(input.productId);
    const bomId = input.bomId ?? bomFor(input.productId, this.#catalog.boms())?.id;
    if (bomId === undefined || this.#catalog.bom(bomId) === undefined)
      throw missingBom(input.productId);
    return {
      id,
      productId: input.productId,
      quantity: String(input.quantity),
      bomId,
      state: 'draft',
      date: Date.now(),
      locationId: input.locationId ?? this.#warehouse(undefined).stockLocationId,
      ...(input.origin !== undefined && { origin: input.origin }),
    };
  }

  #stepManufacturing(id: string, to: 'confirmed' | 'cancelled'): StoredManufacturingOrder {
    const order = this.#manufacturing.get(id);
    if (order === undefined) throw unknownManufacturing(id);
    const next = transitionManufacturingOrder(order, to);
    this.#doc.transact(
      () => patchRecord(this.#record('manufacturing', id), { state: next.state }),
      Origin.command,
    );
    return this.#manufacturing.get(id) ?? { ...order, state: next.state };
  }

  #traceDocument(origin: string): TraceDocument | undefined {
    const picking = this.#pickings.get(origin);
    if (picking !== undefined) {
      return { id: picking.id, kind: picking.operation, partnerId: picking.partnerId };
    }
    if (this.#manufacturing.get(origin) !== undefined) return { id: origin, kind: 'manufacturing' };
    return undefined;
  }

  #warehouse(id: string | undefined): Warehouse {
    const warehouses = this.#catalog.warehouses();
    const warehouse = id === undefined ? warehouses[0] : warehouses.find((w) => w.id === id);
    if (warehouse === undefined) {
      throw new StoreError<OperationsErrorCode>(
        'warehouse-unknown',
        id === undefined
          ? 'the workspace has no warehouse yet; create one first'
          : `no warehouse has the id "${id}"`,
      );
    }
    return warehouse;
  }

  #warehouseOf(locationId: string): Warehouse {
    const tree = this.#catalog.locationTree();
    return (
      this.#catalog.warehouses().find((w) => tree.isWithin(locationId, w.viewLocationId)) ??
      this.#warehouse(undefined)
    );
  }

  #product(id: string): Product {
    const product = this.#catalog.product(id);
    if (product === undefined) {
      throw new StoreError<OperationsErrorCode>('product-unknown', `no product has the id "${id}"`);
    }
    return product;
  }

  #storable(product: Product): boolean {
    return product.type === 'storable';
  }

  #leavesStock(move: Move): boolean {
    const tree = this.#catalog.locationTree();
    return tree.descendants(move.sourceId).some((location) => tree.internal(location));
  }

  #inProductUnit(quantity: Decimal, unitId: string, product: Product): Decimal {
    return this.#convert(quantity, unitId, product.unitId);
  }

  #convert(quantity: Decimal, from: string, to: string): Decimal {
    if (from === to) return quantity;
    return convertQuantity(quantity, this.#catalog.unit(from), this.#catalog.unit(to));
  }

  #record(map: OperationsMap, id: string): Y.Map<unknown> {
    return this.#map(map).get(id) as Y.Map<unknown>;
  }

  #map(name: OperationsMap): RecordMap {
    return this.#doc.getMap(name);
  }
}

type OperationsMap = 'orders' | 'orderLines' | 'pickings' | 'manufacturing';

type ProcureContextWithRoutes = Parameters<typeof procure>[1] & {
  rulesById: ReadonlyMap<string, RouteContext['routes'][number]['rules'][number]>;
};

function emptyWrites(): Writes {
  return {
    pickings: new Map(),
    moves: [],
    orders: new Map(),
    lines: [],
    manufacturing: [],
    unplanned: [],
  };
}

/** The part of a move a backorder carries on. */
function carried(move: Move, pickingId: string) {
  return {
    id: `${move.id}:bo`,
    productId: move.productId,
    sourceId: move.sourceId,
    destinationId: move.destinationId,
    lotId: move.lotId,
    date: move.date,
    origin: pickingId,
    chainedFrom: move.chainedFrom,
    state: 'confirmed' as const,
  };
}

/** The lots whose moves a trace may reach through manufacturing. */
function relatedLots(lotId: string, direction: TraceDirection, links: readonly TraceLink[]) {
  const lots = new Set([lotId]);
  const walk = (
    from: (link: TraceLink) => readonly string[],
    to: (link: TraceLink) => readonly string[],
  ) => {
    const queue = [lotId];
    for (let lot = queue.pop(); lot !== undefined; lot = queue.pop()) {
      for (const link of links) {
        if (!from(link).includes(lot)) continue;
        for (const next of to(link)) {
          if (lots.has(next)) continue;
          lots.add(next);
          queue.push(next);
        }
      }
    }
  };
  const produced = (link: TraceLink) =>
    link.producedLotId === undefined ? [] : [link.producedLotId];
  const components = (link: TraceLink) => link.componentLotIds;
  if (direction !== 'upstream') walk(components, produced);
  if (direction !== 'downstream') walk(produced, components);
  return lots;
}

function addressText(address: PartnerAddress | undefined): string {
  return [address?.street, address?.zip, address?.city, address?.country]
    .filter((part) => part !== undefined && part.trim() !== '')
    .join(', ');
}

function unknownPicking(id: string) {
  return new StoreError<OperationsErrorCode>('picking-unknown', `no picking has the id "${id}"`);
}

function unknownManufacturing(id: string) {
  return new StoreError<OperationsErrorCode>(
    'manufacturing-order-unknown',
    `no manufacturing order has the id "${id}"`,
  );
}

function missingBom(productId: string) {
  return new StoreError<OperationsErrorCode>(
    'bom-missing',
    `product "${productId}" has no bill of materials; create one before manufacturing it`,
  );
}
