import { BASE_62_DIGITS, generateKeyBetween } from 'fractional-indexing';

import type {
  Activity,
  Opportunity,
  Pipeline,
  Placement,
  Priority,
  Stage,
  StageChange,
} from './crm-model.js';
import { compare, decimal, multiply, type Decimal } from './decimal.js';
import { DomainError } from './errors.js';
import { isCalendarDate } from './lot.js';

// Opportunities of the CRM: what a user may type for one, the steps between open, won and lost,
// where a card sits on the board, and the B2B rule that flags deals not worth their selling
// time. The records themselves are in crm-model.ts.

/** Codes of the errors that the opportunity functions throw. */
export type OpportunityErrorCode =
  | 'opportunity-title-required'
  | 'opportunity-revenue-invalid'
  | 'opportunity-revenue-negative'
  | 'opportunity-currency-invalid'
  | 'opportunity-probability-invalid'
  | 'opportunity-priority-invalid'
  | 'opportunity-date-invalid'
  | 'opportunity-activity-summary-required'
  | 'opportunity-stage-unknown'
  | 'opportunity-stage-foreign'
  | 'opportunity-lost-reason-required'
  | 'opportunity-transition-invalid'
  | 'opportunity-closed'
  | 'opportunity-position-invalid';

/** What a user types for an opportunity: every field but those the domain itself decides. */
export interface OpportunityDraft {
  readonly pipelineId: string;
  readonly title: string;
  readonly customerId?: string | undefined;
  readonly contact?: string | undefined;
  /** 0 or more; a number is read as the decimal it prints as. */
  readonly expectedRevenue: Decimal | number;
  /** Three upper-case letters (ISO 4217), such as `'EUR'`. */
  readonly currency: string;
  /** Percent, 0 to 100. */
  readonly probability: number;
  readonly expectedClosing?: string | undefined;
  /** 0 to 3 stars. */
  readonly priority: number;
  readonly tags: readonly string[];
  readonly salespersonId?: string | undefined;
  readonly source?: string | undefined;
  readonly nextActivity?: Activity | undefined;
  /** The stage to put it in, when the user picked one; checked against the pipeline's stages. */
  readonly stageId?: string | undefined;
}

/**
 * The checked fields of an opportunity, ready to be written with an id, status and placement.
 * The draft's stage is checked but not among them: it goes into the placement.
 */
export type OpportunityFields = Omit<
  Opportunity,
  'id' | 'status' | 'lostReason' | 'createdAt' | 'closedAt' | 'placement'
>;

/** What a draft is checked against. */
export interface OpportunityDraftContext {
  /** The stages of the workspace, or at least those of the draft's pipeline. */
  readonly stages: readonly Stage[];
}

const CURRENCY = /^[A-Z]{3}$/;

/**
 * Checks an opportunity before it is written, and normalizes it: canonical revenue, trimmed
 * texts, empty optional fields left out, tags trimmed, sorted and without repeats.
 *
 * @param draft - The opportunity as typed.
 * @param context - The stages to check `draft.stageId` against; needed when a stage is given.
 * @returns The fields to write; the stage is checked but left to the placement.
 * @throws {DomainError} `opportunity-title-required`, `opportunity-revenue-invalid`,
 *   `opportunity-revenue-negative`, `opportunity-currency-invalid`,
 *   `opportunity-probability-invalid`, `opportunity-priority-invalid`,
 *   `opportunity-date-invalid` (expected closing or activity due date),
 *   `opportunity-activity-summary-required`, `opportunity-stage-unknown` (also when a stage is
 *   given without `context`) or `opportunity-stage-foreign` (a stage of another pipeline).
 * @example
 * ```ts
 * validateOpportunityDraft({ ...draft, expectedRevenue: 12000.5, tags: [' vip', 'vip', ''] });
 * // { ..., expectedRevenue: '12000.5', tags: ['vip'] }
 * ```
 */
