import type { Opportunity, StageChange } from './crm-model.js';
import { decimal, divide, round, type Decimal } from './decimal.js';
import { DomainError } from './errors.js';

// The six key sales KPIs (关键绩效指标), named in Chinese text as 销售预测（月+1）, 赢得/失去比率,
// 销售人员收入, 完成交易的时间, 验证线索的时间 and 线索源头.
// `computeKpis` reads everything once; `KpiIndex` keeps the same answers up to date one record
// at a time. Both reduce each opportunity to one contribution and add it to running sums, so an
// update retracts the old contribution and adds the new one instead of rescanning.

const DAY = 86_400_000;

/** A span of time: `from` is included, `to` is not. Either end may be infinite. */
export interface KpiPeriod {
  /** The first instant of the period, in milliseconds since the Unix epoch. */
  readonly from: number;
  /** The first instant after the period. */
  readonly to: number;
}

/**
 * Money summed per currency, keyed by currency code in sorted order: `{ CNY: '5000', EUR: '20' }`.
 * Amounts in different currencies are never added together, because the domain holds no exchange
 * rates; a currency appears only when at least one opportunity adds to it.
 */
export type AmountsByCurrency = Readonly<Record<string, Decimal>>;

/** What the opportunities of one lead source became. */
export interface LeadSourceKpis {
  /** The source, such as `'website'`; `''` for opportunities without one. */
  readonly source: string;
  /** Opportunities created within the period. */
  readonly opportunities: number;
  /** How many of those are won, whenever they were won. */
  readonly won: number;
  /** Their expected revenue, per currency. */
  readonly wonRevenue: AmountsByCurrency;
}

/** The figures that are given overall and for each salesperson. */
export interface KpiFigures {
  /**
   * Expected revenue × probability of open opportunities expected to close in the forecast
   * month, per currency, summed exactly and rounded half-up to 0.01 once at the end.
   */
  readonly forecastNextMonth: AmountsByCurrency;
  /** Opportunities won within the period. */
  readonly won: number;
  /** Opportunities lost within the period. */
  readonly lost: number;
  /** `won / lost` rounded half-up to 0.01, or `null` when nothing was lost. */
  readonly wonLostRatio: Decimal | null;
  /** Expected revenue of the opportunities won within the period, per currency. */
  readonly wonRevenue: AmountsByCurrency;
  /** Average days from creation to won, over `won`, rounded half-up to 0.1; `null` if none. */
  readonly daysToClose: Decimal | null;
  /**
   * Average days from creation to leaving the first stage, over the opportunities that left it
   * within the period, rounded half-up to 0.1; `null` if none.
   */
  readonly daysToQualify: Decimal | null;
  /** Per source, sorted by source. */
  readonly leadSources: readonly LeadSourceKpis[];
}

/** The figures of one salesperson. */
export interface SalespersonKpis extends KpiFigures {
  /** The user id; `''` for opportunities without a salesperson. */
  readonly salespersonId: string;
}

/** The KPIs of a period: the figures of the whole team, then those of each salesperson. */
export interface CrmKpis extends KpiFigures {
  readonly period: KpiPeriod;
  /** The calendar month the forecast is for, such as `'2026-04'`. */
  readonly forecastMonth: string;
  /** Salespeople with at least one figure, sorted by id. */
  readonly salespeople: readonly SalespersonKpis[];
}

/** What {@link computeKpis} reads. */
export interface KpiInput {
  /** Each opportunity once, in its current version. */
  readonly opportunities: readonly Opportunity[];
  /** The stage history, in any order; a repeated change id is one fact. */
  readonly changes: readonly StageChange[];
  readonly period: KpiPeriod;
  /** The present instant; the forecast is for the calendar month after the one containing it. */
  readonly now: number;
}

