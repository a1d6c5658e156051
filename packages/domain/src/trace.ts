import { compare, decimal, type Decimal } from './decimal.js';
import { DomainError } from './errors.js';
import type { LocationTree } from './location.js';
import type { Lot, Move } from './model.js';

// A trace answers a recall: where did this lot come from, and where did it go? It is derived
// from done moves alone, which are immutable facts, and every order it depends on is sorted by
// ids, so that every replica holding the same moves draws the same graph.

/** Which way a trace walks from its lot: towards the vendors, towards the customers, or both. */
export type TraceDirection = 'upstream' | 'downstream' | 'both';

/** Codes of the errors that {@link traceLot} throws. */
export type TraceErrorCode =
  'trace-direction-unknown' | 'trace-lot-unknown' | 'trace-move-duplicate';

/** The kinds of document a move's origin names; other kinds are kept as the store names them. */
export type TraceDocumentKind =
  | 'receipt'
  | 'delivery'
  | 'sale'
  | 'purchase'
  | 'manufacturing'
  | 'return'
  | 'count'
  | (string & Record<never, never>);

/** The document a move's origin names, as the store knows it. */
export interface TraceDocument {
  readonly id: string;
  readonly kind: TraceDocumentKind;
  /** The vendor or customer the document was made with. */
  readonly partnerId?: string | undefined;
  /** What people call it, such as `WH/IN/00012`; the move's origin labels it when absent. */
  readonly name?: string | undefined;
}

/**
 * What one manufacturing order consumed and produced, as booking production records it: the
 * component lots that went in and the lot that came out.
 */
export interface TraceLink {
  readonly orderId: string;
  readonly componentLotIds: readonly string[];
  /** Absent when the finished product is not tracked. */
  readonly producedLotId?: string | undefined;
}

/** What a trace is computed from. */
export interface TraceData {
  /**
   * The done moves of the lots concerned, in any order, as the stock store's `movesOfLot` returns
   * them for each lot. Moves in other states are skipped: a trace only speaks of what happened.
   */
  readonly moves: readonly Move[];
  /** The workspace's locations, for their usage and names. */
  readonly tree: LocationTree;
  /** Finds the document a move's origin names; `undefined` when there is none. */
  readonly documents: (origin: string) => TraceDocument | undefined;
  /** Lots, for their names; a lot missing here is labelled with its id. */
  readonly lots: readonly Lot[];
  /** Which component lots each manufacturing order turned into which finished lot. */
  readonly links: readonly TraceLink[];
  /** Finds a partner's name; the partner's id labels it when absent or unknown. */
  readonly partnerName?: ((partnerId: string) => string | undefined) | undefined;
}

/** A lot or serial number the trace passes through. */
export interface LotTraceNode {
  readonly kind: 'lot';
  /** `lot:<lot id>`. */
  readonly id: string;
  /** The lot's name. */
  readonly label: string;
  readonly lotId: string;
  readonly productId?: string | undefined;
}

/** A done move of the trace. */
export interface MoveTraceNode {
  readonly kind: 'move';
  /** `move:<move id>`. */
  readonly id: string;
  /** Where it went: `WH/Stock → Partners/Customers`. */
  readonly label: string;
  readonly moveId: string;
  readonly productId: string;
  readonly lotId?: string | undefined;
  /** In the product's unit. */
  readonly quantity: Decimal;
  readonly sourceId: string;
  readonly destinationId: string;
  /** When it was done. */
  readonly date: number;
  readonly origin?: string | undefined;
}

/** A receipt, delivery, manufacturing order or other document that moved goods of the trace. */
export interface DocumentTraceNode {
  readonly kind: 'document';
  /** `document:<document id>`. */
  readonly id: string;
  /** The document's name, else the origin its moves name. */
  readonly label: string;
  readonly documentId: string;
  readonly documentKind: TraceDocumentKind;
}

/** A vendor where the trace starts or a customer where it ends. */
export interface PartnerTraceNode {
  readonly kind: 'partner';
  /** `partner:<partner id>`. */
  readonly id: string;
  /** The partner's name, else its id. */
  readonly label: string;
  readonly partnerId: string;
}

/** A node of a trace graph. */
export type TraceNode = LotTraceNode | MoveTraceNode | DocumentTraceNode | PartnerTraceNode;

/** The kinds of node a trace graph has. */
export type TraceNodeKind = TraceNode['kind'];

/** A step of the flow of goods, from where they were to where they went. */
export interface TraceEdge {
  readonly from: string;
  readonly to: string;
  /**
   * The most that can have gone along the edge, in the product's unit: the smaller of two moves
   * of one product, or the move's quantity next to a lot or document. Absent where no single
   * product applies, as between a partner and a document or a component and a finished move.
   */
  readonly quantity?: Decimal | undefined;
}

/** The trace of a lot: nodes sorted by id, edges sorted by where they come from, then go to. */
export interface TraceGraph {
  readonly nodes: readonly TraceNode[];
  readonly edges: readonly TraceEdge[];
}

/**
 * The id of a node of a trace graph: the kind, a colon and the record's id.
 *
 * @param kind - What the node stands for.
 * @param id - The id of the lot, move, document or partner.
 * @returns Such as `'lot:L-0042'`; the lot a trace starts from is `traceNodeId('lot', lotId)`.
 */
export function traceNodeId(kind: TraceNodeKind, id: string): string {
  return `${kind}:${id}`;
}