export function validateOpportunityDraft(
  draft: OpportunityDraft,
  context?: OpportunityDraftContext,
): OpportunityFields {
  const title = draft.title.trim();
  if (title === '') {
    fail(
      'opportunity-title-required',
      'an opportunity needs a title, such as "50 chairs for Acme"',
    );
  }
  const expectedRevenue = revenueOf(draft.expectedRevenue);
  const currency = draft.currency.trim();
  if (!CURRENCY.test(currency)) {
    fail(
      'opportunity-currency-invalid',
      `currency "${draft.currency}" is not a currency code; write three upper-case letters, ` +
        'such as EUR or CNY',
    );
  }

  const { probability } = draft;
  if (typeof probability !== 'number' || !Number.isFinite(probability)) {
    fail('opportunity-probability-invalid', `probability ${probability} is not a number`);
  }
  if (probability < 0 || probability > 100) {
    fail(
      'opportunity-probability-invalid',
      `probability ${probability} is outside 0 to 100; write the chance of winning in percent`,
    );
  }
  if (!Number.isInteger(draft.priority) || draft.priority < 0 || draft.priority > 3) {
    fail(
      'opportunity-priority-invalid',
      `priority ${draft.priority} is not a number of stars; pick a whole number from 0 to 3`,
    );
  }

  const expectedClosing = optionalText(draft.expectedClosing);
  if (expectedClosing !== undefined) requireDate(expectedClosing, 'expected closing');
  const nextActivity = draft.nextActivity && activityOf(draft.nextActivity);
  if (draft.stageId !== undefined) {
    requirePipelineStage(draft.stageId, draft.pipelineId, context?.stages);
  }

  const tags = [...new Set(draft.tags.map((tag) => tag.trim()).filter((tag) => tag !== ''))];
  tags.sort(byCodeUnits);
  const fields: OpportunityFields = {
    pipelineId: draft.pipelineId,
    title,
    customerId: optionalText(draft.customerId),
    contact: optionalText(draft.contact),
    expectedRevenue,
    currency,
    probability,
    expectedClosing,
    priority: draft.priority as Priority,
    tags,
    salespersonId: optionalText(draft.salespersonId),
    source: optionalText(draft.source),
    nextActivity,
  };
  return withoutUndefined(fields);
}

/**
 * Wins an open opportunity, as the "won" button does; its stage stays where it is.
 *
 * @param opportunity - The opportunity as stored.
 * @param at - When it was won; stored as `closedAt`.
 * @returns A new opportunity, won; `opportunity` is left as it was.
 * @throws {DomainError} `opportunity-transition-invalid` when it is not open.
 */
export function markWon(opportunity: Opportunity, at: number): Opportunity {
  requireOpen(opportunity, 'won');

  return { ...opportunity, status: 'won', closedAt: at };
}

/**
 * Loses an open opportunity, with the reason, so that lost deals can be learned from.
 *
 * @param opportunity - The opportunity as stored.
 * @param reason - Why it was lost, such as "price too high"; trimmed.
 * @param at - When it was lost; stored as `closedAt`.
 * @returns A new opportunity, lost; `opportunity` is left as it was.
 * @throws {DomainError} `opportunity-transition-invalid` when it is not open;
 *   `opportunity-lost-reason-required` when the reason is empty.
 */
export function markLost(opportunity: Opportunity, reason: string, at: number): Opportunity {
  requireOpen(opportunity, 'lost');
  const lostReason = reason.trim();
  if (lostReason === '') {
    fail(
      'opportunity-lost-reason-required',
      `opportunity "${opportunity.id}" cannot be lost without a reason; ` +
        'say why, such as "price too high" or "went with a competitor"',
    );
  }

  return { ...opportunity, status: 'lost', lostReason, closedAt: at };
}

/**
 * Opens a won or lost opportunity again: the reason and the closing instant go, the stage and
 * position stay.
 *
 * @param opportunity - The opportunity as stored.
 * @returns A new opportunity, open; `opportunity` is left as it was.
 * @throws {DomainError} `opportunity-transition-invalid` when it is already open.
 */
export function reopen(opportunity: Opportunity): Opportunity {
  if (opportunity.status === 'open') {
    fail(
      'opportunity-transition-invalid',
      `opportunity "${opportunity.id}" is already open; only a won or lost one can be reopened`,
    );
  }

  return withoutUndefined({
    ...opportunity,
    status: 'open',
    lostReason: undefined,
    closedAt: undefined,
  });
}

/** How many random base-62 characters end a position; see {@link positionBetween}. */
const SUFFIX_LENGTH = 5;

