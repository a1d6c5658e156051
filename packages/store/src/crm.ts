import {
  KpiIndex,
  markLost,
  markWon,
  moveOpportunity,
  needsStage,
  orderedStages,
  pipelineFromTemplate,
  pipelineHints,
  positionBetween,
  reopen,
  validateOpportunityDraft,
  validatePipeline,
  validatePipelineStages,
  validateStage,
  b2bFlags,
  comparePlacement,
  type CrmKpis,
  type KpiPeriod,
  type Opportunity,
  type Pipeline,
  type Stage,
  type StageChange,
} from '@kura/domain';
import type * as Y from 'yjs';

import { StoreError } from './errors.js';
import { randomId } from './ids.js';
import { Origin } from './origins.js';
import { RecordProjection } from './projection.js';
import { byId, insertRecord, patchRecord, type RecordMap } from './records.js';

/** The template keys of the guide's pipelines. */
export type PipelineTemplateKey = Parameters<typeof pipelineFromTemplate>[0];

/** What a user types to add a stage. */
export interface StageInput {
  name: string;
  folded?: boolean | undefined;
  won?: boolean | undefined;
  requirement?: string | undefined;
  /** After the last stage when absent. */
  sequence?: number | undefined;
}

/** What a user types to add a pipeline with its stages. */
export interface PipelineInput {
  name: string;
  dailyCost?: string | number | undefined;
  currency?: string | undefined;
  stages: readonly StageInput[];
}

/** What a user types for an opportunity; the store fills in its placement and status. */
export type OpportunityInput = Omit<
  Opportunity,
  | 'id'
  | 'placement'
  | 'status'
  | 'lostReason'
  | 'createdAt'
  | 'closedAt'
  | 'expectedRevenue'
  | 'probability'
  | 'priority'
  | 'tags'
  | 'currency'
> & {
  expectedRevenue?: string | number | undefined;
  probability?: number | undefined;
  priority?: number | undefined;
  tags?: readonly string[] | undefined;
  currency?: string | undefined;
  /** The pipeline's first stage when absent. */
  stageId?: string | undefined;
};

/** Where to move a card: a stage, and the cards it goes between there. */
export interface MoveTarget {
  stageId: string;
  /** The card it goes after; the top of the stage when absent and `beforeId` too. */
  afterId?: string | undefined;
  /** The card it goes before; the bottom of the stage when absent. */
  beforeId?: string | undefined;
}

/** A column of the board. */
export interface BoardColumn {
  readonly stage: Stage;
  /** By position, then id. */
  readonly opportunities: readonly Opportunity[];
}

/** A pipeline as the board shows it. */
export interface Board {
  readonly pipeline: Pipeline;
  readonly columns: readonly BoardColumn[];
  /** Cards whose stage was deleted while they moved into it: they need a stage. */
  readonly homeless: readonly Opportunity[];
}

/** A rule a merge broke in the CRM, the same on every replica with the same data. */
export interface CrmConflict {
  /** `needs-stage:<opportunity>`. */
  readonly id: string;
  readonly kind: 'needs-stage';
  readonly opportunityId: string;
  /** The stage it was moved into, which no longer exists. */
  readonly stageId: string;
}

/** A move of this replica that another replica's move of the same card replaced. */
export interface LostMove {
  readonly opportunityId: string;
  /** Where this replica put the card. */
  readonly mine: Opportunity['placement'];
  /** Where it is now. */
  readonly kept: Opportunity['placement'];
}

/** Codes of the errors that CRM commands throw besides the domain's. */
export type CrmErrorCode =
  'pipeline-unknown' | 'stage-unknown' | 'stage-not-empty' | 'opportunity-unknown';

/**
 * The CRM of a workspace, in the `crm` document: pipelines and their stages, opportunities with
 * their placement on the board, and the stage history as facts. A card's stage and position are
 * one value, so two people moving one card end with one of the two moves, the same everywhere,
 * and the one whose move lost hears of it. The KPIs follow every change, local or remote.
 */
export class Crm {
  readonly #doc: Y.Doc;
  readonly #user: string;
  readonly #pipelines: RecordProjection<Pipeline>;
  readonly #stages: RecordProjection<Stage>;
  readonly #opportunities: RecordProjection<Opportunity>;
  readonly #history = new Map<string, StageChange>();
  readonly #listeners = new Set<() => void>();
  readonly #lostListeners = new Set<(lost: LostMove) => void>();
  /** The placements this replica wrote, by opportunity, until another replica's replaces one. */
  readonly #mine = new Map<string, Opportunity['placement']>();
  readonly #kpis = new Map<string, KpiIndex>();