/**
 * Traces a lot through the done moves: where it came from (upstream), where it went
 * (downstream), or both.
 *
 * Every done move of the lot is part of its trace. From there the walk goes, move by move:
 * - upstream to the moves a move was chained from, and to the moves that brought the same lot to
 *   its source location earlier; downstream to the moves chained from it, and to the moves that
 *   took the same lot from its destination later;
 * - through a location only since that location last ran out of the lot, as the done moves add
 *   up (arrivals count before departures at one instant): units that left cannot leave again;
 * - never through a vendor or customer location, which is everyone's: upstream ends at vendors,
 *   downstream at customers, and a return is found as a move chained from what it returns;
 * - across manufacturing: upstream from a move of the finished lot that its order produced to
 *   the component lots' moves for that order, downstream from a component lot's moves for the
 *   order to the finished lot's moves for it. When a lot has no move naming the order, any of
 *   its moves leads across, and all of the other lot's moves are taken.
 *
 * Each move is walked once per direction, so cycles in the data end. `both` is the union of the
 * two walks, never the moves upstream of what lies downstream.
 *
 * The graph follows the flow of goods: vendor → document → move where goods come in,
 * move → document → customer where they go out, component move → manufacturing order →
 * finished move, and move → move along chains and through locations. A lot's node stands after
 * the moves that bring it into the trace and leads to the moves that carry it on. Documents
 * appear where goods cross the boundary of internal locations; partners only as vendors
 * upstream of a document that brought goods from a supplier location and customers downstream
 * of one that took goods to a customer location.
 *
 * Limits: a departure is linked to every arrival since its location last ran out of the lot,
 * so a lot that keeps arriving and leaving a location without ever running out there gives as
 * many edges as pairs of such moves.
 *
 * @param lotId - The lot or serial number to trace.
 * @param direction - `'upstream'`, `'downstream'` or `'both'`.
 * @param data - The done moves, locations, documents, lots and manufacturing links.
 * @returns The nodes (lots, moves, documents, partners) and edges of the trace, sorted.
 * @throws {DomainError} `trace-direction-unknown` for another direction, `trace-lot-unknown`
 *   when no lot, move or manufacturing link names the lot, `trace-move-duplicate` when two moves
 *   have one id.
 * @example
 * ```ts
 * const moves = (await Promise.all(lotIds.map((id) => stock.movesOfLot(id)))).flat();
 * const { nodes } = traceLot('lot-flour-7', 'downstream', {
 *   moves,
 *   tree,
 *   documents: (origin) => documentsByOrigin.get(origin),
 *   lots,
 *   links: productionLinks,
 * });
 * const customers = nodes.filter((node) => node.kind === 'partner'); // to call back
 * ```
 */
export function traceLot(lotId: string, direction: TraceDirection, data: TraceData): TraceGraph {
  if (direction !== 'upstream' && direction !== 'downstream' && direction !== 'both') {
    throw new DomainError<TraceErrorCode>(
      'trace-direction-unknown',
      `"${String(direction)}" is no trace direction; use "upstream", "downstream" or "both"`,
    );
  }
  const index = new TraceIndex(data);
  if (!index.knows(lotId)) {
    throw new DomainError<TraceErrorCode>(
      'trace-lot-unknown',
      `no lot, move or manufacturing order names the lot "${lotId}"; ` +
        'pass the moves and lots of the lot to trace',
    );
  }

  const reach: Reach = {
    moves: new Uint8Array(index.size),
    lots: new Set([lotId]),
    links: new Set(),
  };
  if (direction !== 'downstream') walk(index, lotId, 'upstream', reach);
  if (direction !== 'upstream') walk(index, lotId, 'downstream', reach);

  return drawGraph(index, reach, data);
}

/** What the walks reached: moves by their number in the index, lots, and the links crossed. */
interface Reach {
  /** 1 at the number of each move a walk reached. */
  readonly moves: Uint8Array;
  readonly lots: Set<string>;
  readonly links: Set<TraceLink>;
}

/**
 * A stay of a lot at a location: from an arrival that finds the location without the lot until
 * the done moves take all of it away again. A departure can only take what arrived in its stay.
 * The arrivals of a stay follow each other in its time line, and so do its departures: a stay is
 * where its runs start and how long they are, not a copy of them.
 */
interface Stay {
  /** The time line's arrivals and departures, earliest first, by move number. */
  readonly line: TimeLine;
  readonly firstArrival: number;
  readonly firstDeparture: number;
  arrivalCount: number;
  departureCount: number;
}

/** The moves of one lot into and out of one location, by number. */
interface TimeLine {
  readonly arrivals: number[];
  readonly departures: number[];
}

/** No move, stay or count. */
const NONE = -1;
const NO_MOVES: readonly number[] = [];
const NO_LINKS: readonly TraceLink[] = [];
const NO_ORDER_MOVES: ReadonlySet<number> = new Set();

/**
 * The moves of one call, indexed once so that every step of the walk is a lookup. Each done move
 * gets a number, its place in {@link TraceIndex.moves}, and the walks work on numbers and arrays,
 * which are much cheaper than maps on a lot with thousands of moves.
 */
class TraceIndex {
  readonly moves: readonly Move[];
  /** The ids of the moves as given, done or not. */
  readonly #givenIds: readonly string[];
  /** The places in `#givenIds`, in the order of the ids. */
  readonly #byId: Int32Array;
  /** By place among the moves given: the move's number, or {@link NONE} when it is not done. */
  readonly #numbers: Int32Array;
  /** Lots by number, in the order their first moves come, and each move's lot by number. */
  readonly #lotNumbers = new Map<string, number>();
  readonly #lotMoves: number[][] = [];
  readonly #lotOf: Int32Array;
  readonly #chainedFrom: (readonly number[])[];
  readonly #chainedTo: number[][] = [];
  readonly #stays: Stay[] = [];
  /** By move number: the stay it arrives in at its destination, and the departures before it. */
  readonly #arrivalStay: Int32Array;
  readonly #arrivalAfter: Int32Array;
  /** By move number: the stay it leaves its source from, and the arrivals before it. */
  readonly #departureStay: Int32Array;
  readonly #departureAfter: Int32Array;
  readonly #lotsNamed = new Set<string>();
  readonly #producing = new Map<string, TraceLink[]>();
  readonly #consuming = new Map<string, TraceLink[]>();
  readonly #documents = new Map<string, TraceDocument | undefined>();
  readonly #orderMoves = new Map<string, Map<string, Set<number>>>();
  readonly #placeNames = new Map<string, string>();
  /** Labels of moves by source, then destination. */
  readonly #routeNames = new Map<string, Map<string, string>>();
  readonly #data: TraceData;

