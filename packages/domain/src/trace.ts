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
 * The graph follows the flow of goods: vendor → document → move where goods come in, move →
 * document → customer where they go out, component move → manufacturing order → finished move, and
 * move → move along chains and through locations. A lot's node stands after the moves that bring it
 * into the trace and leads to the moves that carry it on. Documents appear where goods cross the
 * boundary of internal locations; partners only as vendors upstream of a document that brought
 * goods from a supplier location and customers downstream of one that took goods to a customer
 * location.
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
 * Moves are given by their number in the index.
 */
interface Stay {
  readonly arrivals: number[];
  readonly departures: number[];
}

/** The moves of one lot into and out of one location, by number. */
interface TimeLine {
  readonly arrivals: number[];
  readonly departures: number[];
}

/** No move, stay or count. */
const NONE = -1;
const NO_MOVES: readonly number[] = [];

/**
 * The moves of one call, indexed once so that every step of the walk is a lookup. Each done move
 * gets a number, its place in {@link TraceIndex.moves}, and the walks work on numbers and arrays,
 * which are much cheaper than maps on a lot with thousands of moves.
 */
class TraceIndex {
  readonly moves: readonly Move[];
  /** The number of each move by id; {@link NONE} for a move that is not done. */
  readonly #numbers = new Map<string, number>();
  readonly #byLot = new Map<string, number[]>();
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
  readonly #data: TraceData;

  constructor(data: TraceData) {
    this.#data = data;
    // In the order given: the walks reach the same moves whatever the order, and drawing sorts.
    const moves: Move[] = [];
    for (const move of data.moves) {
      if (this.#numbers.has(move.id)) {
        throw new DomainError<TraceErrorCode>(
          'trace-move-duplicate',
          `the move "${move.id}" is given twice; pass each move once`,
        );
      }
      if (move.lotId !== undefined) this.#lotsNamed.add(move.lotId);
      this.#numbers.set(move.id, move.state === 'done' ? moves.length : NONE);
      if (move.state === 'done') moves.push(move);
    }
    this.moves = moves;
    for (const lot of data.lots) this.#lotsNamed.add(lot.id);

    this.#chainedFrom = moves.map((move, number) => this.#resolveChain(move, number));
    this.#chainedFrom.forEach((earlier, number) => {
      for (const from of earlier) (this.#chainedTo[from] ??= []).push(number);
    });
    moves.forEach((move, number) => {
      if (move.lotId !== undefined) listed(this.#byLot, move.lotId).push(number);
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
      const earlier = this.#numbers.get(id) ?? NONE;
      if (earlier !== NONE && earlier !== number && !found.includes(earlier)) found.push(earlier);
    }
    return found;
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
      for (const { arrivals, departures } of byLocation.values()) {
        this.#cutStays(arrivals.sort(earliest), departures.sort(earliest));
      }
    }
  }

  /** Walks one time line, arrivals before departures at one instant, cutting it into stays. */
  #cutStays(arrivals: readonly number[], departures: readonly number[]) {
    let stay: Stay | undefined;
    const level = new Tally();
    let next = 0;
    const arrive = (number: number) => {
      if (stay === undefined || !level.positive) {
        stay = { arrivals: [], departures: [] };
        this.#stays.push(stay);
        level.reset();
      }
      this.#arrivalStay[number] = this.#stays.length - 1;
      this.#arrivalAfter[number] = stay.departures.length;
      stay.arrivals.push(number);
      level.add(this.move(number).quantity, true);
    };