/**
 * A new position strictly between two neighbours of a stage, for a card dropped between them.
 *
 * The key is a fractional index from `fractional-indexing` followed by {@link SUFFIX_LENGTH}
 * random base-62 characters. Without the suffix, two replicas dropping a card at the same spot
 * while offline would write the same key; with it they collide about once in 62^4 × 61 (about
 * 9 × 10^8) drops at one spot, and even then placements still sort, by id.
 *
 * Why the result is strictly between: let `m = generateKeyBetween(before, after)`, so
 * `before < m < after`, and `k = m + suffix`. `k > m` as `m` is a proper prefix of `k`, so
 * `k > before`. If `m` is not a prefix of `after`, then `m < after` means that at the first
 * index where they differ `m` has the smaller character; `k` has the same character there, so
 * `k < after`. But `generateKeyBetween` does return prefixes of `after`: `'a0'` from the top
 * to `'a0V'`, `'a05'` between `'a04'` and `'a051'`, and `'a05' + suffix` may sort after
 * `'a051'`. So while `m` is a prefix of `after`, it is replaced by
 * `generateKeyBetween(before, m)`, which is again above `before` and below `m`. A replacement
 * that is still a prefix of `after` is a prefix of the `m` it replaces, so shorter, and the
 * loop ends within `after.length` steps. The suffix never ends in `'0'`, so `k` is itself a
 * valid key that later drops can use as a neighbour.
 *
 * @param before - The position of the card above, or `undefined` at the top of the stage.
 * @param after - The position of the card below, or `undefined` at the bottom.
 * @param random - Numbers in [0, 1), such as `Math.random`, drawn by the caller.
 * @returns A position `p` with `before < p < after` in plain string order.
 * @throws {DomainError} `opportunity-position-invalid` when a neighbour is not a fractional
 *   index or `before` is not below `after`.
 * @example
 * ```ts
 * positionBetween('a0', 'a1', Math.random); // such as 'a0V3kZq'
 * positionBetween(undefined, undefined, Math.random); // such as 'a07Hc2x'
 * ```
 */
export function positionBetween(
  before: string | undefined,
  after: string | undefined,
  random: () => number,
): string {
  if (before !== undefined && after !== undefined && before >= after) {
    fail(
      'opportunity-position-invalid',
      `position "${before}" is not below "${after}", so nothing fits between them; ` +
        'pass the neighbours in board order',
    );
  }

  let key: string;
  try {
    key = generateKeyBetween(before, after);
    while (after !== undefined && after.startsWith(key)) key = generateKeyBetween(before, key);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    fail(
      'opportunity-position-invalid',
      `no position fits between "${before ?? 'the top'}" and "${after ?? 'the bottom'}" ` +
        `(${reason}); neighbours must be positions this module wrote`,
    );
  }

  return key + randomSuffix(random);
}

function randomSuffix(random: () => number): string {
  let suffix = '';
  for (let index = 0; index < SUFFIX_LENGTH - 1; index++) suffix += base62Digit(random(), 0);
  // A trailing '0' would make the key invalid for fractional-indexing, as 0.50 is for decimals.
  return suffix + base62Digit(random(), 1);
}

function base62Digit(draw: number, lowest: number): string {
  const span = BASE_62_DIGITS.length - lowest;
  const offset = Number.isFinite(draw) ? Math.floor(draw * span) : 0;
  return BASE_62_DIGITS.charAt(lowest + Math.min(span - 1, Math.max(0, offset)));
}

/**
 * Orders cards of one stage: by position in plain string order (the order fractional indexes
 * are made for, not the locale's), then by opportunity id when two replicas wrote one position.
 *
 * @param a - An opportunity, or just its id and placement.
 * @param b - Another.
 * @returns A negative number when `a` comes first, positive when `b` does, 0 for the same card.
 */
export function comparePlacement(
  a: Pick<Opportunity, 'id' | 'placement'>,
  b: Pick<Opportunity, 'id' | 'placement'>,
): number {
  return byCodeUnits(a.placement.position, b.placement.position) || byCodeUnits(a.id, b.id);
}

/** Where a card is dropped. */
export interface CardMoveTarget {
  readonly stageId: string;
  /** The position of the card above the drop, if any. */
  readonly before?: string | undefined;
  /** The position of the card below the drop, if any. */
  readonly after?: string | undefined;
}

/** What a move needs besides the card and the target. */
export interface CardMoveContext {
  /** The stages of the workspace, or at least those of the opportunity's pipeline. */
  readonly stages: readonly Stage[];
  /** When the move happens. */
  readonly at: number;
  /** The user who moves it. */
  readonly by: string;
  /** Numbers in [0, 1) for the position's suffix. */
  readonly random: () => number;
  /** The id of the stage change, when there is one. */
  readonly changeId: string;
}

/** The outcome of a move: the card to write, and the history fact to append if any. */
export interface CardMoveResult {
  readonly opportunity: Opportunity;
  /** Present when the card changed stage. */
  readonly change?: StageChange | undefined;
}