  constructor(data: TraceData) {
    this.#data = data;
    // Sorted by id once, instead of a map by id: two moves with one id meet, a chain is found by
    // a binary search, and drawing takes the moves in this order.
    const given = data.moves;
    this.#givenIds = given.map((move) => move.id);
    this.#byId = sortIds(this.#givenIds);
    for (let at = 1; at < given.length; at++) {
      if (this.#idAt(at) === this.#idAt(at - 1)) throw duplicateMove(given);
    }

    // In the order given: the walks reach the same moves whatever the order, and drawing sorts.
    const moves: Move[] = [];
    this.#numbers = new Int32Array(given.length);
    given.forEach((move, place) => {
      if (move.lotId !== undefined) this.#lotsNamed.add(move.lotId);
      this.#numbers[place] = move.state === 'done' ? moves.length : NONE;
      if (move.state === 'done') moves.push(move);
    });
    this.moves = moves;
    for (const lot of data.lots) this.#lotsNamed.add(lot.id);

    this.#chainedFrom = moves.map((move, number) => this.#resolveChain(move, number));
    this.#chainedFrom.forEach((earlier, number) => {
      for (const from of earlier) (this.#chainedTo[from] ??= []).push(number);
    });
    this.#lotOf = new Int32Array(moves.length).fill(NONE);
    moves.forEach((move, number) => {
      if (move.lotId === undefined) return;
      let lot = this.#lotNumbers.get(move.lotId);
      if (lot === undefined) {
        lot = this.#lotMoves.length;
        this.#lotMoves.push([]);
        this.#lotNumbers.set(move.lotId, lot);
      }
      this.#lotOf[number] = lot;
      this.#lotMoves[lot]?.push(number);
    });

    this.#arrivalStay = new Int32Array(moves.length).fill(NONE);
    this.#arrivalAfter = new Int32Array(moves.length);
    this.#departureStay = new Int32Array(moves.length).fill(NONE);
    this.#departureAfter = new Int32Array(moves.length);
    this.#indexStays();

    for (const link of data.links) {
      for (const lotId of link.componentLotIds) listed(this.#consuming, lotId).push(link);
      if (link.producedLotId !== undefined) listed(this.#producing, link.producedLotId).push(link);
      for (const lotId of [...link.componentLotIds, link.producedLotId ?? []].flat()) {
        this.#lotsNamed.add(lotId);
      }
    }
  }

  /** The done moves a move names as chained from, once each, without itself. */
  #resolveChain(move: Move, number: number): readonly number[] {
    const ids = move.chainedFrom;
    if (ids === undefined || ids.length === 0) return NO_MOVES;
    const found: number[] = [];
    for (const id of ids) {
      const earlier = this.#numberOf(id);
      if (earlier !== NONE && earlier !== number && !found.includes(earlier)) found.push(earlier);
    }
    return found;
  }

  /** The id of the move at a place in the order of ids. */
  #idAt(at: number): string {
    return this.#givenIds[this.#byId[at] ?? NONE] ?? '';
  }

