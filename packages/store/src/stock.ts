import {
  add,
  applyCount,
  compare,
  convertQuantity,
  DomainError,
  duplicateSerialConflicts,
  isOpenMove,
  negativeStockConflicts,
  outdatedCountConflicts,
  planReservation,
  quantityPlaces,
  removalStrategyFor,
  reservationVerdicts,
  stockQuantities,
  subtract,
  transitionMove,
  validateCountDraft,
  validateInventoryRows,
  validateLotDraft,
  validateMoveDraft,
  VIRTUAL_LOCATION_IDS,
  type Author,
  type Conflict,
  type Count,
  type CountDraft,
  type CountOutcome,
  type Decimal,
  type InventoryRowError,
  type Lot,
  type LotDraft,
  type Move,
  type MoveLine,
  type Product,
  type Quant,
  type Resolution,
  type StockQuantities,
} from '@kura/domain';
import type * as Y from 'yjs';

import type { Catalog } from './catalog.js';
import type { DocumentSet } from './documents.js';
import { StoreError } from './errors.js';
import { randomId } from './ids.js';
import { Ledger } from './ledger.js';
import { LedgerProjections } from './ledger-projections.js';
import { Origin } from './origins.js';
import { RecordProjection } from './projection.js';
import type { ProjectionDatabase } from './projections.js';
import { byId, insertRecord, patchRecord, type RecordMap } from './records.js';

/** What a user gives to book stock that physically moved, such as a receipt at the dock. */
export interface DoneMoveDraft {
  productId: string;
  /** In `unitId`, or in the product's unit when no unit is given. */
  quantity: Decimal | number;
  unitId?: string | undefined;
  sourceId: string;
  destinationId: string;
  lotId?: string | undefined;
  /** When it happened; now by default. */
  date?: number | undefined;
  origin?: string | undefined;
}

/** What a user gives to plan a move that will happen later. */
export type PlannedMoveDraft = DoneMoveDraft & { chainedFrom?: readonly string[] | undefined };

/** A part of an open move booked when it is validated: how much, from where, of which lot. */
export interface MovePart {
  /** In the product's unit. */
  readonly quantity: Decimal;
  /** Where it is taken from; a reserved location of that lot, else the move's source. */
  readonly locationId?: string | undefined;
  readonly lotId?: string | undefined;
}

/** How to validate an open move. */
export interface MoveValidation {
  /**
   * What was done, when less than the whole move or with other lots than reserved. A move
   * leaving stock books only what it holds; the parts must fit its reservation.
   */
  readonly parts?: readonly MovePart[] | undefined;
  /** The done moves the booked ones continue, for the trace; the move's own chain by default. */
  readonly chainedFrom?: readonly string[] | undefined;
}

/** A count as the store keeps it: pending until applied or discarded. */
export interface StoredCount extends Count {
  readonly state: 'pending' | 'applied' | 'discarded';
}

/** The outcome of an inventory import: nothing is applied unless every row is good. */
export type InventoryImportResult =
  | { readonly ok: true; readonly applied: number }
  | { readonly ok: false; readonly errors: readonly InventoryRowError[] };

/** Codes of the errors that stock commands throw besides the domain's. */
export type StockErrorCode =
  | 'product-unknown'
  | 'move-unknown'
  | 'move-not-reserved'
  | 'move-part-invalid'
  | 'count-unknown'
  | 'count-closed'
  | 'stock-insufficient'
  | 'lot-unknown'
  | 'resolution-input-missing'
  | 'import-unreadable';

/**
 * The stock of a workspace: the ledger of done moves, open moves and their reservations, lots
 * and counts, with the quantities and conflicts derived from them. Every quantity comes from
 * the done moves (facts), never from a counter that two replicas could overwrite.
 */
export class Stock {
  /** Settles when the ledger's period documents listed at start have been read. */
  readonly loaded: Promise<void>;

  readonly #doc: Y.Doc;
  readonly #catalog: Catalog;
  readonly #author: Author;
  readonly #ledger: Ledger;
  readonly #projections: LedgerProjections;
  readonly #stockLoaded: Promise<void>;
  readonly #moves: RecordProjection<Move>;
  readonly #lots: RecordProjection<Lot>;
  readonly #counts: RecordProjection<StoredCount>;
  readonly #listeners = new Set<() => void>();
  readonly #productListeners = new Set<(productIds: ReadonlySet<string>) => void>();
  /** The product of every open move seen, so that a deleted record still names its product. */
  readonly #moveProducts = new Map<string, string>();
  #conflicts: readonly Conflict[] | undefined;
  #verdicts: ReturnType<typeof reservationVerdicts> | undefined;