/**
 * Moves a card on the board. The stage and position are written as one {@link Placement}, so
 * that two people moving the same card concurrently end with one of the two moves, never the
 * stage of one and the position of the other.
 *
 * An open card dropped into a won stage is won at `at`. A lost card does not move: reopen it
 * first. A won card may be reordered in its stage or moved to another won stage, but not back
 * to a stage still being worked on, where it would show as won: reopen it first.
 *
 * @param opportunity - The opportunity as stored.
 * @param to - The stage and the neighbours' positions at the drop.
 * @param context - The stages, the instant, the user, the random source and the change id.
 * @returns The moved opportunity, and a {@link StageChange} with id `context.changeId` when the
 *   stage changed.
 * @throws {DomainError} `opportunity-closed` for a lost card, or a won one leaving for a stage
 *   that is not won; `opportunity-stage-unknown`; `opportunity-stage-foreign` (a stage of
 *   another pipeline); `opportunity-position-invalid` for bad neighbours.
 * @example
 * ```ts
 * const { opportunity: moved, change } = moveOpportunity(card, { stageId: 'proposal',
 *   before: above?.placement.position, after: below?.placement.position },
 *   { stages, at: Date.now(), by: userId, random: Math.random, changeId: newId() });
 * ```
 */
export function moveOpportunity(
  opportunity: Opportunity,
  to: CardMoveTarget,
  context: CardMoveContext,
): CardMoveResult {
  if (opportunity.status === 'lost') {
    fail(
      'opportunity-closed',
      `opportunity "${opportunity.id}" is lost, so it stays where it is; reopen it to move it`,
    );
  }
  const stage = requirePipelineStage(to.stageId, opportunity.pipelineId, context.stages);
  const from = opportunity.placement.stageId;
  const changesStage = to.stageId !== from;
  if (opportunity.status === 'won' && changesStage && !stage.won) {
    fail(
      'opportunity-closed',
      `opportunity "${opportunity.id}" is won, so it cannot go back to "${stage.name}"; ` +
        'reopen it first',
    );
  }

  const placement: Placement = {
    stageId: stage.id,
    position: positionBetween(to.before, to.after, context.random),
  };
  const wins = stage.won && opportunity.status === 'open';
  const moved: Opportunity = {
    ...opportunity,
    placement,
    ...(wins && { status: 'won' as const, closedAt: context.at }),
  };

  if (!changesStage) return { opportunity: moved };
  const change: StageChange = {
    id: context.changeId,
    opportunityId: opportunity.id,
    from,
    to: stage.id,
    at: context.at,
    by: context.by,
  };
  return { opportunity: moved, change };
}

/** Where the next activity stands against today. */
export type ActivityState = 'overdue' | 'today' | 'planned';

/**
 * Tells whether the next activity is late, due today or still ahead, for the colour of its
 * clock on the card.
 *
 * @param activity - The opportunity's next activity, if any.
 * @param today - Today's date, `YYYY-MM-DD`, in the user's time zone.
 * @returns `'overdue'` when due before today, `'today'`, `'planned'` when due later, or
 *   `undefined` without an activity.
 * @throws {DomainError} `opportunity-date-invalid` when `today` or the due date is not a
 *   calendar date.
 */
export function activityState(
  activity: Activity | undefined,
  today: string,
): ActivityState | undefined {
  requireDate(today, 'today');
  if (activity === undefined) return undefined;
  requireDate(activity.due, 'activity due');

  // ISO dates of four-digit years sort as strings in calendar order.
  if (activity.due < today) return 'overdue';
  return activity.due === today ? 'today' : 'planned';
}

/** An opportunity that the B2B rule finds not worth pursuing, with the numbers that say so. */
export interface B2bFlag {
  readonly opportunityId: string;
  /** Whole days since it was created. */
  readonly days: number;
  /** The pipeline's cost of a day of selling. */
  readonly dailyCost: Decimal;
  /** `days × dailyCost`. */
  readonly cost: Decimal;
  readonly expectedRevenue: Decimal;
}

/** The daily cost of selling that the guide uses, for an opportunity whose pipeline is gone. */
const DEFAULT_DAILY_COST: Decimal = '500';

const DAY = 86_400_000;

/**
 * Applies the B2B rule of the guide: an open opportunity whose days in the pipeline times the
 * pipeline's daily cost of selling exceed its expected revenue is not worth pursuing.
 *
 * Days are whole days from `createdAt` to `now`, rounded down (0 for a creation in the future).
 * A pipeline that no longer exists costs the default 500 a day. Money of two currencies is not
 * compared, since the domain knows no exchange rates: an opportunity in another currency than
 * its pipeline's is never flagged.
 *
 * @param opportunities - The opportunities to check; won and lost ones are skipped.
 * @param pipelines - The pipelines, for their daily cost and currency.
 * @param now - The instant to count days to.
 * @returns The flags, sorted by opportunity id.
 * @throws {DomainError} `decimal-invalid` when a stored revenue or daily cost is not a decimal.
 * @example
 * ```ts
 * // Created 30 days ago, 500 a day: 15000 > 12000, so it is flagged.
 * b2bFlags([{ ...deal, createdAt: now - 30 * DAY, expectedRevenue: '12000' }], pipelines, now);
 * // [{ opportunityId: deal.id, days: 30, dailyCost: '500', cost: '15000',
 * //    expectedRevenue: '12000' }]
 * ```
 */