  /** @internal Opened by the workspace. */
  constructor(doc: Y.Doc, user: string) {
    this.#doc = doc;
    this.#user = user;
    const changed = () => {
      for (const listener of this.#listeners) listener();
    };
    this.#pipelines = new RecordProjection<Pipeline>(doc.getMap('pipelines'), changed);
    this.#stages = new RecordProjection<Stage>(doc.getMap('stages'), changed);
    this.#opportunities = new RecordProjection<Opportunity>(doc.getMap('opportunities'), (ids) => {
      this.#opportunitiesChanged(ids);
      changed();
    });
    const history = doc.getMap<StageChange>('stageHistory');
    for (const [id, change] of history) this.#history.set(id, { ...change, id });
    history.observe((event) => {
      const touched = new Set<string>();
      for (const id of event.keysChanged) {
        const change = history.get(id);
        if (change === undefined) continue;
        this.#history.set(id, { ...change, id });
        touched.add(change.opportunityId);
      }
      for (const id of touched) this.#historyChanged(id);
      changed();
    });
  }

  // Commands: pipelines and stages

  /**
   * Adds a pipeline with its stages, in one transaction.
   *
   * @returns The pipeline.
   * @throws {DomainError} The codes of `validatePipeline` and `validateStage`, and
   *   `pipeline-stages-empty` for a pipeline without stages; nothing is written then.
   */
  createPipeline(input: PipelineInput): Pipeline {
    const id = randomId();
    const pipeline = validatePipeline({
      id,
      name: input.name,
      dailyCost: input.dailyCost === undefined ? undefined : String(input.dailyCost),
      currency: input.currency ?? 'EUR',
    });
    const stages = input.stages.map((stage, index) =>
      validateStage({
        ...stage,
        id: randomId(),
        pipelineId: id,
        sequence: stage.sequence ?? (index + 1) * 10,
        folded: stage.folded ?? false,
        won: stage.won ?? false,
      }),
    );
    validatePipelineStages(id, stages);
    this.#doc.transact(() => {
      insertRecord(this.#map('pipelines'), id, pipeline);
      for (const stage of stages) insertRecord(this.#map('stages'), stage.id, stage);
    }, Origin.command);
    return this.#pipelines.get(id) ?? pipeline;
  }

  /**
   * Adds a pipeline from one of the guide's templates, its stage names in a language.
   *
   * @returns The pipeline.
   * @throws {DomainError} `pipeline-template-unknown`.
   */
  createPipelineFromTemplate(key: PipelineTemplateKey, language: 'en' | 'zh-CN'): Pipeline {
    const { pipeline, stages } = pipelineFromTemplate(key, {
      pipelineId: randomId(),
      language,
      stageId: () => randomId(),
    });
    this.#doc.transact(() => {
      insertRecord(this.#map('pipelines'), pipeline.id, pipeline);
      for (const stage of stages) insertRecord(this.#map('stages'), stage.id, stage);
    }, Origin.command);
    return this.#pipelines.get(pipeline.id) ?? pipeline;
  }

  /**
   * Adds a stage to a pipeline, after its last stage unless a sequence is given.
   *
   * @returns The stage.
   * @throws {StoreError} `pipeline-unknown`.
   * @throws {DomainError} The codes of `validateStage`.
   */
  addStage(pipelineId: string, input: StageInput): Stage {
    const stages = this.stages(this.#pipeline(pipelineId).id);
    const last = stages[stages.length - 1]?.sequence ?? 0;
    const stage = validateStage({
      ...input,
      id: randomId(),
      pipelineId,
      sequence: input.sequence ?? last + 10,
      folded: input.folded ?? false,
      won: input.won ?? false,
    });
    this.#doc.transact(() => insertRecord(this.#map('stages'), stage.id, stage), Origin.command);
    return this.#stages.get(stage.id) ?? stage;
  }

  /**
   * Changes some fields of a stage; a concurrent edit of another field survives.
   *
   * @throws {StoreError} `stage-unknown`.
   * @throws {DomainError} The codes of `validateStage`.
   */
  updateStage(id: string, patch: Partial<StageInput>): Stage {
    const stage = this.#stages.patch(id, patch, (current) =>
      validateStage({ ...current, ...patch }),
    );
    if (stage === undefined) throw unknown('stage-unknown', `no stage has the id "${id}"`);
    return stage;
  }

  /**
   * Deletes a stage. Its cards move to `moveTo` first; a stage with cards and nowhere to put
   * them is refused. A card moved into it on another replica meanwhile then needs a stage.
   *
   * @throws {StoreError} `stage-unknown`, `stage-not-empty`.
   * @throws {DomainError} `pipeline-stages-empty` for the last stage of a pipeline.
   */
  deleteStage(id: string, options: { moveTo?: string } = {}): void {
    const stage = this.#stages.get(id);
    if (stage === undefined) throw unknown('stage-unknown', `no stage has the id "${id}"`);
    validatePipelineStages(
      stage.pipelineId,
      this.stages(stage.pipelineId).filter((other) => other.id !== id),
    );
    const cards = this.#cardsIn(id);
    if (cards.length > 0 && options.moveTo === undefined) {
      throw unknown(
        'stage-not-empty',
        `stage "${stage.name}" holds ${cards.length} opportunities; say where they go`,
      );
    }
    this.#doc.transact(() => {
      for (const card of cards) this.moveOpportunity(card.id, { stageId: options.moveTo ?? '' });
      this.#map('stages').delete(id);
    }, Origin.command);
  }

  // Commands: opportunities

  /**
   * Adds an opportunity at the bottom of a stage, the first of its pipeline by default, with
   * the fact that it entered it.
   *
   * @returns The opportunity.
   * @throws {StoreError} `pipeline-unknown`, `stage-unknown`.
   * @throws {DomainError} The codes of `validateOpportunityDraft`; nothing is written then.
   */
  createOpportunity(input: OpportunityInput, now: number = Date.now()): Opportunity {
    const pipeline = this.#pipeline(input.pipelineId);
    const stages = this.stages(pipeline.id);
    const stageId = input.stageId ?? stages[0]?.id ?? '';
    if (!stages.some((stage) => stage.id === stageId)) {
      throw unknown('stage-unknown', `pipeline "${pipeline.name}" has no stage "${stageId}"`);
    }
    const fields = validateOpportunityDraft(
      {
        ...input,
        expectedRevenue: input.expectedRevenue ?? '0',
        currency: input.currency ?? pipeline.currency,
        probability: input.probability ?? 0,
        priority: input.priority ?? 0,
        tags: input.tags ?? [],
        stageId,
      },
      { stages },
    );
    const id = randomId();
    const change: StageChange = {
      id: randomId(),
      opportunityId: id,
      to: stageId,
      at: now,
      by: this.#user,
    };
    const last = this.#cardsIn(stageId).at(-1)?.placement.position;
    const opportunity: Opportunity = {
      ...fields,
      id,
      pipelineId: pipeline.id,
      placement: {
        stageId,
        position: positionBetween(last, undefined, Math.random),
        change: change.id,
      },
      status: 'open',
      createdAt: now,
    };
    // Known as this replica's before the write, which the projection reports at once.
    this.#mine.set(id, opportunity.placement);
    this.#doc.transact(() => {
      insertRecord(this.#map('opportunities'), id, opportunity);
      this.#historyMap.set(change.id, change);
    }, Origin.command);
    return this.#opportunities.get(id) ?? opportunity;
  }

  /**
   * Changes some fields of an opportunity; its placement and status change by their commands.
   *
   * @throws {StoreError} `opportunity-unknown`.
   * @throws {DomainError} The codes of `validateOpportunityDraft`.
   */
  updateOpportunity(id: string, patch: Partial<Omit<OpportunityInput, 'pipelineId' | 'stageId'>>) {
    const stages = this.#stagesOf(id);
    const opportunity = this.#opportunities.patch(id, patch, (current) =>
      validateOpportunityDraft(
        { ...current, ...patch, stageId: current.placement.stageId },
        {
          stages,
        },
      ),
    );
    if (opportunity === undefined) throw unknownOpportunity(id);
    return opportunity;
  }

  /**
   * Moves a card: to a stage, between two cards there. The stage and position are written as one
   * value with the fact of the stage change; moving into a won stage wins the opportunity.
   *
   * @returns The opportunity after the move.
   * @throws {StoreError} `opportunity-unknown`, `opportunity-unknown` for a neighbour.
   * @throws {DomainError} `opportunity-stage-foreign`, `opportunity-stage-unknown`,
   *   `opportunity-closed`; nothing is written then.
   */
  moveOpportunity(id: string, target: MoveTarget, now: number = Date.now()): Opportunity {
    const current = this.#opportunity(id);
    const position = (other: string | undefined) =>
      other === undefined ? undefined : this.#opportunity(other).placement.position;
    const column = this.#cardsIn(target.stageId).filter((card) => card.id !== id);
    const before =
      target.afterId !== undefined
        ? position(target.afterId)
        : target.beforeId === undefined
          ? column.at(-1)?.placement.position
          : undefined;
    const after = position(target.beforeId);
    const changeId = randomId();
    const moved = moveOpportunity(
      current,
      { stageId: target.stageId, before, after },
      {
        stages: [...this.#stages.all().values()],
        at: now,
        by: this.#user,
        random: Math.random,
        changeId,
      },
    );
    const change = moved.change && { ...moved.change, previous: current.placement.change };
    const placement = {
      ...moved.opportunity.placement,
      change: change?.id ?? current.placement.change,
    };
    this.#mine.set(id, placement);
    this.#doc.transact(() => {
      const record = this.#record(id);
      patchRecord(record, {
        placement,
        ...(moved.opportunity.status !== current.status && {
          status: moved.opportunity.status,
          closedAt: moved.opportunity.closedAt,
        }),
      });
      if (change !== undefined) this.#historyMap.set(change.id, change);
    }, Origin.command);
    return this.#opportunity(id);
  }

  /**
   * Marks an opportunity won.
   *
   * @throws {StoreError} `opportunity-unknown`.
   * @throws {DomainError} `opportunity-transition-invalid`.
   */
  markWon(id: string, now: number = Date.now()): Opportunity {
    return this.#status(id, markWon(this.#opportunity(id), now));
  }

  /**
   * Marks an opportunity lost, with the reason.
   *
   * @throws {StoreError} `opportunity-unknown`.
   * @throws {DomainError} `opportunity-lost-reason-required`, `opportunity-transition-invalid`.
   */
  markLost(id: string, reason: string, now: number = Date.now()): Opportunity {
    return this.#status(id, markLost(this.#opportunity(id), reason, now));
  }

  /**
   * Opens a won or lost opportunity again.
   *
   * @throws {StoreError} `opportunity-unknown`.
   * @throws {DomainError} `opportunity-transition-invalid`.
   */
  reopen(id: string): Opportunity {
    return this.#status(id, reopen(this.#opportunity(id)));
  }

  // Queries

  /** @returns The pipelines, by name, then id. */
  pipelines(): Pipeline[] {
    return byId([...this.#pipelines.all().values()]).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** @returns The stages of a pipeline, by sequence, then id. */
  stages(pipelineId: string): Stage[] {
    return orderedStages(pipelineId, [...this.#stages.all().values()]);
  }

  /** @returns The opportunity with that id, if there is one. */
  opportunity(id: string): Opportunity | undefined {
    return this.#opportunities.get(id);
  }

  /** @returns Every opportunity, by id. */
  opportunities(): Opportunity[] {
    return byId([...this.#opportunities.all().values()]);
  }

  /**
   * The board of a pipeline: its stages in order, each with its cards by position, and the
   * cards whose stage was deleted while they moved into it.
   *
   * @throws {StoreError} `pipeline-unknown`.
   */
  board(pipelineId: string): Board {
    const pipeline = this.#pipeline(pipelineId);
    const stages = this.stages(pipelineId);
    const cards = this.opportunities().filter((card) => card.pipelineId === pipelineId);
    const columns = stages.map((stage) => ({
      stage,
      opportunities: cards
        .filter((card) => card.placement.stageId === stage.id)
        .sort(comparePlacement),
    }));
    return { pipeline, columns, homeless: needsStage(cards, [...this.#stages.all().values()]) };
  }

  /**
   * The facts of stage changes that happened: following each placement's change back. A move
   * that lost to another replica's move of the same card is not among them.
   *
   * @returns The changes, by time, then id.
   */
  history(opportunityId?: string): StageChange[] {
    const kept: StageChange[] = [];
    for (const opportunity of this.#opportunities.all().values()) {
      if (opportunityId !== undefined && opportunity.id !== opportunityId) continue;
      kept.push(...this.#chain(opportunity));
    }
    return kept.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** @returns The cards that need a stage, as conflicts, by id. */
  conflicts(): CrmConflict[] {
    return needsStage(this.opportunities(), [...this.#stages.all().values()]).map((card) => ({
      id: `needs-stage:${card.id}`,
      kind: 'needs-stage',
      opportunityId: card.id,
      stageId: card.placement.stageId,
    }));
  }

  /** @returns The pipeline advice for a pipeline's stages, as hints. */
  hints(pipelineId: string): ReturnType<typeof pipelineHints> {
    return pipelineHints(this.stages(pipelineId));
  }

  /**
   * The open opportunities that cost more to sell than they bring, with the numbers: days in
   * the pipeline times the pipeline's daily cost of selling, against the expected revenue.
   */
  b2bFlags(now: number = Date.now()): ReturnType<typeof b2bFlags> {
    return b2bFlags(this.opportunities(), this.pipelines(), now);
  }

  /**
   * The KPIs of a period, kept up to date incrementally from every change, local or remote, once
   * asked for.
   *
   * @param period - From and to (exclusive), as instants.
   * @param now - The instant "next month" is counted from.
   */
  kpis(period: KpiPeriod, now: number = Date.now()): CrmKpis {
    const key = `${period.from}:${period.to}:${monthOf(now)}`;
    let index = this.#kpis.get(key);
    if (index === undefined) {
      index = new KpiIndex(period, now);
      for (const opportunity of this.#opportunities.all().values()) {
        index.putOpportunity(opportunity);
        index.setChanges(opportunity.id, this.#chain(opportunity));
      }
      this.#kpis.set(key, index);
    }
    return index.kpis();
  }

  /**
   * Calls `listener` after every change of the CRM, local or remote.
   *
   * @returns A function that stops the calls.
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Calls `listener` when a move of this replica lost to another replica's move of the same
   * card: the card is where the other move put it.
   *
   * @returns A function that stops the calls.
   */
  onMoveLost(listener: (lost: LostMove) => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  // Internals

  /** The KPIs count the history that happened: the chain back from the kept placement. */
  #historyChanged(opportunityId: string): void {
    const opportunity = this.#opportunities.get(opportunityId);
    if (opportunity === undefined || this.#kpis.size === 0) return;
    const chain = this.#chain(opportunity);
    for (const kpis of this.#kpis.values()) kpis.setChanges(opportunityId, chain);
  }

  #opportunitiesChanged(ids: ReadonlySet<string>): void {
    for (const id of ids) {
      const opportunity = this.#opportunities.get(id);
      for (const kpis of this.#kpis.values()) {
        if (opportunity === undefined) kpis.removeOpportunity(id);
        else kpis.putOpportunity(opportunity);
      }
      this.#historyChanged(id);
      const mine = this.#mine.get(id);
      if (mine === undefined || opportunity === undefined) continue;
      const kept = opportunity.placement;
      if (kept.change === mine.change && kept.position === mine.position) continue;
      this.#mine.delete(id);
      for (const listener of this.#lostListeners) listener({ opportunityId: id, mine, kept });
    }
  }

  #status(id: string, next: Opportunity): Opportunity {
    this.#doc.transact(
      () =>
        patchRecord(this.#record(id), {
          status: next.status,
          lostReason: next.lostReason,
          closedAt: next.closedAt,
        }),
      Origin.command,
    );
    return this.#opportunity(id);
  }

  /** The changes that led to the opportunity's placement, back to its creation. */
  #chain(opportunity: Opportunity): StageChange[] {
    const chain: StageChange[] = [];
    const seen = new Set<string>();
    for (
      let change = this.#history.get(opportunity.placement.change ?? '');
      change !== undefined && !seen.has(change.id);
      change = change.previous === undefined ? undefined : this.#history.get(change.previous)
    ) {
      seen.add(change.id);
      chain.push(change);
    }
    return chain;
  }

  #cardsIn(stageId: string): Opportunity[] {
    return [...this.#opportunities.all().values()]
      .filter((card) => card.placement.stageId === stageId)
      .sort(comparePlacement);
  }

  #stagesOf(opportunityId: string): Stage[] {
    return this.stages(this.#opportunity(opportunityId).pipelineId);
  }

  #pipeline(id: string): Pipeline {
    const pipeline = this.#pipelines.get(id);
    if (pipeline === undefined) throw unknown('pipeline-unknown', `no pipeline has the id "${id}"`);
    return pipeline;
  }

  #opportunity(id: string): Opportunity {
    const opportunity = this.#opportunities.get(id);
    if (opportunity === undefined) throw unknownOpportunity(id);
    return opportunity;
  }

  #record(id: string): Y.Map<unknown> {
    return this.#map('opportunities').get(id) as Y.Map<unknown>;
  }

  get #historyMap(): Y.Map<StageChange> {
    return this.#doc.getMap<StageChange>('stageHistory');
  }

  #map(name: 'pipelines' | 'stages' | 'opportunities'): RecordMap {
    return this.#doc.getMap(name);
  }
}

function unknown(code: CrmErrorCode, message: string) {
  return new StoreError<CrmErrorCode>(code, message);
}

function unknownOpportunity(id: string) {
  return unknown('opportunity-unknown', `no opportunity has the id "${id}"`);
}

/** The calendar month of an instant, UTC, as `YYYY-MM`. */
function monthOf(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}