  /** The number of the done move with an id, found by halving; {@link NONE} when there is none. */
  #numberOf(id: string): number {
    let low = 0;
    let high = this.#byId.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = compareIds(this.#idAt(middle), id);
      if (order === 0) return this.#numbers[this.#byId[middle] ?? NONE] ?? NONE;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return NONE;
  }

  /** @returns The numbers of the done moves marked 1 in `marks`, in the order of their ids. */
  inIdOrder(marks: Uint8Array): Int32Array {
    const numbers = new Int32Array(marks.reduce((count, mark) => count + mark, 0));
    let next = 0;
    for (let at = 0; at < this.#byId.length; at++) {
      const number = this.#numbers[this.#byId[at] ?? NONE] ?? NONE;
      if (number !== NONE && marks[number] === 1) numbers[next++] = number;
    }
    return numbers;
  }

  /** The number of done moves. */
  get size(): number {
    return this.moves.length;
  }

  /** @returns The move with that number. */
  move(number: number): Move {
    const move = this.moves[number];
    if (move === undefined) throw new RangeError(`no move has the number ${number}`);
    return move;
  }

  /** Cuts each lot's time line at each location into stays. */
  #indexStays() {
    const lines = new Map<string, Map<string, TimeLine>>();
    const lineOf = (lotId: string, locationId: string) => {
      let byLocation = lines.get(lotId);
      if (byLocation === undefined) {
        byLocation = new Map();
        lines.set(lotId, byLocation);
      }
      let line = byLocation.get(locationId);
      if (line === undefined) {
        line = { arrivals: [], departures: [] };
        byLocation.set(locationId, line);
      }
      return line;
    };
    this.moves.forEach((move, number) => {
      if (move.lotId === undefined) return;
      if (this.#passable(move.destinationId)) {
        lineOf(move.lotId, move.destinationId).arrivals.push(number);
      }
      if (this.#passable(move.sourceId)) lineOf(move.lotId, move.sourceId).departures.push(number);
    });

    const earliest = (a: number, b: number) => byDate(this.move(a), this.move(b));
    for (const byLocation of lines.values()) {
      for (const line of byLocation.values()) {
        line.arrivals.sort(earliest);
        line.departures.sort(earliest);
        this.#cutStays(line);
      }
    }
  }

  /** Walks one time line, arrivals before departures at one instant, cutting it into stays. */
  #cutStays(line: TimeLine) {
    const { arrivals, departures } = line;
    let stay: Stay | undefined;
    const level = new Tally();
    let next = 0;
    let left = 0;
    const arrive = (number: number) => {
      if (stay === undefined || !level.positive) {
        const firstArrival = next;
        stay = { line, firstArrival, firstDeparture: left, arrivalCount: 0, departureCount: 0 };
        this.#stays.push(stay);
        level.reset();
      }
      this.#arrivalStay[number] = this.#stays.length - 1;
      this.#arrivalAfter[number] = stay.departureCount;
      stay.arrivalCount++;
      level.add(this.move(number).quantity, true);
    };

    for (; left < departures.length; left++) {
      const number = departures[left] ?? NONE;
      const date = this.move(number).date;
      for (let arrival = arrivals[next]; arrival !== undefined; arrival = arrivals[++next]) {
        if (this.move(arrival).date > date) break;
        arrive(arrival);
      }

      // A departure while the location is out of the lot took what the last stay left, as
      // after a merge of two devices that each shipped the last unit.
      if (stay === undefined) continue;
      this.#departureStay[number] = this.#stays.length - 1;
      this.#departureAfter[number] = stay.arrivalCount;
      stay.departureCount++;
      level.add(this.move(number).quantity, false);
    }
    for (let arrival = arrivals[next]; arrival !== undefined; arrival = arrivals[++next]) {
      arrive(arrival);
    }
  }

  /** Vendor and customer locations are everyone's: a lot is never followed through them. */
  #passable(locationId: string): boolean {
    const usage = this.#data.tree.usage(locationId);
    return usage !== 'supplier' && usage !== 'customer';
  }

  /** @returns `true` when a lot, a move or a manufacturing link names the lot. */
  knows(lotId: string): boolean {
    return this.#lotsNamed.has(lotId);
  }

  /** @returns The numbers of the done moves of a lot. */
  movesOf(lotId: string): readonly number[] {
    return this.#lotMoves[this.#lotNumbers.get(lotId) ?? NONE] ?? NO_MOVES;
  }

  /** @returns `true` when two moves moved one lot. */
  sameLot(a: number, b: number): boolean {
    const lot = this.#lotOf[a] ?? NONE;
    return lot !== NONE && lot === this.#lotOf[b];
  }

  /**
   * Calls `step` with each move a move was chained from and each move that brought its lot to
   * its source in its stay there, once each. Nothing is collected: a hot path.
   */
  eachBefore(number: number, step: (earlier: number) => void) {
    const chain = this.#chainedFrom[number] ?? NO_MOVES;
    for (const earlier of chain) step(earlier);

    const stay = this.#stays[this.#departureStay[number] ?? NONE];
    if (stay === undefined) return;
    const end = stay.firstArrival + (this.#departureAfter[number] ?? 0);
    for (let at = stay.firstArrival; at < end; at++) {
      const earlier = stay.line.arrivals[at] ?? number;
      if (earlier !== number && !chain.includes(earlier)) step(earlier);
    }
  }

  /**
   * Calls `step` with each move chained from a move and each move that took its lot from its
   * destination in its stay there, once each.
   */
  eachAfter(number: number, step: (later: number) => void) {
    for (const later of this.#chainedTo[number] ?? NO_MOVES) step(later);

    const stay = this.#stays[this.#arrivalStay[number] ?? NONE];
    if (stay === undefined) return;
    const end = stay.firstDeparture + stay.departureCount;
    for (let at = stay.firstDeparture + (this.#arrivalAfter[number] ?? 0); at < end; at++) {
      const later = stay.line.departures[at] ?? number;
      if (later !== number && !(this.#chainedFrom[later] ?? NO_MOVES).includes(number)) step(later);
    }
  }

  /** @returns A location's full name, worked out once per location. */
  placeName(locationId: string): string {
    let name = this.#placeNames.get(locationId);
    if (name === undefined) {
      name = this.#data.tree.fullName(locationId);
      this.#placeNames.set(locationId, name);
    }
    return name;
  }

  /**
   * @returns Where a move went, such as `WH/Stock → Partners/Customers`, put together once per
   *   pair of locations: thousands of moves of a lot usually share a handful of routes.
   */
  routeName(sourceId: string, destinationId: string): string {
    const byDestination = listedMap(this.#routeNames, sourceId);
    let name = byDestination.get(destinationId);
    if (name === undefined) {
      name = `${this.placeName(sourceId)} → ${this.placeName(destinationId)}`;
      byDestination.set(destinationId, name);
    }
    return name;
  }

  /** @returns The manufacturing links that produced the lot, or consumed it. */
  links(lotId: string, role: 'produced' | 'component'): readonly TraceLink[] {
    return (role === 'produced' ? this.#producing : this.#consuming).get(lotId) ?? NO_LINKS;
  }

  /** @returns The document a move's origin names, asking the store once per origin. */
  documentOf(move: Move): TraceDocument | undefined {
    const origin = move.origin;
    if (origin === undefined) return undefined;
    let document = this.#documents.get(origin);
    if (document === undefined && !this.#documents.has(origin)) {
      document = this.#data.documents(origin);
      this.#documents.set(origin, document);
    }
    return document;
  }

  /** @returns The numbers of the moves of a lot whose origin is the order. */
  orderMoves(lotId: string, orderId: string): ReadonlySet<number> {
    let byOrder = this.#orderMoves.get(lotId);
    if (byOrder === undefined) {
      byOrder = new Map();
      for (const number of this.movesOf(lotId)) {
        const move = this.move(number);
        if (move.origin === undefined) continue;
        const order = this.documentOf(move)?.id ?? move.origin;
        byOrder.set(order, (byOrder.get(order) ?? new Set<number>()).add(number));
      }
      this.#orderMoves.set(lotId, byOrder);
    }
    return byOrder.get(orderId) ?? NO_ORDER_MOVES;
  }
}

/** Walks the moves one way from a lot, adding what it reaches. */
function walk(
  index: TraceIndex,
  lotId: string,
  direction: 'upstream' | 'downstream',
  reach: Reach,
) {
  const upstream = direction === 'upstream';
  const seen = new Uint8Array(index.size);
  // Each move is stacked once at most, so the stack never outgrows the moves.
  const stack = new Int32Array(index.size);
  let depth = 0;
  const crossed = new Set<TraceLink>();
  const visit = (number: number) => {
    if (seen[number] === 1) return;
    seen[number] = 1;
    stack[depth++] = number;
  };

  // Crosses the links of a lot to the lots on their other side, when the move at hand is one of
  // the lot's moves for the order, or the lot has no move for it.
  const cross = (lot: string, number: number) => {
    for (const link of index.links(lot, upstream ? 'produced' : 'component')) {
      if (crossed.has(link)) continue;
      const own = index.orderMoves(lot, link.orderId);
      if (number !== NONE && own.size > 0 && !own.has(number)) continue;

      crossed.add(link);
      const others = upstream ? link.componentLotIds : [link.producedLotId ?? []].flat();
      for (const other of others) {
        reach.lots.add(other);
        const entry = index.orderMoves(other, link.orderId);
        for (const next of entry.size > 0 ? entry : index.movesOf(other)) visit(next);
      }
    }
  };

  const start = index.movesOf(lotId);
  for (const number of start) visit(number);
  if (start.length === 0) cross(lotId, NONE);

  while (depth > 0) {
    const number = stack[--depth] ?? NONE;
    const lot = index.move(number).lotId;
    if (lot !== undefined) {
      reach.lots.add(lot);
      cross(lot, number);
    }
    if (upstream) index.eachBefore(number, visit);
    else index.eachAfter(number, visit);
  }

  for (let number = 0; number < seen.length; number++) {
    if (seen[number] === 1) reach.moves[number] = 1;
  }
  for (const link of crossed) reach.links.add(link);
}

/** The vertices of one kind of node, in the order drawn. */
interface KindOfVertex {
  readonly vertices: IntList;
  /** The record id of the last vertex drawn. */
  lastId: string;
  /** `true` while each vertex was drawn after those with smaller ids, so that none need sorting. */
  inOrder: boolean;
}

/**
 * A graph being drawn. Vertices are numbers, places in the list of nodes, and arcs are kept in
 * lists of numbers in the order drawn: a trace of thousands of moves then costs no object per arc
 * beyond the edges it hands out, and sorting compares numbers.
 */
class Drawing {
  readonly #index: TraceIndex;
  readonly #partnerName: TraceData['partnerName'];
  readonly #nodes: TraceNode[] = [];
  readonly #kinds: Record<TraceNodeKind, KindOfVertex> = {
    document: { vertices: new IntList(), lastId: '', inOrder: true },
    lot: { vertices: new IntList(), lastId: '', inOrder: true },
    move: { vertices: new IntList(), lastId: '', inOrder: true },
    partner: { vertices: new IntList(), lastId: '', inOrder: true },
  };
  // Documents and partners are drawn once, however many moves lead to them.
  readonly #documents = new Map<string, number>();
  readonly #partners = new Map<string, number>();
  readonly #from = new IntList();
  readonly #to = new IntList();
  /** By arc: the move whose quantity the edge carries, or {@link NONE} for none. */
  readonly #quantities = new IntList();

  constructor(index: TraceIndex, partnerName: TraceData['partnerName']) {
    this.#index = index;
    this.#partnerName = partnerName;
  }

  /** @returns The vertex of a new node. */
  add(node: TraceNode): number {
    const vertex = this.#nodes.length;
    this.#nodes.push(node);

    const kind = this.#kinds[node.kind];
    const id = recordId(node);
    if (kind.vertices.length > 0 && compareIds(kind.lastId, id) > 0) kind.inOrder = false;
    kind.lastId = id;
    kind.vertices.push(vertex);
    return vertex;
  }

  /**
   * Draws an arc; of two arcs between the same vertices, the first drawn becomes the edge.
   *
   * @param quantityOf - The move whose quantity went along the arc, if one did.
   */
  connect(from: number, to: number, quantityOf = NONE) {
    this.#from.push(from);
    this.#to.push(to);
    this.#quantities.push(quantityOf);
  }

  /** @returns The vertex of a document drawn before, or {@link NONE}. */
  drawnDocument(documentId: string): number {
    return this.#documents.get(documentId) ?? NONE;
  }

  /** @returns The vertex of a document, drawn with the first origin that names it. */
  document(document: TraceDocument, origin: string | undefined): number {
    let vertex = this.#documents.get(document.id);
    if (vertex === undefined) {
      vertex = this.add({
        kind: 'document',
        id: traceNodeId('document', document.id),
        label: document.name ?? origin ?? document.id,
        documentId: document.id,
        documentKind: document.kind,
      });
      this.#documents.set(document.id, vertex);
    }
    return vertex;
  }

  /** @returns The vertex of a partner. */
  partner(partnerId: string): number {
    let vertex = this.#partners.get(partnerId);
    if (vertex === undefined) {
      const id = traceNodeId('partner', partnerId);
      const label = this.#partnerName?.(partnerId) ?? partnerId;
      vertex = this.add({ kind: 'partner', id, label, partnerId });
      this.#partners.set(partnerId, vertex);
    }
    return vertex;
  }

  /** @returns The nodes sorted by id, and the edges sorted by where they come from, then go to. */
  graph(): TraceGraph {
    // A node's id starts with its kind, so the nodes sort kind by kind, each by its record's id.
    const nodes: TraceNode[] = [];
    const rank = new Int32Array(this.#nodes.length);
    const kinds = (Object.keys(this.#kinds) as TraceNodeKind[]).sort((a, b) =>
      compareIds(`${a}:`, `${b}:`),
    );
    for (const kind of kinds) {
      const { vertices, inOrder } = this.#kinds[kind];
      const order = inOrder ? identity(vertices.length) : sortIds(this.#recordIds(vertices));
      for (let at = 0; at < order.length; at++) {
        const vertex = vertices.at(order[at] ?? NONE);
        rank[vertex] = nodes.length;
        nodes.push(this.#node(vertex));
      }
    }

    // Stable, so that of two arcs between the same vertices the first drawn stays.
    const byTo = countingSort(identity(this.#from.length), this.#to, rank);
    const arcs = countingSort(byTo, this.#from, rank);
    const edges: TraceEdge[] = [];
    let lastFrom = NONE;
    let lastTo = NONE;
    for (let at = 0; at < arcs.length; at++) {
      const arc = arcs[at] ?? NONE;
      const from = this.#from.at(arc);
      const to = this.#to.at(arc);
      if (from === lastFrom && to === lastTo) continue;
      lastFrom = from;
      lastTo = to;

      const quantityOf = this.#quantities.at(arc);
      const fromId = this.#node(from).id;
      const toId = this.#node(to).id;
      if (quantityOf === NONE) edges.push({ from: fromId, to: toId });
      else edges.push({ from: fromId, to: toId, quantity: this.#index.move(quantityOf).quantity });
    }
    return { nodes, edges };
  }

  #recordIds(vertices: IntList): string[] {
    const ids: string[] = [];
    for (let at = 0; at < vertices.length; at++) ids.push(recordId(this.#node(vertices.at(at))));
    return ids;
  }

  #node(vertex: number): TraceNode {
    const node = this.#nodes[vertex];
    if (node === undefined) throw new RangeError(`no vertex has the number ${vertex}`);
    return node;
  }
}

/** Turns what the walks reached into nodes and edges. */
function drawGraph(index: TraceIndex, reach: Reach, data: TraceData): TraceGraph {
  const { tree } = data;
  const drawing = new Drawing(index, data.partnerName);

  // Sorted, so that the first move to name a document labels it on every replica.
  const reached = index.inIdOrder(reach.moves);
  const moveVertex = new Int32Array(index.size).fill(NONE);
  // Indexed loops over the moves, here and below: unlike `for...of`, they make no object per
  // step before the code is optimized.
  for (let at = 0; at < reached.length; at++) {
    const number = reached[at] ?? NONE;
    moveVertex[number] = drawing.add(moveNode(index.move(number), index));
  }

  // Moves join along chains and stays. One step function serves every move: a closure per move
  // would be thousands of objects on a long time line.
  const joinedFrom = new IntList();
  const joinedTo = new IntList();
  let later = NONE;
  const join = (earlier: number) => {
    if (moveVertex[earlier] === NONE) return;
    joinedFrom.push(earlier);
    joinedTo.push(later);
  };
  for (let at = 0; at < reached.length; at++) {
    later = reached[at] ?? NONE;
    index.eachBefore(later, join);
  }
  const hasSameLotBefore = new Uint8Array(index.size);
  for (let at = 0; at < joinedFrom.length; at++) {
    if (index.sameLot(joinedFrom.at(at), joinedTo.at(at))) hasSameLotBefore[joinedTo.at(at)] = 1;
  }

  // A lot's node stands after the moves that bring the lot into the trace, and leads on to the
  // moves of the lot that follow them.
  const lotsById = new Map(data.lots.map((lot) => [lot.id, lot]));
  const reachedByLot = new Map<string, number[]>();
  for (let at = 0; at < reached.length; at++) {
    const number = reached[at] ?? NONE;
    const lotId = index.move(number).lotId;
    if (lotId !== undefined) listed(reachedByLot, lotId).push(number);
  }
  const lotAfter = new Int32Array(index.size).fill(NONE);
  const lotVertex = new Map<string, number>();
  for (const lotId of [...reach.lots].sort(compareIds)) {
    const lot = lotsById.get(lotId);
    const own = reachedByLot.get(lotId) ?? NO_MOVES;
    const productId =
      lot?.productId ?? (own[0] === undefined ? undefined : index.move(own[0]).productId);
    const drawn = drawing.add({
      kind: 'lot',
      id: traceNodeId('lot', lotId),
      label: lot?.name ?? lotId,
      lotId,
      ...(productId !== undefined && { productId }),
    });
    lotVertex.set(lotId, drawn);

    // On cyclic data every move may follow another; the earliest then brings the lot in.
    let entries = own.filter((number) => hasSameLotBefore[number] !== 1);
    if (entries.length === 0) {
      const earliest = own.map((number) => index.move(number)).sort(byDate)[0];
      entries = own.filter((number) => index.move(number) === earliest);
    }
    for (const entry of entries) {
      const from = moveVertex[entry] ?? NONE;
      if (from !== NONE) drawing.connect(from, drawn, entry);
      lotAfter[entry] = drawn;
    }
  }

  // Documents stand where goods cross the boundary of the company's internal locations.
  const documentsIn = new Int32Array(index.size).fill(NONE);
  const documentsOut = new Int32Array(index.size).fill(NONE);
  for (let at = 0; at < reached.length; at++) {
    const number = reached[at] ?? NONE;
    const move = index.move(number);
    const document = index.documentOf(move);
    const drawn = moveVertex[number] ?? NONE;
    if (document === undefined || drawn === NONE) continue;
    if (!tree.internal(move.sourceId)) {
      const through = drawing.document(document, move.origin);
      drawing.connect(through, drawn, number);
      documentsIn[number] = through;
      if (tree.usage(move.sourceId) === 'supplier' && document.partnerId !== undefined) {
        drawing.connect(drawing.partner(document.partnerId), through);
      }
    } else if (!tree.internal(move.destinationId)) {
      const through = drawing.document(document, move.origin);
      drawing.connect(drawn, through, number);
      documentsOut[number] = through;
      if (tree.usage(move.destinationId) === 'customer' && document.partnerId !== undefined) {
        drawing.connect(through, drawing.partner(document.partnerId));
      }
    }
  }

  const links = [...reach.links].sort(
    (a, b) =>
      compareIds(a.orderId, b.orderId) ||
      compareIds(a.producedLotId ?? '', b.producedLotId ?? '') ||
      compareIds(a.componentLotIds.join('\n'), b.componentLotIds.join('\n')),
  );
  for (const link of links) {
    let order = drawing.drawnDocument(link.orderId);
    if (order === NONE) {
      const known = data.documents(link.orderId);
      order = drawing.document(
        known?.id === link.orderId ? known : { id: link.orderId, kind: 'manufacturing' },
        link.orderId,
      );
    }
    for (const lotId of new Set(link.componentLotIds)) {
      const lot = lotVertex.get(lotId);
      if (lot === undefined) continue;
      let consumed = 0;
      for (const number of index.orderMoves(lotId, link.orderId)) {
        const move = index.move(number);
        const drawn = moveVertex[number] ?? NONE;
        if (drawn === NONE || tree.internal(move.destinationId)) continue;
        drawing.connect(drawn, order, number);
        documentsOut[number] = order;
        consumed++;
      }
      if (consumed === 0) drawing.connect(lot, order);
    }

    const producedId = link.producedLotId;
    const lot = producedId === undefined ? undefined : lotVertex.get(producedId);
    if (lot === undefined || producedId === undefined) continue;
    let produced = 0;
    for (const number of index.orderMoves(producedId, link.orderId)) {
      const move = index.move(number);
      const drawn = moveVertex[number] ?? NONE;
      if (drawn === NONE || tree.internal(move.sourceId)) continue;
      drawing.connect(order, drawn, number);
      documentsIn[number] = order;
      produced++;
    }
    if (produced === 0) drawing.connect(order, lot);
  }

  for (let at = 0; at < joinedFrom.length; at++) {
    const earlier = joinedFrom.at(at);
    const later = joinedTo.at(at);
    const from = moveVertex[earlier] ?? NONE;
    const to = moveVertex[later] ?? NONE;
    if (from === NONE || to === NONE) continue;
    const lot = lotAfter[earlier] ?? NONE;
    if (lot !== NONE && index.sameLot(earlier, later)) {
      drawing.connect(lot, to, later);
      continue;
    }
    // A direct edge next to the same step through a document, such as a component move chained
    // into a finished move of its order, would only repeat it.
    const through = documentsOut[earlier] ?? NONE;
    if (through !== NONE && through === documentsIn[later]) continue;
    drawing.connect(from, to, flowQuantity(index, earlier, later));
  }

  return drawing.graph();
}

/** A move as a node: where it went, how much, when, and by which document. */
function moveNode(move: Move, index: TraceIndex): MoveTraceNode {
  const { id, productId, quantity, sourceId, destinationId, date, lotId, origin } = move;
  const label = index.routeName(sourceId, destinationId);
  const nodeId = traceNodeId('move', id);
  // Whole literals for the common shapes: a field added later costs each node a second object.
  if (lotId !== undefined && origin !== undefined) {
    return {
      kind: 'move',
      id: nodeId,
      label,
      moveId: id,
      productId,
      quantity,
      sourceId,
      destinationId,
      date,
      lotId,
      origin,
    };
  }
  const node: Writable<MoveTraceNode> = {
    kind: 'move',
    id: nodeId,
    label,
    moveId: id,
    productId,
    quantity,
    sourceId,
    destinationId,
    date,
  };
  if (lotId !== undefined) node.lotId = lotId;
  if (origin !== undefined) node.origin = origin;
  return node;
}

/** The id of the lot, move, document or partner a node stands for. */
function recordId(node: TraceNode): string {
  switch (node.kind) {
    case 'lot':
      return node.lotId;
    case 'move':
      return node.moveId;
    case 'document':
      return node.documentId;
    case 'partner':
      return node.partnerId;
  }
}

/**
 * The most of one product that can have gone from one move into the next: the smaller quantity.
 *
 * @returns The move of the two with that quantity, or {@link NONE} for moves of two products.
 */
function flowQuantity(index: TraceIndex, earlier: number, later: number): number {
  const { productId, quantity } = index.move(earlier);
  const next = index.move(later);
  if (productId !== next.productId) return NONE;
  if (quantity === next.quantity) return earlier;
  return compare(quantity, next.quantity) <= 0 ? earlier : later;
}

const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** The most digits whose integer a double holds exactly, with room to add two of them. */
const SAFE_DIGITS = 15;

/**
 * The quantity of a lot at a location as moves come and go, summed exactly as an integer count
 * of the finest decimal place seen so far, so that a long time line is not formatted at each step.
 * The count is a plain number while it is a safe integer, as it nearly always is, and a bigint
 * from the first step that could leave that range.
 */
class Tally {
  #units = 0;
  #bigUnits: bigint | undefined;
  #places = 0;

  /** `true` while some of the lot is left. */
  get positive(): boolean {
    return this.#bigUnits === undefined ? this.#units > 0 : this.#bigUnits > 0n;
  }

  reset() {
    this.#units = 0;
    this.#bigUnits = undefined;
    this.#places = 0;
  }

  /** Adds a quantity coming in, or takes away one going out. */
  add(quantity: Decimal, coming: boolean) {
    const text = PLAIN_DECIMAL.test(quantity) ? quantity : decimal(quantity);
    const point = text.indexOf('.');
    const places = point < 0 ? 0 : text.length - point - 1;
    const digits = point < 0 ? text : text.slice(0, point) + text.slice(point + 1);
    if (places > this.#places) this.#rescale(places);
    const shift = this.#places - places;

    if (this.#bigUnits === undefined && digits.length + shift <= SAFE_DIGITS) {
      const units = Number(digits) * 10 ** shift;
      const sum = coming ? this.#units + units : this.#units - units;
      if (Number.isSafeInteger(sum)) {
        this.#units = sum;
        return;
      }
    }
    const units = BigInt(digits) * 10n ** BigInt(shift);
    const total = this.#bigUnits ?? BigInt(this.#units);
    this.#bigUnits = coming ? total + units : total - units;
  }

  /** Counts in a finer decimal place from now on. */
  #rescale(places: number) {
    const shift = places - this.#places;
    this.#places = places;
    if (this.#bigUnits === undefined && shift <= SAFE_DIGITS) {
      const units = this.#units * 10 ** shift;
      if (Number.isSafeInteger(units)) {
        this.#units = units;
        return;
      }
    }
    this.#bigUnits = (this.#bigUnits ?? BigInt(this.#units)) * 10n ** BigInt(shift);
  }
}

/** The error for moves given twice, naming the first id that comes again. */
function duplicateMove(moves: readonly Move[]): DomainError<TraceErrorCode> {
  const seen = new Set<string>();
  let again = '';
  for (const { id } of moves) {
    if (seen.has(id)) {
      again = id;
      break;
    }
    seen.add(id);
  }
  return new DomainError<TraceErrorCode>(
    'trace-move-duplicate',
    `the move "${again}" is given twice; pass each move once`,
  );
}

/** A record being put together, before it is handed out read-only. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Earliest first, then by id. */
function byDate(a: Move, b: Move): number {
  return a.date - b.date || compareIds(a.id, b.id);
}

/** The list under a key, created empty when absent. */
function listed<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}

/** The map under a key, created empty when absent. */
function listedMap<K, L, V>(map: Map<K, Map<L, V>>, key: K): Map<L, V> {
  let inner = map.get(key);
  if (inner === undefined) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

/** Compares by code units, never by locale, so that every replica sorts ids alike. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The bits a double holds an integer in exactly. */
const EXACT_BITS = 53;
/** How many code units after the shared prefix {@link sortIds} reads into a key, at most. */
const KEY_UNITS = 8;

/**
 * The order of ids as {@link compareIds} sorts them, as places in `ids`.
 *
 * Sorting thousands of strings through a comparison function costs a call and a string comparison
 * per step. Instead, each id becomes one number: the code units that follow the prefix all ids
 * share, as many as fit, with the id's place in the low bits. The numbers sort natively, and only
 * ids whose leading code units tie are compared in full. Ids already in order cost one pass.
 *
 * @param ids - Any strings; equal ones keep their order.
 * @returns The places in `ids`, from the first id in order to the last.
 */
function sortIds(ids: readonly string[]): Int32Array {
  const count = ids.length;
  const order = new Int32Array(count);
  for (let at = 0; at < count; at++) order[at] = at;

  // The prefix all ids share is the one the first and the last in order share.
  let sorted = true;
  let least = ids[0] ?? '';
  let most = least;
  for (let at = 1; at < count; at++) {
    const id = ids[at] ?? '';
    if (compareIds(ids[at - 1] ?? '', id) > 0) sorted = false;
    if (compareIds(id, least) < 0) least = id;
    else if (compareIds(id, most) > 0) most = id;
  }
  if (sorted) return order;
  let shared = 0;
  while (shared < least.length && least.charCodeAt(shared) === most.charCodeAt(shared)) shared++;

  let highest = 0;
  for (let at = 0; at < count; at++) {
    const id = ids[at] ?? '';
    const end = Math.min(id.length, shared + KEY_UNITS);
    for (let unit = shared; unit < end; unit++) highest = Math.max(highest, id.charCodeAt(unit));
  }
  const placeBits = Math.max(1, 32 - Math.clz32(count - 1));
  const unitBits = Math.max(1, 32 - Math.clz32(highest));
  const units = Math.min(KEY_UNITS, Math.floor((EXACT_BITS - placeBits) / unitBits));
  const byFirst = (a: number, b: number) => compareIds(ids[a] ?? '', ids[b] ?? '');
  if (units < 1) return order.sort(byFirst);

  // A missing code unit counts as 0, before any other: a shorter id sorts first, or ties.
  const slot = 2 ** placeBits;
  const radix = 2 ** unitBits;
  const keys = new Float64Array(count);
  for (let at = 0; at < count; at++) {
    const id = ids[at] ?? '';
    let key = 0;
    for (let unit = shared; unit < shared + units; unit++) {
      key = key * radix + (unit < id.length ? id.charCodeAt(unit) : 0);
    }
    keys[at] = key * slot + at;
  }
  keys.sort();

  let start = 0;
  for (let at = 0; at < count; at++) {
    const key = keys[at] ?? 0;
    order[at] = key % slot;
    if (at + 1 < count && Math.floor((keys[at + 1] ?? 0) / slot) === Math.floor(key / slot)) {
      continue;
    }
    if (at > start) order.subarray(start, at + 1).sort(byFirst);
    start = at + 1;
  }
  return order;
}

/**
 * A list of integers that grows by doubling a typed array. Thousands of arcs then live outside the
 * objects that garbage collection copies and traces, instead of in arrays of numbers.
 */
class IntList {
  #items = new Int32Array(16);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(value: number) {
    if (this.#length === this.#items.length) {
      const grown = new Int32Array(this.#length * 2);
      grown.set(this.#items);
      this.#items = grown;
    }
    this.#items[this.#length++] = value;
  }

  /** @returns The integer at a place, or {@link NONE} past the end. */
  at(place: number): number {
    return place < this.#length ? (this.#items[place] ?? NONE) : NONE;
  }
}

/** The numbers from 0 to `count - 1`, in order. */
function identity(count: number): Int32Array {
  const numbers = new Int32Array(count);
  for (let at = 0; at < count; at++) numbers[at] = at;
  return numbers;
}

/**
 * Orders arcs by the rank of one of their ends, keeping the order of arcs whose ends rank alike:
 * a counting sort, in time linear in the arcs and vertices.
 *
 * @param arcs - Arc numbers, in their order so far.
 * @param ends - The vertex at the end that orders, by arc number.
 * @param rank - The place of each vertex among the sorted nodes.
 * @returns The arc numbers in their new order.
 */
function countingSort(arcs: Int32Array, ends: IntList, rank: Int32Array): Int32Array {
  // Where the arcs of each rank start, then the next free place among them.
  const starts = new Int32Array(rank.length + 1);
  for (let at = 0; at < arcs.length; at++) {
    const after = (rank[ends.at(arcs[at] ?? NONE)] ?? 0) + 1;
    starts[after] = (starts[after] ?? 0) + 1;
  }
  for (let at = 1; at <= rank.length; at++) starts[at] = (starts[at] ?? 0) + (starts[at - 1] ?? 0);

  const sorted = new Int32Array(arcs.length);
  for (let at = 0; at < arcs.length; at++) {
    const arc = arcs[at] ?? 0;
    const place = rank[ends.at(arc)] ?? 0;
    sorted[starts[place] ?? 0] = arc;
    starts[place] = (starts[place] ?? 0) + 1;
  }
  return sorted;
}