export function b2bFlags(
  opportunities: readonly Opportunity[],
  pipelines: readonly Pipeline[],
  now: number,
): B2bFlag[] {
  const pipelineById = new Map(pipelines.map((pipeline) => [pipeline.id, pipeline]));

  const flags: B2bFlag[] = [];
  for (const opportunity of opportunities) {
    if (opportunity.status !== 'open') continue;
    const pipeline = pipelineById.get(opportunity.pipelineId);
    if (pipeline !== undefined && pipeline.currency !== opportunity.currency) continue;

    const days = Math.max(0, Math.floor((now - opportunity.createdAt) / DAY));
    const dailyCost = decimal(pipeline?.dailyCost ?? DEFAULT_DAILY_COST);
    const cost = multiply(String(days), dailyCost);
    const expectedRevenue = decimal(opportunity.expectedRevenue);
    if (compare(cost, expectedRevenue) > 0) {
      flags.push({ opportunityId: opportunity.id, days, dailyCost, cost, expectedRevenue });
    }
  }

  return flags.sort((a, b) => byCodeUnits(a.opportunityId, b.opportunityId));
}

/**
 * The stage history of one opportunity, oldest first.
 *
 * @param changes - The stage changes of the workspace, in any order.
 * @param opportunityId - The opportunity asked about.
 * @returns Its changes sorted by `at`, then by id for changes of the same instant.
 */
export function stageHistory(
  changes: readonly StageChange[],
  opportunityId: string,
): StageChange[] {
  return changes
    .filter((change) => change.opportunityId === opportunityId)
    .sort((a, b) => a.at - b.at || byCodeUnits(a.id, b.id));
}

function fail(code: OpportunityErrorCode, detail: string): never {
  throw new DomainError<OpportunityErrorCode>(code, detail);
}

function revenueOf(value: Decimal | number): Decimal {
  let revenue: Decimal;
  try {
    revenue = decimal(value);
  } catch {
    fail(
      'opportunity-revenue-invalid',
      `expected revenue "${value}" is not a number; write digits with a point, such as 12000.50`,
    );
  }
  if (compare(revenue, '0') < 0) {
    fail(
      'opportunity-revenue-negative',
      `expected revenue ${revenue} is below zero; write 0 when the amount is not known yet`,
    );
  }
  return revenue;
}

function activityOf(activity: Activity): Activity {
  const summary = activity.summary.trim();
  if (summary === '') {
    fail(
      'opportunity-activity-summary-required',
      'the next activity needs a summary of what to do, such as "call about the quote"',
    );
  }
  requireDate(activity.due, 'activity due');
  return { summary, due: activity.due };
}

function requireDate(text: string, what: string): void {
  if (!isCalendarDate(text)) {
    fail(
      'opportunity-date-invalid',
      `${what} date "${text}" is not a calendar date; write it as YYYY-MM-DD, such as 2026-03-31`,
    );
  }
}

function requireOpen(opportunity: Opportunity, to: 'won' | 'lost'): void {
  if (opportunity.status !== 'open') {
    fail(
      'opportunity-transition-invalid',
      `opportunity "${opportunity.id}" is ${opportunity.status}, so it cannot be marked ${to}; ` +
        'only an open one can, so reopen it first',
    );
  }
}

/** Finds a stage and checks it belongs to the pipeline; returns the stage. */
function requirePipelineStage(
  stageId: string,
  pipelineId: string,
  stages: readonly Stage[] | undefined,
): Stage {
  const stage = stages?.find((candidate) => candidate.id === stageId);
  if (stage === undefined) {
    fail(
      'opportunity-stage-unknown',
      stages === undefined
        ? `stage "${stageId}" cannot be checked without the stages; pass the pipeline's stages`
        : `stage "${stageId}" does not exist; pick a stage of the pipeline`,
    );
  }
  if (stage.pipelineId !== pipelineId) {
    fail(
      'opportunity-stage-foreign',
      `stage "${stage.name}" belongs to pipeline "${stage.pipelineId}", not "${pipelineId}"; ` +
        "pick a stage of the opportunity's own pipeline",
    );
  }
  return stage;
}

function optionalText(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === '' ? undefined : trimmed;
}

function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