/** Codes of the errors that the KPI functions throw. */
export type KpiErrorCode =
  | 'kpi-period-invalid'
  | 'kpi-now-invalid'
  | 'kpi-revenue-invalid'
  | 'kpi-probability-invalid'
  | 'kpi-instant-invalid'
  | 'kpi-opportunity-duplicate';

/**
 * Computes every KPI from scratch: the reference that {@link KpiIndex} agrees with.
 *
 * The rules, for a period `[from, to)`:
 * - forecast: open opportunities whose `expectedClosing` lies in the UTC calendar month after
 *   the one containing `now`, whatever the period;
 * - won and lost: opportunities with that status whose `closedAt` lies in the period; their
 *   days to close count from `createdAt`, and a close before creation (two devices' clocks
 *   disagree) counts as 0 days;
 * - days to qualify: the first stage is the `to` of the opportunity's creation change (the one
 *   without `from`; the earliest by `at`, then id, if several). The opportunity qualifies with
 *   the earliest change whose `from` is that stage and whose `to` differs; it counts when that
 *   change lies in the period. Without a creation change the first stage is unknown and the
 *   opportunity does not count. Changes of opportunities not given are ignored;
 * - lead sources: opportunities whose `createdAt` lies in the period, grouped by source, with
 *   how many of them are won and their won revenue: the conversion of the period's leads.
 *
 * Each opportunity counts for its current salesperson. Rounding happens once per figure, so the
 * salespeople's forecasts may not add up to the team's to the cent.
 *
 * @param input - The opportunities, their stage history, the period and the present instant.
 * @returns The KPIs, salespeople and sources sorted by key as plain strings.
 * @throws {DomainError} `kpi-period-invalid` when an end is not a number or `from` is after
 *   `to`; `kpi-now-invalid` when `now` is not a date; `kpi-revenue-invalid`,
 *   `kpi-probability-invalid` or `kpi-instant-invalid` when a record holds a value that is not
 *   what its type promises; `kpi-opportunity-duplicate` when an id appears twice.
 * @example
 * ```ts
 * const march = { from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 3, 1) };
 * const kpis = computeKpis({ opportunities, changes, period: march, now: Date.UTC(2026, 2, 20) });
 * kpis.forecastMonth; // '2026-04'
 * kpis.salespeople.map((figures) => figures.salespersonId); // ['', 'ana', 'ben']
 * ```
 */
export function computeKpis(input: KpiInput): CrmKpis {
  const scope = scopeOf(input.period, input.now);

  const creations = new Map<string, StageChange>();
  for (const change of input.changes) {
    checkChange(change);
    if (change.from !== undefined) continue;
    const known = creations.get(change.opportunityId);
    if (known === undefined || isEarlier(change, known)) {
      creations.set(change.opportunityId, change);
    }
  }

  const qualifications = new Map<string, StageChange>();
  for (const change of input.changes) {
    if (change.from === undefined || change.from === change.to) continue;
    if (creations.get(change.opportunityId)?.to !== change.from) continue;
    const known = qualifications.get(change.opportunityId);
    if (known === undefined || isEarlier(change, known)) {
      qualifications.set(change.opportunityId, change);
    }
  }

  const overall = new Tally();
  const bySalesperson = new Map<string, Tally>();
  const seen = new Set<string>();
  for (const opportunity of input.opportunities) {
    if (seen.has(opportunity.id)) {
      throw new DomainError<KpiErrorCode>(
        'kpi-opportunity-duplicate',
        `opportunity "${opportunity.id}" is given twice; pass only its current version`,
      );
    }
    seen.add(opportunity.id);

    const contribution = contributionOf(opportunity, qualifications.get(opportunity.id), scope);
    if (contribution !== undefined) addContribution(overall, bySalesperson, contribution, 1);
  }

  return kpisOf(scope, overall, bySalesperson);
}