    for (const number of departures) {
      const date = this.move(number).date;
      for (let arrival = arrivals[next]; arrival !== undefined; arrival = arrivals[++next]) {
        if (this.move(arrival).date > date) break;
        arrive(arrival);
      }

      // A departure while the location is out of the lot took what the last stay left, as
      // after a merge of two devices that each shipped the last unit.
      if (stay === undefined) continue;
      this.#departureStay[number] = this.#stays.length - 1;
      this.#departureAfter[number] = stay.arrivals.length;
      stay.departures.push(number);
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
    return this.#byLot.get(lotId) ?? NO_MOVES;
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
    const before = this.#departureAfter[number] ?? 0;
    for (let at = 0; at < before; at++) {
      const earlier = stay.arrivals[at] ?? number;
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
    for (let at = this.#arrivalAfter[number] ?? 0; at < stay.departures.length; at++) {
      const later = stay.departures[at] ?? number;
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

  /** @returns The manufacturing links that produced the lot, or consumed it. */
  links(lotId: string, role: 'produced' | 'component'): readonly TraceLink[] {
    return (role === 'produced' ? this.#producing : this.#consuming).get(lotId) ?? [];
  }

  /** @returns The document a move's origin names, asking the store once per origin. */
  documentOf(move: Move): TraceDocument | undefined {
    const origin = move.origin;
    if (origin === undefined) return undefined;
    if (!this.#documents.has(origin)) this.#documents.set(origin, this.#data.documents(origin));
    return this.#documents.get(origin);
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
    return byOrder.get(orderId) ?? new Set();
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
  const queue: number[] = [];
  const crossed = new Set<TraceLink>();
  const visit = (number: number) => {
    if (seen[number] === 1) return;
    seen[number] = 1;
    queue.push(number);
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

  for (let number = queue.pop(); number !== undefined; number = queue.pop()) {
    const lot = index.move(number).lotId;
    if (lot !== undefined) {
      reach.lots.add(lot);
      cross(lot, number);
    }
    if (upstream) index.eachBefore(number, visit);
    else index.eachAfter(number, visit);
  }

  seen.forEach((mark, number) => {
    if (mark === 1) reach.moves[number] = 1;
  });
  for (const link of crossed) reach.links.add(link);
}

/** A node being drawn; its rank is its place among the sorted nodes. */
interface Vertex {
  readonly node: TraceNode;
  rank: number;
}

/** An edge being drawn, between vertices, so that sorting compares ranks instead of ids. */
interface Arc {
  readonly from: Vertex;
  readonly to: Vertex;
  readonly quantity: Decimal | undefined;
}

/** Turns what the walks reached into nodes and edges. */
function drawGraph(index: TraceIndex, reach: Reach, data: TraceData): TraceGraph {
  const { tree } = data;
  const vertices: Vertex[] = [];
  const named = new Map<string, Vertex>();
  const arcs: Arc[] = [];
  const connect = (from: Vertex, to: Vertex, quantity?: Decimal) => {
    arcs.push({ from, to, quantity });
  };
  const vertex = (node: TraceNode) => {
    const drawn: Vertex = { node, rank: 0 };
    vertices.push(drawn);
    return drawn;
  };
  // Documents, partners and lots are drawn once, however many moves lead to them.
  const once = (id: string, node: () => TraceNode) => {
    let drawn = named.get(id);
    if (drawn === undefined) {
      drawn = vertex(node());
      named.set(id, drawn);
    }
    return drawn;
  };
  const documentVertex = (document: TraceDocument, origin: string | undefined) => {
    const id = traceNodeId('document', document.id);
    return once(id, () => ({
      kind: 'document',
      id,
      label: document.name ?? origin ?? document.id,
      documentId: document.id,
      documentKind: document.kind,
    }));
  };
  const partnerVertex = (partnerId: string) => {
    const id = traceNodeId('partner', partnerId);
    return once(id, () => {
      const label = data.partnerName?.(partnerId) ?? partnerId;
      return { kind: 'partner', id, label, partnerId };
    });
  };

  // Sorted, so that the first move to name a document labels it on every replica.
  const reached: number[] = [];
  reach.moves.forEach((mark, number) => {
    if (mark === 1) reached.push(number);
  });
  reached.sort((a, b) => compareIds(index.move(a).id, index.move(b).id));
  const drawnMoves: Vertex[] = [];
  for (const number of reached) drawnMoves[number] = vertex(moveNode(index.move(number), index));

  // Moves join along chains and stays.
  const joinedFrom: number[] = [];
  const joinedTo: number[] = [];
  const sameLotAfter: number[][] = [];
  const hasSameLotBefore = new Uint8Array(index.size);
  for (const later of reached) {
    const lotId = index.move(later).lotId;
    index.eachBefore(later, (earlier) => {
      if (drawnMoves[earlier] === undefined) return;
      joinedFrom.push(earlier);
      joinedTo.push(later);
      if (lotId !== undefined && index.move(earlier).lotId === lotId) {
        (sameLotAfter[earlier] ??= []).push(later);
        hasSameLotBefore[later] = 1;
      }
    });
  }

  // A lot's node stands after the moves that bring the lot into the trace, and leads on to the
  // moves of the lot that follow them.
  const lotsById = new Map(data.lots.map((lot) => [lot.id, lot]));
  const reachedByLot = new Map<string, number[]>();
  for (const number of reached) {
    const lotId = index.move(number).lotId;
    if (lotId !== undefined) listed(reachedByLot, lotId).push(number);
  }
  const lotAfter: Vertex[] = [];
  const drawnLots = new Map<string, Vertex>();
  for (const lotId of [...reach.lots].sort(compareIds)) {
    const lot = lotsById.get(lotId);
    const own = reachedByLot.get(lotId) ?? [];
    const productId =
      lot?.productId ?? (own[0] === undefined ? undefined : index.move(own[0]).productId);
    const id = traceNodeId('lot', lotId);
    const drawn = once(id, () => ({
      kind: 'lot',
      id,
      label: lot?.name ?? lotId,
      lotId,
      ...(productId !== undefined && { productId }),
    }));
    drawnLots.set(lotId, drawn);

    // On cyclic data every move may follow another; the earliest then brings the lot in.
    let entries = own.filter((number) => hasSameLotBefore[number] !== 1);
    if (entries.length === 0) {
      const earliest = own.map((number) => index.move(number)).sort(byDate)[0];
      entries = own.filter((number) => index.move(number) === earliest);
    }
    for (const entry of entries) {
      const from = drawnMoves[entry];
      if (from !== undefined) connect(from, drawn, index.move(entry).quantity);
      lotAfter[entry] = drawn;
    }
  }

  // Documents stand where goods cross the boundary of the company's internal locations.
  const documentsIn: Vertex[] = [];
  const documentsOut: Vertex[] = [];
  for (const number of reached) {
    const move = index.move(number);
    const document = index.documentOf(move);
    const drawn = drawnMoves[number];
    if (document === undefined || drawn === undefined) continue;
    if (!tree.internal(move.sourceId)) {
      const through = documentVertex(document, move.origin);
      connect(through, drawn, move.quantity);
      documentsIn[number] = through;
      if (tree.usage(move.sourceId) === 'supplier' && document.partnerId !== undefined) {
        connect(partnerVertex(document.partnerId), through);
      }
    } else if (!tree.internal(move.destinationId)) {
      const through = documentVertex(document, move.origin);
      connect(drawn, through, move.quantity);
      documentsOut[number] = through;
      if (tree.usage(move.destinationId) === 'customer' && document.partnerId !== undefined) {
        connect(through, partnerVertex(document.partnerId));
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
    const known = data.documents(link.orderId);
    const order =
      named.get(traceNodeId('document', link.orderId)) ??
      documentVertex(
        known?.id === link.orderId ? known : { id: link.orderId, kind: 'manufacturing' },
        link.orderId,
      );
    for (const lotId of new Set(link.componentLotIds)) {
      const lot = drawnLots.get(lotId);
      if (lot === undefined) continue;
      let consumed = 0;
      for (const number of index.orderMoves(lotId, link.orderId)) {
        const move = index.move(number);
        const drawn = drawnMoves[number];
        if (drawn === undefined || tree.internal(move.destinationId)) continue;
        connect(drawn, order, move.quantity);
        documentsOut[number] = order;
        consumed++;
      }
      if (consumed === 0) connect(lot, order);
    }

    const producedId = link.producedLotId;
    const lot = producedId === undefined ? undefined : drawnLots.get(producedId);
    if (lot === undefined || producedId === undefined) continue;
    let produced = 0;
    for (const number of index.orderMoves(producedId, link.orderId)) {
      const move = index.move(number);
      const drawn = drawnMoves[number];
      if (drawn === undefined || tree.internal(move.sourceId)) continue;
      connect(order, drawn, move.quantity);
      documentsIn[number] = order;
      produced++;
    }
    if (produced === 0) connect(order, lot);
  }

  joinedFrom.forEach((earlier, at) => {
    const later = joinedTo[at] ?? NONE;
    const from = drawnMoves[earlier];
    const to = drawnMoves[later];
    if (from === undefined || to === undefined) return;
    const next = index.move(later);
    const lot = lotAfter[earlier];
    if (lot !== undefined && index.move(earlier).lotId === next.lotId) {
      connect(lot, to, next.quantity);
      return;
    }
    // A direct edge next to the same step through a document, such as a component move chained
    // into a finished move of its order, would only repeat it.
    const through = documentsOut[earlier];
    if (through !== undefined && through === documentsIn[later]) return;
    connect(from, to, flowQuantity(index.move(earlier), next));
  });

  vertices.sort((a, b) => compareIds(a.node.id, b.node.id));
  vertices.forEach((drawn, rank) => (drawn.rank = rank));
  // Stable, so that of two equal edges the first drawn stays.
  arcs.sort((a, b) => a.from.rank - b.from.rank || a.to.rank - b.to.rank);
  const edges: TraceEdge[] = [];
  let last: Arc | undefined;
  for (const arc of arcs) {
    if (last !== undefined && last.from === arc.from && last.to === arc.to) continue;
    last = arc;
    const { from, to, quantity } = arc;
    if (quantity === undefined) edges.push({ from: from.node.id, to: to.node.id });
    else edges.push({ from: from.node.id, to: to.node.id, quantity });
  }
  return { nodes: vertices.map((drawn) => drawn.node), edges };
}

/** A move as a node: where it went, how much, when, and by which document. */
function moveNode(move: Move, index: TraceIndex): MoveTraceNode {
  const node: Writable<MoveTraceNode> = {
    kind: 'move',
    id: traceNodeId('move', move.id),
    label: `${index.placeName(move.sourceId)} → ${index.placeName(move.destinationId)}`,
    moveId: move.id,
    productId: move.productId,
    quantity: move.quantity,
    sourceId: move.sourceId,
    destinationId: move.destinationId,
    date: move.date,
  };
  if (move.lotId !== undefined) node.lotId = move.lotId;
  if (move.origin !== undefined) node.origin = move.origin;
  return node;
}

/** The most of one product that can have gone from one move into the next. */
function flowQuantity(earlier: Move, later: Move): Decimal | undefined {
  if (earlier.productId !== later.productId) return undefined;
  if (earlier.quantity === later.quantity) return earlier.quantity;
  return compare(earlier.quantity, later.quantity) <= 0 ? earlier.quantity : later.quantity;
}

const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * The quantity of a lot at a location as moves come and go, summed exactly as an integer count
 * of the finest decimal place seen so far, so that a long time line is not formatted at each step.
 */
class Tally {
  #units = 0n;
  #places = 0;

  /** `true` while some of the lot is left. */
  get positive(): boolean {
    return this.#units > 0n;
  }

  reset() {
    this.#units = 0n;
    this.#places = 0;
  }

  /** Adds a quantity coming in, or takes away one going out. */
  add(quantity: Decimal, coming: boolean) {
    const text = PLAIN_DECIMAL.test(quantity) ? quantity : decimal(quantity);
    const point = text.indexOf('.');
    const places = point < 0 ? 0 : text.length - point - 1;
    let units = BigInt(point < 0 ? text : text.slice(0, point) + text.slice(point + 1));
    if (places > this.#places) {
      this.#units *= 10n ** BigInt(places - this.#places);
      this.#places = places;
    } else if (places < this.#places) {
      units *= 10n ** BigInt(this.#places - places);
    }
    this.#units = coming ? this.#units + units : this.#units - units;
  }
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

/** Compares by code units, never by locale, so that every replica sorts ids alike. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