  /** @internal Opened by the workspace. */
  constructor(
    documents: DocumentSet,
    catalog: Catalog,
    author: Author,
    loaded: Promise<void>,
    db?: ProjectionDatabase,
  ) {
    const stock = documents.open('stock');
    this.#doc = stock.doc;
    this.#stockLoaded = stock.loaded;
    this.#catalog = catalog;
    this.#author = author;
    this.#ledger = new Ledger(documents, this.#doc);
    this.#projections = new LedgerProjections({
      ledger: this.#ledger,
      documents,
      db,
      tree: () => catalog.locationTree(),
      places: (productId) => this.#places(productId),
    });

    const changed = () => this.#changed();
    this.#moves = new RecordProjection<Move>(this.#doc.getMap('moves'), (ids) => {
      this.#changed();
      this.#productsChanged([...ids].flatMap((id) => this.#moveProduct(id) ?? []));
    });
    this.#lots = new RecordProjection<Lot>(this.#doc.getMap('lots'), changed);
    this.#counts = new RecordProjection<StoredCount>(this.#doc.getMap('counts'), changed);
    catalog.onLocations((tree) => {
      this.#quants().setTree(tree);
      this.#changed();
    });
    this.#ledger.listen({
      moves: (moves, replaced) => this.#applyDone(moves, replaced),
      reset: () => {
        this.#projections.reset();
        this.#changed();
      },
    });
    this.loaded = this.#projections.start(loaded).then(() => this.#changed());
  }

  // Commands: done moves

  /**
   * Books a move that physically happened: it goes straight to the ledger as a done move.
   *
   * @param draft - What moved, how much, from where to where.
   * @returns The done move, in the product's unit.
   * @throws {DomainError} The codes of `validateMoveDraft` and `unit-category-mismatch`.
   */
  recordMove(draft: DoneMoveDraft): Move {
    const [move] = this.recordMoves([draft]);
    return move as Move;
  }

  /**
   * Books several moves that physically happened, such as a day's work imported at once. Every
   * draft is validated before any is written, and the period documents and the directory are
   * written once for the whole batch.
   *
   * @returns The done moves, in the order of the drafts.
   * @throws {DomainError} The codes of `validateMoveDraft`; nothing is written then.
   */
  recordMoves(drafts: readonly DoneMoveDraft[]): Move[] {
    const moves = drafts.map((draft) => this.#validate(draft, 'done', randomId()));
    this.#ledger.record(moves);
    return moves;
  }

  /**
   * Books goods received from a vendor into a location.
   *
   * @returns The done move.
   * @throws {DomainError} The codes of `validateMoveDraft`.
   */
  receive(draft: Omit<DoneMoveDraft, 'sourceId' | 'destinationId'> & { locationId: string }) {
    const { locationId, ...rest } = draft;
    return this.recordMove({
      ...rest,
      sourceId: VIRTUAL_LOCATION_IDS.vendors,
      destinationId: locationId,
    });
  }

  /**
   * Books goods shipped from a location to a customer. A storable product must be available
   * there on this replica; a merge with another replica's work may still leave stock negative,
   * which then shows as a conflict.
   *
   * @returns The done move.
   * @throws {StoreError} `stock-insufficient`.
   * @throws {DomainError} The codes of `validateMoveDraft`.
   */
  deliver(draft: Omit<DoneMoveDraft, 'sourceId' | 'destinationId'> & { locationId: string }) {
    const { locationId, ...rest } = draft;
    const move = this.#validate(
      { ...rest, sourceId: locationId, destinationId: VIRTUAL_LOCATION_IDS.customers },
      'done',
      randomId(),
    );
    this.#requireAvailable(move);
    this.#ledger.record([move]);
    return move;
  }

  // Commands: open moves

  /**
   * Plans a move that will happen later, in the draft state.
   *
   * @returns The open move.
   * @throws {DomainError} The codes of `validateMoveDraft`.
   */
  planMove(draft: PlannedMoveDraft): Move {
    const move = this.#validate(draft, 'draft', randomId());
    this.#doc.transact(() => insertRecord(this.#moveMap, move.id, move), Origin.command);
    return move;
  }

  /**
   * Confirms a planned move: it now counts in the forecast, and waits for the moves it is
   * chained to.
   *
   * @throws {StoreError} `move-unknown`.
   * @throws {DomainError} `move-transition-forbidden`.
   */
  confirmMove(id: string): Move {
    const move = this.#openMove(id);
    const waits = (move.chainedFrom ?? []).some((before) => this.#moves.get(before) !== undefined);
    return this.#write(transitionMove(move, waits ? 'waiting' : 'confirmed'));
  }

  /**
   * Reserves stock for a confirmed move leaving its source, in the removal order of the
   * product or location (FIFO, FEFO or LIFO). A partial reservation holds what there is and the
   * move stays confirmed; a full one makes it assigned. A move naming a lot holds only that lot.
   *
   * @param options - `onlyMore`: write only when the move would hold more than it does, as
   *   automations do, so that stock they cannot take does not make them write again and again.
   * @returns The move with its reservation.
   * @throws {StoreError} `move-unknown`.
   * @throws {DomainError} `move-transition-forbidden`.
   */
  reserveMove(id: string, options: { onlyMore?: boolean } = {}): Move {
    const move = this.#openMove(id);
    const product = this.#product(move.productId);
    const tree = this.#catalog.locationTree();
    const held = this.#heldByOthers(move.id);
    const plan = planReservation({
      productId: move.productId,
      quantity: move.quantity,
      quants: this.#quants()
        .quants(move.productId, move.sourceId)
        .filter((quant) => move.lotId === undefined || quant.lotId === move.lotId),
      reservedElsewhere: (quant) => held.get(bucketKey(quant)) ?? '0',
      strategy: removalStrategyFor(product, move.sourceId, tree),
      lots: this.lots(move.productId),
      within: (locationId) => tree.isWithin(locationId, move.sourceId),
      serial: product.tracking === 'serial',
    });

    const holds = (move.reservation?.lines ?? []).reduce(
      (sum, line) => add(sum, line.quantity),
      '0',
    );
    if (options.onlyMore === true && compare(plan.reserved, holds) <= 0) return move;

    const full = compare(plan.missing, '0') <= 0;
    const reserved = full ? transitionMove(move, 'assigned') : move;
    return this.#write({
      ...reserved,
      reservation: { lines: plan.lines, at: Date.now(), client: this.#author.client },
    });
  }

  /**
   * Gives back the stock a move holds; it goes back to confirmed.
   *
   * @throws {StoreError} `move-unknown`.
   */
  unreserveMove(id: string): Move {
    const move = this.#openMove(id);
    const confirmed = move.state === 'assigned' ? transitionMove(move, 'confirmed') : move;
    return this.#write({ ...confirmed, reservation: undefined });
  }

  /**
   * Validates a move: its reserved lines, or the parts given, become done moves in the ledger,
   * one per location and lot, and the open move is closed. A validation is a person's word that
   * goods moved, not an automation; the done moves' ids derive from the move, the location and
   * the lot, so two replicas that validate one move while apart book it once.
   *
   * @param id - The open move.
   * @param options - The parts done, when not the whole move as reserved, and the done moves the
   *   booked ones continue. What a partial validation leaves is the caller's to plan again.
   * @returns The done moves.
   * @throws {StoreError} `move-unknown`; `move-not-reserved` when a move leaving stock holds less
   *   than it books; `move-part-invalid` when the parts are empty, repeat a location and lot, or
   *   add up to more than the move.
   * @throws {DomainError} `move-transition-forbidden` and the codes of `validateMoveDraft`.
   */
  validateMove(id: string, options: MoveValidation = {}): Move[] {
    const move = this.#openMove(id);
    transitionMove(move, 'done');
    const tree = this.#catalog.locationTree();
    const leavesStock = tree.descendants(move.sourceId).some((location) => tree.internal(location));
    const reserved = move.reservation?.lines ?? [];
    const parts = this.#parts(move, options.parts, reserved);
    if (leavesStock && this.#isStorable(move.productId)) this.#requireHeld(move, parts, reserved);

    const done = parts.map((part) =>
      this.#validate(
        {
          productId: move.productId,
          quantity: part.quantity,
          sourceId: part.locationId,
          destinationId: move.destinationId,
          lotId: part.lotId,
          origin: move.origin,
          date: Date.now(),
          chainedFrom: options.chainedFrom ?? move.chainedFrom,
        },
        'done',
        // Derived from the move and the part: two replicas validating one move while apart
        // write the same facts, and the ledger keeps one version of each.
        `done:${move.id}:${part.locationId}:${part.lotId ?? ''}`,
      ),
    );

    this.#ledger.record(done);
    this.#doc.transact(() => this.#moveMap.delete(id), Origin.command);
    return done;
  }

  /**
   * Plans moves with the ids their cause gives them, such as the steps of a sale's delivery, in
   * one transaction. A move whose id exists already is left as it is, so a cause planned twice,
   * on one replica or on two, plans its moves once.
   *
   * @internal Used by the operations, which derive the ids.
   * @returns The moves as stored.
   * @throws {DomainError} The codes of `validateMoveDraft`; nothing is written then.
   */
  planMoves(
    drafts: readonly (PlannedMoveDraft & { id: string; state: 'confirmed' | 'waiting' })[],
  ): Move[] {
    const moves = drafts.map((draft) => ({
      ...this.#validate(draft, 'draft', draft.id),
      state: draft.state,
    }));
    this.#doc.transact(() => {
      for (const move of moves) {
        if (!this.#moveMap.has(move.id)) insertRecord(this.#moveMap, move.id, move);
      }
    }, Origin.command);
    return moves.map((move) => this.#moves.get(move.id) ?? move);
  }

  /**
   * Books done moves whose ids their cause gives them, such as the moves of a production.
   *
   * @internal Used by the operations, which derive the ids.
   * @returns The done moves.
   * @throws {DomainError} The codes of `validateMoveDraft`; nothing is written then.
   */
  recordDone(drafts: readonly (PlannedMoveDraft & { id: string })[]): Move[] {
    const moves = drafts.map((draft) => this.#validate(draft, 'done', draft.id));
    this.#ledger.record(moves);
    return moves;
  }

  /**
   * Moves a waiting move on once the moves it waits for are done, and confirms nothing else.
   *
   * @internal Used by the operations after a validation.
   * @returns The move, confirmed when nothing it is chained from is still open.
   */
  releaseMove(id: string): Move | undefined {
    const move = this.#moves.get(id);
    if (move?.state !== 'waiting') return move;
    const waits = (move.chainedFrom ?? []).some((before) => this.#moves.get(before) !== undefined);
    return waits ? move : this.#write(transitionMove(move, 'confirmed'));
  }

  /**
   * Cancels an open move; what it held is free again.
   *
   * @throws {StoreError} `move-unknown`.
   * @throws {DomainError} `move-transition-forbidden`.
   */
  cancelMove(id: string): Move {
    const move = this.#openMove(id);
    return this.#write({ ...transitionMove(move, 'cancelled'), reservation: undefined });
  }

  // Commands: lots and counts

  /**
   * Records a lot or serial number of a product. Its id derives from the product and the name,
   * so two replicas that record the same lot offline end with one record.
   *
   * @returns The lot.
   * @throws {StoreError} `product-unknown`.
   * @throws {DomainError} The codes of `validateLotDraft`.
   */
  createLot(draft: LotDraft): Lot {
    const product = this.#product(draft.productId);
    const fields = validateLotDraft(draft, this.lots(draft.productId), product.tracking);
    const id = lotId(fields.productId, fields.name);
    const lot: Lot = { ...fields, id: this.#lots.get(id) === undefined ? id : randomId() };

    this.#doc.transact(() => insertRecord(this.#lotMap, lot.id, lot), Origin.command);
    return lot;
  }

  /**
   * Records what someone counted. The quantity on hand this replica shows now is kept with it,
   * so that a move booked elsewhere meanwhile makes the count outdated instead of erased.
   *
   * @returns The pending count.
   * @throws {StoreError} `product-unknown`.
   * @throws {DomainError} The codes of `validateCountDraft`.
   */
  recordCount(draft: CountDraft): StoredCount {
    const product = this.#product(draft.productId);
    const unit = this.#catalog.unit(product.unitId);
    const counted = validateCountDraft(draft, {
      tracking: product.tracking,
      rounding: unit.rounding,
    });
    const count: StoredCount = {
      id: randomId(),
      productId: draft.productId,
      locationId: draft.locationId,
      lotId: draft.lotId,
      counted,
      expected: this.#bucket(draft.productId, draft.locationId, draft.lotId),
      at: Date.now(),
      author: this.#author,
      state: 'pending',
    };

    this.#doc.transact(() => insertRecord(this.#countMap, count.id, count), Origin.command);
    return count;
  }

  /**
   * Applies a pending count: one move to or from the inventory location for the difference with
   * the quantity on hand now. An outdated count is not applied unless `confirmOutdated` is set.
   * The move's id derives from the count's, so applying it twice books it once.
   *
   * @returns What happened: a move, nothing to book, or outdated.
   * @throws {StoreError} `count-unknown` or `count-closed`.
   */
  applyCount(id: string, options: { confirmOutdated?: boolean } = {}): CountOutcome {
    const count = this.#pendingCount(id);
    const unit = this.#catalog.unit(this.#product(count.productId).unitId);
    const current = this.#bucket(count.productId, count.locationId, count.lotId);
    const outcome = applyCount(count, current, {
      inventoryLocationId: VIRTUAL_LOCATION_IDS.inventory,
      confirmOutdated: options.confirmOutdated,
      rounding: unit.rounding,
    });
    if (outcome.kind === 'outdated') return outcome;

    if (outcome.kind === 'move') {
      // Two replicas applying one count write one fact: same id, and the same date, so that the
      // version the document keeps arrives at the same time whichever it is.
      const move = { ...outcome.move, date: count.at };
      this.#ledger.record([this.#validate(move, 'done', `count-${count.id}`)]);
    }
    this.#doc.transact(
      () => patchRecord(this.#countMap.get(id) as Y.Map<unknown>, { state: 'applied' }),
      Origin.command,
    );
    return outcome;
  }

  /**
   * Drops a pending count without booking anything.
   *
   * @throws {StoreError} `count-unknown` or `count-closed`.
   */
  discardCount(id: string): void {
    this.#pendingCount(id);
    this.#doc.transact(
      () => patchRecord(this.#countMap.get(id) as Y.Map<unknown>, { state: 'discarded' }),
      Origin.command,
    );
  }

  // Commands: conflicts

  /**
   * Settles a conflict with one of the resolutions it offers, as the user picked it.
   *
   * - `unreserve`: drops the move's reservation; `confirm-count` and `discard-count`: applies the
   *   outdated count anyway, or drops it.
   * - `count`: records what is on the shelf (`input.counted`) and applies it at once.
   * - `rename-serial`: books the unit at `input.locationId` out of the shared serial number and
   *   back in under its real one, `input.name`: through the vendors when the serial was received
   *   twice (the receipt is corrected), else through the inventory location.
   *
   * @returns What the resolution wrote: the move unreserved, the count outcome, the moves of a
   *   renamed serial, or nothing for a discarded count.
   * @throws {StoreError} `resolution-input-missing` when the resolution needs input it lacks,
   *   and the codes of the command it runs; nothing is written then.
   */
  resolveConflict(
    resolution: Resolution,
    input: { counted?: string; name?: string; locationId?: string } = {},
  ): Move | CountOutcome | Move[] | undefined {
    switch (resolution.kind) {
      case 'unreserve':
        return this.unreserveMove(resolution.moveId);
      case 'confirm-count':
        return this.applyCount(resolution.countId, { confirmOutdated: true });
      case 'discard-count':
        this.discardCount(resolution.countId);
        return undefined;
      case 'count': {
        const counted = required(input.counted, 'the quantity counted');
        const { productId, locationId, lotId } = resolution;
        const count = this.recordCount({ productId, locationId, lotId, counted });
        return this.applyCount(count.id, { confirmOutdated: true });
      }
      case 'rename-serial':
        return this.#renameSerial(
          resolution.lotId,
          required(input.locationId, 'the location of the unit to rename'),
          required(input.name, 'its real serial number'),
        );
    }
  }

  /**
   * Imports an initial inventory from CSV text with the columns product (reference or barcode),
   * location (name), lot, quantity and unit. Every row is checked first; a file with any bad row
   * applies nothing and reports every bad row with its line and reason.
   *
   * @param csv - The file's text.
   * @returns A promise of the number of rows applied, or of every error.
   * @throws {StoreError} `import-unreadable` when the text is not CSV with a header row.
   */
  async importInventory(csv: string): Promise<InventoryImportResult> {
    // Loaded on first use: the parser is CommonJS and most pages never import a file.
    const { default: Papa } = await import('papaparse');
    const parsed = Papa.parse<Record<string, string>>(csv.trim(), {
      header: true,
      skipEmptyLines: false,
    });
    if (parsed.meta.fields === undefined || parsed.meta.fields.length === 0) {
      throw new StoreError<StockErrorCode>('import-unreadable', 'the file has no header row');
    }

    const catalog = this.#catalog;
    const tree = catalog.locationTree();
    const products = catalog.products();
    const result = validateInventoryRows(parsed.data, {
      productByReferenceOrBarcode: (text) =>
        products.find((product) => product.reference === text || product.barcode === text),
      locationByName: (name) =>
        tree
          .locations()
          .find((location) => location.name === name || tree.fullName(location.id) === name),
      unitByName: (name) => catalog.units().find((unit) => unit.name === name || unit.id === name),
      convert: (quantity, from, to) =>
        convertQuantity(quantity, catalog.unit(from), catalog.unit(to)),
    });
    if (!result.ok) return { ok: false, errors: result.errors };

    const moves: Move[] = [];
    for (const row of result.counts) {
      const lot =
        row.lotName === undefined ? undefined : this.ensureLot(row.productId, row.lotName);
      const current = this.#bucket(row.productId, row.locationId, lot?.id);
      const outcome = applyCount(
        {
          id: randomId(),
          productId: row.productId,
          locationId: row.locationId,
          lotId: lot?.id,
          counted: row.quantity,
          expected: current,
          at: Date.now(),
          author: this.#author,
        },
        current,
        {
          inventoryLocationId: VIRTUAL_LOCATION_IDS.inventory,
          rounding: this.#rounding(row.productId),
        },
      );
      if (outcome.kind === 'move') moves.push(this.#validate(outcome.move, 'done', randomId()));
    }
    this.#ledger.record(moves);
    return { ok: true, applied: result.counts.length };
  }

  // Queries

  /**
   * The quantities of a product in a location or warehouse with its children.
   *
   * @param productId - The product.
   * @param scopeId - A location, or a warehouse's view location.
   * @param at - When given, incoming and outgoing count the open moves planned up to it, so the
   *   forecast is the one at that instant; on hand is the stock now.
   * @returns On hand, reserved, available, incoming, outgoing and forecast, in the product's unit.
   */
  quantities(productId: string, scopeId: string, at?: number): StockQuantities {
    const open = [...this.#moves.all().values()].filter(
      (move) => move.productId === productId && isOpenMove(move.state),
    );
    const kept = this.#reservationVerdicts().kept;
    const holding = open.map((move) =>
      kept.has(move.id) || move.reservation === undefined
        ? move
        : { ...move, reservation: undefined },
    );
    const planned = stockQuantities(holding, productId, scopeId, this.#catalog.locationTree(), {
      at,
    });
    const onHand = this.#quants().onHand(productId, scopeId);

    return {
      onHand,
      reserved: planned.reserved,
      available: subtract(onHand, planned.reserved),
      incoming: planned.incoming,
      outgoing: planned.outgoing,
      forecast: subtract(add(onHand, planned.incoming), planned.outgoing),
    };
  }

  /** @returns The quantity of a product on hand in a location or warehouse with its children. */
  onHand(productId: string, scopeId: string): Decimal {
    return this.#quants().onHand(productId, scopeId);
  }

  /**
   * The quantity of a product on hand, as soon as it is known for sure: at a cold start, from
   * the persisted quants before the catalog is decoded, when no move was written since they
   * were saved; otherwise once {@link loaded} settles.
   *
   * @returns The quantity on hand in a location or warehouse with its children.
   */
  async readOnHand(productId: string, scopeId: string): Promise<Decimal> {
    return this.#projections.readOnHand(productId, scopeId, this.#stockLoaded, this.loaded);
  }

  /**
   * The done moves of a lot or serial across every period, for its trace: the persisted ones and
   * those received since, recorded late by an offline device included.
   *
   * @returns The moves, by date then id.
   */
  async lotMoves(lotId: string): Promise<Move[]> {
    return this.#projections.movesOfLot(lotId);
  }

  /**
   * Writes the ledger's directory now. Commands write it once at the end of the task that ran
   * them; tools that hand documents over within that task call this first.
   */
  announce(): void {
    this.#ledger.announce();
  }

  /**
   * @returns A promise that settles when every ledger period opened so far, at start or because
   *   another replica wrote to it, has been read and counted.
   */
  async settled(): Promise<void> {
    await this.loaded;
    await this.#ledger.settled();
  }

  /** Persists the derived quantities and lot index now, as a workspace does before it closes. */
  async flush(): Promise<void> {
    await this.#projections.flush();
  }

  /** @internal Persists what changed and stops saving; called when the workspace closes. */
  async close(): Promise<void> {
    await this.#projections.close();
  }

  /** @returns The non-empty quants of a product, optionally within a scope. */
  quants(productId: string, scopeId?: string): Quant[] {
    return this.#quants().quants(productId, scopeId);
  }

  /** @returns The moves not yet done, cancelled ones included, ordered by id. */
  openMoves(): Move[] {
    return byId([...this.#moves.all().values()]);
  }

  /** @returns The lots of a product, or of every product, ordered by id. */
  lots(productId?: string): Lot[] {
    const lots = byId([...this.#lots.all().values()]);
    return productId === undefined ? lots : lots.filter((lot) => lot.productId === productId);
  }

  /** @returns Every count, pending or closed, ordered by id. */
  counts(): StoredCount[] {
    return byId([...this.#counts.all().values()]);
  }

  /**
   * The rules a merge broke, the same list with the same ids on every replica that has the same
   * data: reservations that no longer fit, negative stock, duplicate serials, outdated counts.
   *
   * @returns The conflicts, sorted by id.
   */
  conflicts(): readonly Conflict[] {
    this.#conflicts ??= this.#computeConflicts();
    return this.#conflicts;
  }

  /**
   * Calls `listener` after every change of the stock, local or remote.
   *
   * @returns A function that stops the calls.
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Calls `listener` with the products whose stock or open moves changed, after each change,
   * local or remote: what automations such as the reorder scheduler watch.
   *
   * @returns A function that stops the calls.
   */
  subscribeProducts(listener: (productIds: ReadonlySet<string>) => void): () => void {
    this.#productListeners.add(listener);
    return () => this.#productListeners.delete(listener);
  }

  /** @returns The open move with that id, if there is one. */
  openMove(id: string): Move | undefined {
    return this.#moves.get(id);
  }

  /** @returns The ledger's period documents that any replica has written to, oldest first. */
  periods(): string[] {
    return this.#ledger.periods();
  }

  // Internals

  get #moveMap(): RecordMap {
    return this.#doc.getMap('moves');
  }

  get #lotMap(): RecordMap {
    return this.#doc.getMap('lots');
  }

  get #countMap(): RecordMap {
    return this.#doc.getMap('counts');
  }

  #validate(draft: PlannedMoveDraft, state: 'draft' | 'done', id: string): Move {
    const product = this.#product(draft.productId);
    const catalog = this.#catalog;
    const unitId = draft.unitId ?? product.unitId;
    const entered = String(draft.quantity);
    const quantity =
      unitId === product.unitId
        ? entered
        : convertQuantity(entered, catalog.unit(unitId), catalog.unit(product.unitId));

    return validateMoveDraft(
      {
        id,
        productId: draft.productId,
        quantity,
        entered: unitId === product.unitId ? undefined : { quantity: entered, unitId },
        sourceId: draft.sourceId,
        destinationId: draft.destinationId,
        lotId: draft.lotId,
        state,
        origin: draft.origin,
        date: draft.date ?? Date.now(),
        chainedFrom: draft.chainedFrom,
        author: this.#author,
      },
      {
        products: catalog.productMap(),
        tree: catalog.locationTree(),
        places: (productId) => this.#places(productId),
      },
    );
  }

  /** The parts a validation books: those given, else the reservation, else the whole move. */
  #parts(
    move: Move,
    given: readonly MovePart[] | undefined,
    reserved: readonly MoveLine[],
  ): MoveLine[] {
    if (given === undefined) {
      return reserved.length > 0
        ? [...reserved]
        : [{ locationId: move.sourceId, lotId: move.lotId, quantity: move.quantity }];
    }
    const seen = new Set<string>();
    let total = '0';
    const parts = given.map((part) => {
      const lotId = part.lotId ?? move.lotId;
      const locationId =
        part.locationId ??
        reserved.find((line) => line.lotId === lotId)?.locationId ??
        move.sourceId;
      const key = bucketKey({ locationId, lotId });
      if (seen.has(key) || compare(part.quantity, '0') <= 0) {
        throw new StoreError<StockErrorCode>(
          'move-part-invalid',
          `move "${move.id}" is validated with ${part.quantity} at ${locationId}` +
            `${lotId === undefined ? '' : ` of lot ${lotId}`}; give each location and lot once, ` +
            'with a quantity above zero',
        );
      }
      seen.add(key);
      total = add(total, part.quantity);
      return { quantity: part.quantity, locationId, lotId };
    });
    if (parts.length === 0 || compare(total, move.quantity) > 0) {
      throw new StoreError<StockErrorCode>(
        'move-part-invalid',
        `move "${move.id}" is for ${move.quantity} and is validated with ${total}; ` +
          "book between the smallest unit and the move's quantity",
      );
    }
    return parts;
  }

  /** Refuses to book, out of stock, more of a bucket than the move holds there. */
  #requireHeld(move: Move, parts: readonly MovePart[], reserved: readonly MoveLine[]): void {
    for (const part of parts) {
      const key = bucketKey({ locationId: part.locationId ?? move.sourceId, lotId: part.lotId });
      const held = reserved
        .filter((line) => bucketKey(line) === key)
        .reduce((sum, line) => add(sum, line.quantity), '0');
      if (compare(held, part.quantity) < 0) {
        throw new StoreError<StockErrorCode>(
          'move-not-reserved',
          `move "${move.id}" holds ${held} of ${part.quantity} at ${part.locationId ?? ''}` +
            `${part.lotId === undefined ? '' : ` of lot ${part.lotId}`}; reserve it before ` +
            'validating',
        );
      }
    }
  }

  #requireAvailable(move: Move): void {
    if (!this.#isStorable(move.productId)) return;

    const available =
      move.lotId === undefined
        ? this.quantities(move.productId, move.sourceId).available
        : this.#quantOnHand(move.productId, move.sourceId, move.lotId);
    if (compare(available, move.quantity) < 0) {
      throw new StoreError<StockErrorCode>(
        'stock-insufficient',
        `only ${available} available at ${move.sourceId}, ${move.quantity} asked`,
      );
    }
  }

  /** The quantity of exactly one (product, location, lot) bucket, as counts and verdicts see it. */
  #bucket(productId: string, locationId: string, lotId: string | undefined): Decimal {
    return this.#quants().quant(productId, locationId, lotId)?.quantity ?? '0';
  }

  #quantOnHand(productId: string, locationId: string, lotId: string | undefined): Decimal {
    if (lotId === undefined) return this.#quants().onHand(productId, locationId);
    return this.#quants()
      .quants(productId, locationId)
      .filter((quant) => quant.lotId === lotId)
      .reduce((sum, quant) => add(sum, quant.quantity), '0');
  }

  /** The quantity other open moves hold per (location, lot) bucket. */
  #heldByOthers(moveId: string): Map<string, Decimal> {
    const kept = this.#reservationVerdicts().kept;
    const held = new Map<string, Decimal>();
    for (const move of this.#moves.all().values()) {
      if (move.id === moveId || !kept.has(move.id)) continue;
      for (const line of move.reservation?.lines ?? []) {
        const key = bucketKey(line);
        held.set(key, add(held.get(key) ?? '0', line.quantity));
      }
    }
    return held;
  }

  #reservationVerdicts() {
    this.#verdicts ??= reservationVerdicts(
      (productId, locationId, lotId) => this.#bucket(productId, locationId, lotId),
      [...this.#moves.all().values()],
    );
    return this.#verdicts;
  }

  #computeConflicts(): Conflict[] {
    const catalog = this.#catalog;
    const tree = catalog.locationTree();
    const isInternal = (locationId: string) => tree.internal(locationId);
    const serialProducts = new Set(
      catalog
        .products()
        .filter((product) => product.tracking === 'serial')
        .map(({ id }) => id),
    );
    const serialQuants = [...serialProducts].flatMap((productId) =>
      this.#quants().quants(productId),
    );
    const supplierMoves = this.#projections.supplierLotMoves();
    const vendors = VIRTUAL_LOCATION_IDS.vendors;
    const pending = this.counts().filter((count) => count.state === 'pending');

    return [
      ...this.#reservationVerdicts().conflicts,
      ...negativeStockConflicts(this.#quants().negativeQuants(), isInternal),
      ...duplicateSerialConflicts({
        quants: serialQuants,
        lots: this.lots().filter((lot) => serialProducts.has(lot.productId)),
        serialProducts,
        receipts: supplierMoves.filter((move) => tree.isWithin(move.sourceId, vendors)),
        returns: supplierMoves.filter((move) => tree.isWithin(move.destinationId, vendors)),
        isInternal,
      }),
      ...outdatedCountConflicts(
        pending,
        (productId, locationId, lotId) => this.#bucket(productId, locationId, lotId),
        (productId) => this.#rounding(productId),
      ),
    ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  #quants() {
    return this.#projections.quants;
  }

  #applyDone(moves: readonly Move[], replaced: readonly Move[]): void {
    if (!this.#projections.apply(moves, replaced)) return;
    this.#changed();
    this.#productsChanged([...moves, ...replaced].map((move) => move.productId));
  }

  #moveProduct(id: string): string | undefined {
    const productId = this.#moves.get(id)?.productId ?? this.#moveProducts.get(id);
    if (productId !== undefined) this.#moveProducts.set(id, productId);
    return productId;
  }

  #productsChanged(productIds: readonly string[]): void {
    if (productIds.length === 0 || this.#productListeners.size === 0) return;
    const changed = new Set(productIds);
    for (const listener of this.#productListeners) listener(changed);
  }

  #changed(): void {
    this.#conflicts = undefined;
    this.#verdicts = undefined;
    for (const listener of this.#listeners) listener();
  }

  #write(move: Move): Move {
    const record = this.#moveMap.get(move.id);
    this.#doc.transact(() => {
      if (record === undefined) insertRecord(this.#moveMap, move.id, move);
      else patchRecord(record, move);
    }, Origin.command);
    return this.#moves.get(move.id) ?? move;
  }

  #openMove(id: string): Move {
    const move = this.#moves.get(id);
    if (move === undefined) {
      throw new StoreError<StockErrorCode>('move-unknown', `no open move has the id "${id}"`);
    }
    return move;
  }

  #pendingCount(id: string): StoredCount {
    const count = this.#counts.get(id);
    if (count === undefined) {
      throw new StoreError<StockErrorCode>('count-unknown', `no count has the id "${id}"`);
    }
    if (count.state !== 'pending') {
      throw new StoreError<StockErrorCode>(
        'count-closed',
        `count "${id}" is ${count.state} already`,
      );
    }
    return count;
  }

  #renameSerial(sharedId: string, locationId: string, name: string): Move[] {
    const shared = this.#lots.get(sharedId);
    if (shared === undefined) {
      throw new StoreError<StockErrorCode>('lot-unknown', `no lot has the id "${sharedId}"`);
    }
    const { productId } = shared;
    if (lotId(productId, name.trim()) === sharedId) {
      throw new StoreError<StockErrorCode>(
        'resolution-input-missing',
        `"${name}" is the serial number being renamed; give the unit its real one`,
      );
    }
    // A serial received twice was one unit misread at receipt: the receipt is corrected, so the
    // vendor's side of the history says so too. Otherwise the count of the two is corrected.
    const vendors = VIRTUAL_LOCATION_IDS.vendors;
    const tree = this.#catalog.locationTree();
    const supplied = this.#projections.supplierLotMoves().filter((move) => move.lotId === sharedId);
    const received = supplied.filter((move) => tree.isWithin(move.sourceId, vendors)).length;
    const returned = supplied.filter((move) => tree.isWithin(move.destinationId, vendors)).length;
    const through = received - returned > 1 ? vendors : VIRTUAL_LOCATION_IDS.inventory;
    const unit = { productId, quantity: 1 };
    const out = this.#validate(
      { ...unit, sourceId: locationId, destinationId: through, lotId: sharedId },
      'done',
      randomId(),
    );
    const renamed = this.ensureLot(productId, name.trim());
    const back = this.#validate(
      { ...unit, sourceId: through, destinationId: locationId, lotId: renamed.id },
      'done',
      randomId(),
    );
    this.#ledger.record([out, back]);
    return [out, back];
  }

  /**
   * The lot of a product by name, recorded when it does not exist yet, as at a receipt.
   *
   * @internal Used by the operations.
   * @throws {DomainError} The codes of `validateLotDraft`.
   */
  ensureLot(productId: string, name: string): Lot {
    return (
      this.lots(productId).find((lot) => lot.name === name) ?? this.createLot({ productId, name })
    );
  }

  /**
   * Refuses to take more of a product, or of one lot of it, than is on hand at a location.
   *
   * @internal Used by the operations before booking consumption.
   * @throws {StoreError} `stock-insufficient`.
   */
  requireOnHand(
    productId: string,
    locationId: string,
    lotId: string | undefined,
    quantity: Decimal,
  ): void {
    if (!this.#isStorable(productId)) return;
    const onHand = this.#quantOnHand(productId, locationId, lotId);
    if (compare(onHand, quantity) < 0) {
      const where = lotId === undefined ? locationId : `${locationId} of lot ${lotId}`;
      throw new StoreError<StockErrorCode>(
        'stock-insufficient',
        `only ${onHand} on hand at ${where}, ${quantity} asked`,
      );
    }
  }

  #product(id: string): Product {
    const product = this.#catalog.product(id);
    if (product === undefined) {
      throw new StoreError<StockErrorCode>('product-unknown', `no product has the id "${id}"`);
    }
    return product;
  }

  #isStorable(productId: string): boolean {
    return this.#catalog.product(productId)?.type === 'storable';
  }

  #places(productId: string): number {
    const product = this.#catalog.product(productId);
    if (product === undefined) return 0;
    try {
      return quantityPlaces(this.#catalog.unit(product.unitId));
    } catch (error) {
      if (error instanceof DomainError) return 0;
      throw error;
    }
  }

  #rounding(productId: string): Decimal {
    const product = this.#catalog.product(productId);
    return product === undefined ? '0.01' : this.#catalog.unit(product.unitId).rounding;
  }
}

/** The id of a lot: derived from its product and name, so replicas agree on it. */
export function lotId(productId: string, name: string): string {
  return `lot:${productId}:${encodeURIComponent(name)}`;
}

/** @returns The input a resolution needs. */
function required(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '') {
    throw new StoreError<StockErrorCode>(
      'resolution-input-missing',
      `this resolution needs ${what}`,
    );
  }
  return value;
}

function bucketKey(line: { locationId: string; lotId?: string | undefined }): string {
  return `${line.locationId}\u0000${line.lotId ?? ''}`;
}