/**
 * Keeps the KPIs of one period up to date while opportunities and stage changes arrive, in any
 * order and from any replica. Each write retracts what the record added before and adds its new
 * share to running sums (per salesperson, per source, per currency; averages as a sum and a
 * count), so it costs a few map updates; only {@link KpiIndex.kpis} walks the salespeople and
 * sources to build its answer. It always equals {@link computeKpis} on the data it holds.
 *
 * @example
 * ```ts
 * const index = new KpiIndex(march, now);
 * for (const change of history) index.addChange(change);
 * index.putOpportunity(opportunity);
 * index.putOpportunity({ ...opportunity, status: 'won', closedAt: now });
 * index.kpis().won; // counts it once
 * ```
 */
export class KpiIndex {
  readonly #scope: Scope;
  readonly #opportunities = new Map<string, Opportunity>();
  readonly #contributions = new Map<string, Contribution>();
  readonly #trails = new Map<string, StageTrail>();
  readonly #changeIds = new Set<string>();
  /** The change ids of each opportunity, so that its history can be replaced whole. */
  readonly #changesOf = new Map<string, Set<string>>();
  readonly #overall = new Tally();
  readonly #bySalesperson = new Map<string, Tally>();

  /**
   * @param period - The period the figures are for.
   * @param now - The present instant, which fixes the forecast month.
   * @throws {DomainError} `kpi-period-invalid` or `kpi-now-invalid`, as {@link computeKpis}.
   */
  constructor(period: KpiPeriod, now: number) {
    this.#scope = scopeOf(period, now);
  }

  /**
   * Inserts an opportunity or replaces its previous version.
   *
   * @param opportunity - The current version.
   * @throws {DomainError} `kpi-revenue-invalid`, `kpi-probability-invalid` or
   *   `kpi-instant-invalid`; the index is then left as it was.
   */
  putOpportunity(opportunity: Opportunity): void {
    const qualification = qualificationOf(this.#trails.get(opportunity.id));
    const contribution = contributionOf(opportunity, qualification, this.#scope);

    this.#retract(opportunity.id);
    this.#opportunities.set(opportunity.id, opportunity);
    this.#record(opportunity.id, contribution);
  }

  /**
   * Forgets an opportunity; its stage history stays, in case it comes back.
   *
   * @param opportunityId - The opportunity to forget.
   * @returns Whether the index held it.
   */
  removeOpportunity(opportunityId: string): boolean {
    if (!this.#opportunities.has(opportunityId)) return false;

    this.#retract(opportunityId);
    this.#opportunities.delete(opportunityId);
    return true;
  }

  /**
   * Records a stage change. A change id names one fact, so a change seen before is ignored.
   *
   * @param change - The change, possibly before its opportunity arrives.
   * @returns Whether the change was new.
   * @throws {DomainError} `kpi-instant-invalid` when `at` is not a number; nothing is recorded.
   */
  addChange(change: StageChange): boolean {
    if (this.#changeIds.has(change.id)) return false;
    checkChange(change);

    this.#changeIds.add(change.id);
    const ids = this.#changesOf.get(change.opportunityId);
    if (ids === undefined) this.#changesOf.set(change.opportunityId, new Set([change.id]));
    else ids.add(change.id);
    let trail = this.#trails.get(change.opportunityId);
    if (trail === undefined) {
      trail = { creation: undefined, firstLeaving: new Map() };
      this.#trails.set(change.opportunityId, trail);
    }
    const before = qualificationOf(trail);
    extendTrail(trail, change);

    // Most changes move an opportunity further on and leave its qualification as it was.
    const opportunity = this.#opportunities.get(change.opportunityId);
    const after = qualificationOf(trail);
    if (opportunity === undefined || after === before) return true;

    const contribution = contributionOf(opportunity, after, this.#scope);
    this.#retract(opportunity.id);
    this.#record(opportunity.id, contribution);
    return true;
  }

  /**
   * Replaces the whole stage history of one opportunity, as a store does when a move that lost to
   * another replica's move of the same card leaves the history that happened.
   *
   * @param opportunityId - The opportunity.
   * @param changes - Its stage changes now; changes of other opportunities are ignored.
   * @throws {DomainError} `kpi-instant-invalid` when an `at` is not a number; nothing changes.
   */
  setChanges(opportunityId: string, changes: readonly StageChange[]): void {
    const own = changes.filter((change) => change.opportunityId === opportunityId);
    for (const change of own) checkChange(change);

    const trail: StageTrail = { creation: undefined, firstLeaving: new Map() };
    for (const change of own) extendTrail(trail, change);
    for (const id of this.#changesOf.get(opportunityId) ?? []) this.#changeIds.delete(id);
    for (const change of own) this.#changeIds.add(change.id);
    this.#changesOf.set(opportunityId, new Set(own.map((change) => change.id)));
    this.#trails.set(opportunityId, trail);

    const opportunity = this.#opportunities.get(opportunityId);
    if (opportunity === undefined) return;
    const contribution = contributionOf(opportunity, qualificationOf(trail), this.#scope);
    this.#retract(opportunityId);
    this.#record(opportunityId, contribution);
  }

  /** @returns The KPIs of the data held, as {@link computeKpis} would give them. */
  kpis(): CrmKpis {
    return kpisOf(this.#scope, this.#overall, this.#bySalesperson);
  }

  #retract(opportunityId: string): void {
    const contribution = this.#contributions.get(opportunityId);
    if (contribution === undefined) return;

    this.#contributions.delete(opportunityId);
    addContribution(this.#overall, this.#bySalesperson, contribution, -1);
  }

  #record(opportunityId: string, contribution: Contribution | undefined): void {
    if (contribution === undefined) return;

    this.#contributions.set(opportunityId, contribution);
    addContribution(this.#overall, this.#bySalesperson, contribution, 1);
  }
}

/** The period and the forecast month, checked once. */
interface Scope {
  readonly period: KpiPeriod;
  readonly forecastMonth: string;
  /** `'2026-04-'`: an ISO date starting with it lies in the forecast month. */
  readonly forecastPrefix: string;
}

function scopeOf(period: KpiPeriod, now: number): Scope {
  const { from, to } = period;
  if (Number.isNaN(from) || Number.isNaN(to) || from > to) {
    throw new DomainError<KpiErrorCode>(
      'kpi-period-invalid',
      `the period from ${from} to ${to} is not a span of time; give two instants in ` +
        'milliseconds with from at or before to (use -Infinity and Infinity for all time)',
    );
  }

  const today = new Date(now);
  const next = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1));
  if (!Number.isFinite(now) || Number.isNaN(next.getTime())) {
    throw new DomainError<KpiErrorCode>(
      'kpi-now-invalid',
      `now (${now}) is not a date; give the present instant in milliseconds since the epoch`,
    );
  }

  const forecastMonth = next.toISOString().slice(0, 7);
  return { period: { from, to }, forecastMonth, forecastPrefix: `${forecastMonth}-` };
}

function checkChange(change: StageChange): void {
  if (Number.isFinite(change.at)) return;

  throw new DomainError<KpiErrorCode>(
    'kpi-instant-invalid',
    `stage change "${change.id}" happened at ${change.at}, which is not an instant; ` +
      'record when it happened in milliseconds since the epoch',
  );
}

/** Orders facts of the history: by time, then by id, so that every replica picks the same. */
function isEarlier(change: StageChange, other: StageChange): boolean {
  return change.at < other.at || (change.at === other.at && change.id < other.id);
}

/** What the index keeps of an opportunity's history: enough to find its qualification. */
interface StageTrail {
  /** The earliest change without `from`. */
  creation: StageChange | undefined;
  /** Per stage, the earliest change out of it into another stage. */
  readonly firstLeaving: Map<string, StageChange>;
}

function extendTrail(trail: StageTrail, change: StageChange): void {
  if (change.from === undefined) {
    if (trail.creation === undefined || isEarlier(change, trail.creation)) trail.creation = change;
    return;
  }
  if (change.from === change.to) return;

  const known = trail.firstLeaving.get(change.from);
  if (known === undefined || isEarlier(change, known)) trail.firstLeaving.set(change.from, change);
}

/** @returns The earliest change that leaves the stage the opportunity was created in. */
function qualificationOf(trail: StageTrail | undefined): StageChange | undefined {
  const creation = trail?.creation;
  return creation === undefined ? undefined : trail?.firstLeaving.get(creation.to);
}

/** An exact decimal as an integer and a power of ten: `12.5` is `{ digits: 125n, scale: 1 }`. */
interface Exact {
  readonly digits: bigint;
  readonly scale: number;
}

/** What one opportunity adds to the sums of the team and of its salesperson. */
interface Contribution {
  readonly salespersonId: string;
  readonly source: string;
  readonly currency: string;
  readonly revenue: Exact;
  /** Revenue × probability, when it is in the forecast. */
  readonly forecast: Exact | undefined;
  /** Whether it was won or lost within the period. */
  readonly outcome: 'won' | 'lost' | undefined;
  /** Milliseconds from creation to won, when won within the period. */
  readonly closeTime: bigint;
  /** Milliseconds from creation to qualification, when qualified within the period. */
  readonly qualifyTime: bigint | undefined;
  /** Whether it was created within the period, so that it counts for its source. */
  readonly created: boolean;
  /** Whether it is won, whenever; only read when `created`. */
  readonly isWon: boolean;
}

const UNSIGNED_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** @returns The share of `opportunity`, or `undefined` when it adds to no figure. */
function contributionOf(
  opportunity: Opportunity,
  qualification: StageChange | undefined,
  scope: Scope,
): Contribution | undefined {
  const { from, to } = scope.period;
  const revenueDigits = checkedRevenue(opportunity);
  const probability = checkedProbability(opportunity);
  const createdAt = instantOf(opportunity, 'createdAt', opportunity.createdAt);
  const closedAt =
    opportunity.closedAt === undefined
      ? undefined
      : instantOf(opportunity, 'closedAt', opportunity.closedAt);

  const closing = opportunity.expectedClosing;
  const inForecast =
    opportunity.status === 'open' &&
    closing?.length === 10 &&
    closing.startsWith(scope.forecastPrefix);

  const closedInPeriod = closedAt !== undefined && closedAt >= from && closedAt < to;
  const outcome = closedInPeriod && opportunity.status !== 'open' ? opportunity.status : undefined;
  const closeTime = outcome === 'won' ? elapsed(createdAt, closedAt ?? createdAt) : 0n;

  const qualifyTime =
    qualification !== undefined && qualification.at >= from && qualification.at < to
      ? elapsed(createdAt, qualification.at)
      : undefined;

  const created = createdAt >= from && createdAt < to;
  if (!inForecast && outcome === undefined && qualifyTime === undefined && !created) {
    return undefined;
  }

  // Exact numbers are built only now: most of a large history adds to no figure of the period.
  const revenue = exactOf(revenueDigits[1] ?? '0', revenueDigits[2] ?? '');
  let forecast: Exact | undefined;
  if (inForecast) {
    const percent = exactPercent(probability);
    forecast = {
      digits: revenue.digits * percent.digits,
      scale: revenue.scale + percent.scale + 2,
    };
  }

  return {
    salespersonId: opportunity.salespersonId ?? '',
    source: opportunity.source ?? '',
    currency: opportunity.currency,
    revenue,
    forecast,
    outcome,
    closeTime,
    qualifyTime,
    created,
    isWon: opportunity.status === 'won',
  };
}

/** @returns The whole and fraction digits of the expected revenue, at indexes 1 and 2. */
function checkedRevenue(opportunity: Opportunity): RegExpExecArray {
  const match = UNSIGNED_DECIMAL.exec(opportunity.expectedRevenue);
  if (match !== null) return match;

  throw new DomainError<KpiErrorCode>(
    'kpi-revenue-invalid',
    `opportunity "${opportunity.id}" expects a revenue of "${opportunity.expectedRevenue}", ` +
      'which is not a decimal of 0 or more; store it as digits with an optional point',
  );
}

function checkedProbability(opportunity: Opportunity): number {
  const { probability } = opportunity;
  if (probability >= 0 && probability <= 100) return probability;

  throw new DomainError<KpiErrorCode>(
    'kpi-probability-invalid',
    `opportunity "${opportunity.id}" has a probability of ${probability}; ` +
      'give a percentage from 0 to 100',
  );
}

function exactOf(whole: string, fraction: string): Exact {
  return { digits: BigInt(`${whole}${fraction}`), scale: fraction.length };
}

/** @returns A percentage as an exact decimal: 12.5 is `{ digits: 125n, scale: 1 }`. */
function exactPercent(probability: number): Exact {
  if (Number.isInteger(probability)) return { digits: BigInt(probability), scale: 0 };

  // The shortest text of the double, so that 33.3 multiplies as 33.3 and not as its binary twin.
  const [whole = '0', fraction = ''] = decimal(probability).split('.');
  return exactOf(whole, fraction);
}

function instantOf(opportunity: Opportunity, field: string, value: number): number {
  if (Number.isFinite(value)) return value;

  throw new DomainError<KpiErrorCode>(
    'kpi-instant-invalid',
    `opportunity "${opportunity.id}" has ${field} ${value}, which is not an instant; ` +
      'store it in milliseconds since the epoch',
  );
}

/** @returns Whole milliseconds from `start` to `end`, 0 when the clocks put `end` first. */
function elapsed(start: number, end: number): bigint {
  return BigInt(Math.max(0, Math.round(end - start)));
}

/** A running exact sum of one currency, with how many amounts it holds. */
interface Sum {
  digits: bigint;
  scale: number;
  count: number;
}

/** The lead-source figures of one source, as running sums. */
interface SourceTally {
  opportunities: number;
  won: number;
  readonly wonRevenue: Map<string, Sum>;
}

/** The running sums behind the figures of the team or of one salesperson. */
class Tally {
  /** Contributions added and not retracted. */
  members = 0;
  readonly forecast = new Map<string, Sum>();
  won = 0;
  lost = 0;
  readonly wonRevenue = new Map<string, Sum>();
  closeTime = 0n;
  qualifyTime = 0n;
  qualified = 0;
  readonly sources = new Map<string, SourceTally>();
}

/** Adds (`sign` 1) or retracts (`sign` -1) a contribution, for the team and its salesperson. */
function addContribution(
  overall: Tally,
  bySalesperson: Map<string, Tally>,
  contribution: Contribution,
  sign: 1 | -1,
): void {
  let tally = bySalesperson.get(contribution.salespersonId);
  if (tally === undefined) {
    tally = new Tally();
    bySalesperson.set(contribution.salespersonId, tally);
  }

  addToTally(overall, contribution, sign);
  addToTally(tally, contribution, sign);

  if (tally.members === 0) bySalesperson.delete(contribution.salespersonId);
}

function addToTally(tally: Tally, contribution: Contribution, sign: 1 | -1): void {
  const { currency, revenue } = contribution;
  tally.members += sign;

  if (contribution.forecast !== undefined) {
    addAmount(tally.forecast, currency, contribution.forecast, sign);
  }

  if (contribution.outcome === 'won') {
    tally.won += sign;
    addAmount(tally.wonRevenue, currency, revenue, sign);
    tally.closeTime += sign === 1 ? contribution.closeTime : -contribution.closeTime;
  } else if (contribution.outcome === 'lost') {
    tally.lost += sign;
  }

  if (contribution.qualifyTime !== undefined) {
    tally.qualified += sign;
    tally.qualifyTime += sign === 1 ? contribution.qualifyTime : -contribution.qualifyTime;
  }

  if (contribution.created) {
    let source = tally.sources.get(contribution.source);
    if (source === undefined) {
      source = { opportunities: 0, won: 0, wonRevenue: new Map() };
      tally.sources.set(contribution.source, source);
    }
    source.opportunities += sign;
    if (contribution.isWon) {
      source.won += sign;
      addAmount(source.wonRevenue, currency, revenue, sign);
    }
    if (source.opportunities === 0) tally.sources.delete(contribution.source);
  }
}

const TEN = 10n;

function addAmount(sums: Map<string, Sum>, currency: string, amount: Exact, sign: 1 | -1): void {
  let sum = sums.get(currency);
  if (sum === undefined) {
    sum = { digits: 0n, scale: 0, count: 0 };
    sums.set(currency, sum);
  }

  if (amount.scale > sum.scale) {
    sum.digits *= TEN ** BigInt(amount.scale - sum.scale);
    sum.scale = amount.scale;
  }
  const digits = amount.digits * TEN ** BigInt(sum.scale - amount.scale);
  sum.digits += sign === 1 ? digits : -digits;
  sum.count += sign;

  if (sum.count === 0) sums.delete(currency);
}

function kpisOf(scope: Scope, overall: Tally, bySalesperson: Map<string, Tally>): CrmKpis {
  const salespeople = [...bySalesperson.keys()].sort(byKey).map((salespersonId) => ({
    salespersonId,
    ...figuresOf(bySalesperson.get(salespersonId) ?? new Tally()),
  }));

  return {
    period: { ...scope.period },
    forecastMonth: scope.forecastMonth,
    ...figuresOf(overall),
    salespeople,
  };
}

function figuresOf(tally: Tally): KpiFigures {
  const leadSources = [...tally.sources.keys()].sort(byKey).map((source) => {
    const sourceTally = tally.sources.get(source);
    return {
      source,
      opportunities: sourceTally?.opportunities ?? 0,
      won: sourceTally?.won ?? 0,
      wonRevenue: amountsOf(sourceTally?.wonRevenue ?? new Map<string, Sum>()),
    };
  });

  return {
    forecastNextMonth: amountsOf(tally.forecast, '0.01'),
    won: tally.won,
    lost: tally.lost,
    wonLostRatio: tally.lost === 0 ? null : divide(`${tally.won}`, `${tally.lost}`, '0.01'),
    wonRevenue: amountsOf(tally.wonRevenue),
    daysToClose: averageDays(tally.closeTime, tally.won),
    daysToQualify: averageDays(tally.qualifyTime, tally.qualified),
    leadSources,
  };
}

function amountsOf(sums: Map<string, Sum>, step?: Decimal): AmountsByCurrency {
  const amounts: Record<string, Decimal> = {};
  for (const currency of [...sums.keys()].sort(byKey)) {
    const sum = sums.get(currency);
    if (sum === undefined) continue;
    const exact = textOf(sum);
    amounts[currency] = step === undefined ? exact : round(exact, step);
  }
  return amounts;
}

function averageDays(totalTime: bigint, count: number): Decimal | null {
  return count === 0 ? null : divide(`${totalTime}`, `${count * DAY}`, '0.1');
}

/** @returns The canonical text of an exact decimal, without trailing zeros. */
function textOf({ digits, scale }: Exact): Decimal {
  const negative = digits < 0n;
  let text = (negative ? -digits : digits).toString().padStart(scale + 1, '0');
  if (scale > 0) text = `${text.slice(0, -scale)}.${text.slice(-scale)}`.replace(/\.?0+$/, '');
  return negative && text !== '0' ? `-${text}` : text;
}

/** Sorts keys as plain strings, the same on every replica whatever its locale. */
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
