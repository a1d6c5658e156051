import type { Opportunity, Pipeline, Stage } from './crm-model.js';
import { compare, decimal, type Decimal } from './decimal.js';
import { DomainError } from './errors.js';

// Pipelines and their stages: the guide's three templates, the checks a pipeline and a stage pass
// before they are written, the order of a board's columns, the guide's advice as hints, and the
// cards left without a column after replicas merge. The Chinese words are the ones of
// shared/reference/inventory-crm-guide.zh.md, so that the product speaks like the guide.

/** The languages the templates and hints are written in. */
export type PipelineLanguage = 'en' | 'zh-CN';

/** A text in each language the templates and hints are written in. */
export interface LocalizedText {
  readonly en: string;
  readonly 'zh-CN': string;
}

/** The keys of the templates in {@link PIPELINE_TEMPLATES}. */
export type PipelineTemplateKey = 'solution-selling' | 'b2c' | 'b2b';

/** A stage as a template describes it, before it belongs to a pipeline. */
export interface PipelineTemplateStage {
  /** Stable within its template, such as `'qualified-sponsor'`; a seed for the stage's id. */
  readonly key: string;
  readonly name: LocalizedText;
  /** What must be true for an opportunity to be in the stage. */
  readonly requirement: LocalizedText;
  /** Only the last stage of a template wins. */
  readonly won: boolean;
  /** Templates show every stage open. */
  readonly folded: false;
}

/** A pipeline the guide recommends, ready to be copied into a new pipeline. */
export interface PipelineTemplate {
  readonly key: PipelineTemplateKey;
  readonly name: LocalizedText;
  /** In board order, first to last. */
  readonly stages: readonly PipelineTemplateStage[];
}

/** Codes of the errors that the pipeline and stage functions throw. */
export type PipelineErrorCode =
  | 'pipeline-template-unknown'
  | 'pipeline-name-required'
  | 'pipeline-daily-cost-invalid'
  | 'pipeline-currency-invalid'
  | 'pipeline-stages-empty'
  | 'stage-name-required'
  | 'stage-sequence-invalid';

function text(en: string, zh: string): LocalizedText {
  return Object.freeze({ en, 'zh-CN': zh });
}

function templateStage(
  key: string,
  name: LocalizedText,
  requirement: LocalizedText,
  won = false,
): PipelineTemplateStage {
  return Object.freeze({ key, name, requirement, won, folded: false as const });
}

function template(
  key: PipelineTemplateKey,
  name: LocalizedText,
  stages: readonly PipelineTemplateStage[],
): PipelineTemplate {
  return Object.freeze({ key, name, stages: Object.freeze([...stages]) });
}

const QUALIFIED = text('Qualified', '验证');
const PROPOSAL = text('Proposal', '建议');
const WON = text('Won', '赢得');
const SIGNED_QUOTATION = text('Quotation signed by the customer', '客户签署的报价单');
const REVENUE_CLOSING_NEXT_STEP = text(
  'Expected revenue, expected closing date, next sales action',
  '预期收入、预计截止日期、下一步销售操作',
);

/**
 * The guide's three pipelines, in the guide's order: solution selling, B2C and B2B. Each stage
 * has its name and requirement in English and in the guide's Chinese; the last stage wins and
 * none is folded. Everything is frozen, so a pipeline made from a template never changes it.
 */
export const PIPELINE_TEMPLATES: readonly PipelineTemplate[] = Object.freeze([
  template('solution-selling', text('Solution selling', '方案销售'), [
    templateStage(
      'territory',
      text('Territory', '领域'),
      text('New leads assigned to the right salesperson', '分配给正确销售人员的新潜在客户'),
    ),
    templateStage('qualified', QUALIFIED, REVENUE_CLOSING_NEXT_STEP),
    templateStage(
      'qualified-sponsor',
      // The guide prints "合格咱树上", a typo; "合格的发起人" is what the stage means.
      text('Qualified sponsor', '合格的发起人'),
      text(
        'You are talking to the decision maker and they agree about their needs',
        '您正在与决策者进行讨论、并且他对自己的需求表示同意',
      ),
    ),
    templateStage(
      'proposal',
      PROPOSAL,
      text('Quotation sent to the customer', '发送给客户的报价单'),
    ),
    templateStage('won', WON, SIGNED_QUOTATION, true),
  ]),
  template('b2c', text('B2C', 'B2C'), [
    templateStage(
      'initial-contact',
      text('Initial contact', '初步联系'),
      text('Call to ask about the customer’s needs', '致电询问客户需求'),
    ),
    templateStage(
      'product-demo',
      text('Product demo', '产品演示'),
      text(
        'Meeting with a demo presentation; expected revenue and closing date',
        '使用演示PPT的会议，预计收入和截止日期',
      ),
    ),
    templateStage('proposal', PROPOSAL, text('Quotation sent', '报价单已经送出')),
    templateStage('won', WON, SIGNED_QUOTATION, true),
  ]),
  template('b2b', text('B2B', 'B2B'), [
    templateStage('new', text('New', '新建'), REVENUE_CLOSING_NEXT_STEP),
    templateStage(
      'qualified',
      QUALIFIED,
      // The guide's sentence lost its comparison ("销售天数 * ¥500" < "预期收入" *); this is the
      // B2B rule of the domain, with the pipeline's daily cost in place of the guide's ¥500,
      // which is only its default.
      text(
        'Close the opportunity if days of selling × the daily cost exceed the expected revenue',
        '如果“销售天数 × 每日销售成本” > “预期收入”，请关闭商机',
      ),
    ),
    templateStage(
      'needs-assessment',
      text('Needs assessment', '需求评审'),
      text('GAP analysis with the customer', '与客户进行 GAP 分析'),
    ),
    templateStage(
      'poc-sold',
      text('POC sold', '售出的 POC'),
      text('Analyse the customer’s needs with a consultant', '与顾问一起分析客户需求'),
    ),
    templateStage(
      'demo',
      text('Demo', '演示'),
      text('POC demo for the customer', '针对客户进行POC演示'),
    ),
    templateStage('proposal', PROPOSAL, text('Final proposal sent', '发送最终的提案')),
    // The guide leaves B2B's won stage without a requirement; it is the same signed quotation
    // as in the other templates.
    templateStage('won', WON, SIGNED_QUOTATION, true),
  ]),
]);

/** How {@link pipelineFromTemplate} names and prices the new pipeline. */
export interface PipelineTemplateOptions {
  readonly pipelineId: string;
  /** The language of the pipeline's and stages' names and requirements. */
  readonly language: PipelineLanguage;
  /** Gives the id of the stage made from the template stage with this key. */
  readonly stageId: (stageKey: string) => string;
  /** `'500'` when absent. */
  readonly dailyCost?: Decimal | number | undefined;
  /** `'CNY'` in Chinese (the guide counts in ¥) and `'EUR'` in English when absent. */
  readonly currency?: string | undefined;
}

/** The records to write for a new pipeline: the pipeline and its stages, in board order. */
export interface PipelineWithStages {
  readonly pipeline: Pipeline;
  readonly stages: readonly Stage[];
}

const DEFAULT_DAILY_COST: Decimal = '500';
const DEFAULT_CURRENCY: Readonly<Record<PipelineLanguage, string>> = Object.freeze({
  en: 'EUR',
  'zh-CN': 'CNY',
});

// Gaps of ten leave room to insert a stage between two others without renumbering.
const SEQUENCE_STEP = 10;

/**
 * Makes a new pipeline and its stages from one of the guide's templates.
 *
 * @param key - The template's key, one of {@link PipelineTemplateKey}.
 * @param options - The new pipeline's id, its language, how stage ids are made, and optionally
 *   its daily cost and currency.
 * @returns The pipeline and its stages, with sequences 10, 20, 30, ... in the template's order.
 * @throws {DomainError} `pipeline-template-unknown` when no template has the key;
 *   `pipeline-daily-cost-invalid` or `pipeline-currency-invalid` when the options give a bad
 *   daily cost or currency.
 * @example
 * ```ts
 * pipelineFromTemplate('b2b', {
 *   pipelineId: 'p1',
 *   language: 'zh-CN',
 *   stageId: (stageKey) => `p1/${stageKey}`,
 * });
 * // { pipeline: { id: 'p1', name: 'B2B', dailyCost: '500', currency: 'CNY' },
 * //   stages: [{ id: 'p1/new', name: '新建', sequence: 10, ... }, ...] }
 * ```
 */
export function pipelineFromTemplate(
  key: string,
  options: PipelineTemplateOptions,
): PipelineWithStages {
  const found = PIPELINE_TEMPLATES.find((candidate) => candidate.key === key);
  if (found === undefined) {
    throw new DomainError<PipelineErrorCode>(
      'pipeline-template-unknown',
      `there is no pipeline template "${key}"; choose one of ` +
        PIPELINE_TEMPLATES.map((candidate) => candidate.key).join(', '),
    );
  }

  const language = options.language;
  const pipeline = validatePipeline({
    id: options.pipelineId,
    name: found.name[language],
    dailyCost: options.dailyCost ?? DEFAULT_DAILY_COST,
    currency: options.currency ?? DEFAULT_CURRENCY[language],
  });

  const stages = found.stages.map((stage, index) =>
    validateStage({
      id: options.stageId(stage.key),
      pipelineId: pipeline.id,
      name: stage.name[language],
      sequence: (index + 1) * SEQUENCE_STEP,
      folded: stage.folded,
      won: stage.won,
      requirement: stage.requirement[language],
    }),
  );

  return { pipeline, stages };
}

/** What a user types to create or edit a pipeline. */
export interface PipelineDraft {
  id: string;
  name: string;
  /** What a day of selling costs; `'500'` when absent. */
  dailyCost?: Decimal | number | undefined;
  /** An ISO 4217 code in capitals, such as `'EUR'` or `'CNY'`. */
  currency: string;
}

// ISO 4217 codes are three capitals; lower case is refused rather than guessed at, like any code.
const CURRENCY = /^[A-Z]{3}$/;

/**
 * Checks a pipeline before it is written, and normalizes it.
 *
 * @param draft - The pipeline as typed.
 * @returns The pipeline with its name and currency trimmed and its daily cost a canonical
 *   decimal, `'500'` when absent.
 * @throws {DomainError} `pipeline-name-required` when the name is blank,
 *   `pipeline-daily-cost-invalid` when the daily cost is not a decimal of 0 or more,
 *   `pipeline-currency-invalid` when the currency is not three capital letters.
 */
export function validatePipeline(draft: PipelineDraft): Pipeline {
  const name = draft.name.trim();
  if (name === '') {
    throw new DomainError<PipelineErrorCode>(
      'pipeline-name-required',
      'a pipeline needs a name; write what it sells or to whom, such as "B2B"',
    );
  }

  const dailyCost = nonNegativeDecimal(draft.dailyCost ?? DEFAULT_DAILY_COST);
  if (dailyCost === undefined) {
    throw new DomainError<PipelineErrorCode>(
      'pipeline-daily-cost-invalid',
      `the daily cost "${String(draft.dailyCost)}" of pipeline "${name}" is not a decimal of 0 ` +
        `or more; write what a day of selling costs, such as 500`,
    );
  }

  const currency = draft.currency.trim();
  if (!CURRENCY.test(currency)) {
    throw new DomainError<PipelineErrorCode>(
      'pipeline-currency-invalid',
      `"${currency}" is not a currency code; write three capital letters, such as EUR or CNY`,
    );
  }

  return { id: draft.id, name, dailyCost, currency };
}

function nonNegativeDecimal(value: Decimal | number): Decimal | undefined {
  let parsed: Decimal;
  try {
    parsed = decimal(value);
  } catch {
    return undefined;
  }
  return compare(parsed, '0') >= 0 ? parsed : undefined;
}

/** What a user types to create or edit a stage. */
export interface StageDraft {
  id: string;
  pipelineId: string;
  name: string;
  sequence: number;
  /** `false` when absent. */
  folded?: boolean | undefined;
  /** `false` when absent. */
  won?: boolean | undefined;
  requirement?: string | undefined;
}

/**
 * Checks a stage before it is written, and normalizes it.
 *
 * @param draft - The stage as typed.
 * @returns The stage with its name and requirement trimmed, a blank requirement removed, and
 *   `folded` and `won` defaulting to `false`.
 * @throws {DomainError} `stage-name-required` when the name is blank, `stage-sequence-invalid`
 *   when the sequence is not a finite integer.
 */
export function validateStage(draft: StageDraft): Stage {
  const name = draft.name.trim();
  if (name === '') {
    throw new DomainError<PipelineErrorCode>(
      'stage-name-required',
      'a stage needs a name; name the step the buyer has taken, such as "Proposal"',
    );
  }

  if (!Number.isInteger(draft.sequence)) {
    throw new DomainError<PipelineErrorCode>(
      'stage-sequence-invalid',
      `the sequence ${draft.sequence} of stage "${name}" is not a whole number; ` +
        `use one such as 10, 20 or 30`,
    );
  }

  const requirement = draft.requirement?.trim() ?? '';

  return {
    id: draft.id,
    pipelineId: draft.pipelineId,
    name,
    sequence: draft.sequence,
    folded: draft.folded ?? false,
    won: draft.won ?? false,
    ...(requirement !== '' && { requirement }),
  };
}

/**
 * Checks that a pipeline keeps at least one stage, since an opportunity always stands in one.
 * Call it with the stages a pipeline is created with, or with those left once a stage is
 * deleted.
 *
 * @param pipelineId - The pipeline to check.
 * @param stages - Stages of any pipelines; only those of `pipelineId` count.
 * @returns The pipeline's stages, ordered as by {@link orderedStages}.
 * @throws {DomainError} `pipeline-stages-empty` when the pipeline has no stage.
 * @example
 * ```ts
 * // Before deleting a stage: would the pipeline still have one?
 * validatePipelineStages(stage.pipelineId, stages.filter((other) => other.id !== stage.id));
 * ```
 */
export function validatePipelineStages(
  pipelineId: string,
  stages: readonly Stage[],
): readonly Stage[] {
  const kept = orderedStages(pipelineId, stages);
  if (kept.length === 0) {
    throw new DomainError<PipelineErrorCode>(
      'pipeline-stages-empty',
      `pipeline "${pipelineId}" would have no stage; keep at least one, or add another first`,
    );
  }
  return kept;
}

/**
 * The columns of a pipeline's board, first to last.
 *
 * @param pipelineId - The pipeline whose stages are wanted.
 * @param stages - Stages of any pipelines, in any order.
 * @returns The stages of `pipelineId` sorted by sequence, then by id where sequences tie, so
 *   that every replica shows the same order after two stages were given one sequence offline.
 */
export function orderedStages(pipelineId: string, stages: readonly Stage[]): Stage[] {
  return stages.filter((stage) => stage.pipelineId === pipelineId).sort(byBoardOrder);
}

function byBoardOrder(a: Stage, b: Stage): number {
  if (a.sequence !== b.sequence) return a.sequence - b.sequence;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The kinds of advice {@link pipelineHints} gives. */
export type PipelineHintCode =
  'first-not-new' | 'last-not-won' | 'stage-count' | 'stage-looks-like-qualification';

/** A piece of the guide's advice that a pipeline does not follow. Advice, never an error. */
export interface PipelineHint {
  readonly code: PipelineHintCode;
  readonly message: LocalizedText;
}

const GOOD_STAGE_COUNT = { min: 5, max: 7 } as const;

// The names the guide gives a first stage: "New", and in Chinese 新建 (the B2B template) or 新的
// (its advice).
const NEW_STAGE_NAMES: readonly string[] = ['new', '新建', '新的'];

// Words that qualify a lead rather than record a step of the buyer: the guide asks for tags
// instead. Kept short on purpose, since a hint that fires on ordinary words gets ignored.
// Latin words match at word boundaries (so "Photo shoot" is not "hot"); Chinese has no spaces
// between words, so its words match anywhere in the name.
const QUALIFICATION_WORDS: readonly RegExp[] = [
  /\bqualif/i,
  /\bhot\b/i,
  /\bcold\b/i,
  /\bwarm\b/i,
  /\bvip\b/i,
  /合格|验证|热|冷/,
];

/**
 * Checks a pipeline against the guide's advice: 5 to 7 stages, the first one "New", the last
 * one won, and no stage that qualifies the opportunity (tags do that). The guide's own
 * templates use a "Qualified" stage, so each of them gets that last hint.
 *
 * @param stages - The stages of one pipeline, in any order.
 * @returns One hint per piece of advice not followed, sorted by code; none when the pipeline
 *   follows it all. A pipeline without stages only gets `stage-count`.
 * @example
 * ```ts
 * pipelineHints(pipelineFromTemplate('solution-selling', options).stages).map((h) => h.code);
 * // ['first-not-new', 'stage-looks-like-qualification']
 * ```
 */
export function pipelineHints(stages: readonly Stage[]): PipelineHint[] {
  const board = [...stages].sort(byBoardOrder);
  const hints: PipelineHint[] = [];

  const count = board.length;
  if (count < GOOD_STAGE_COUNT.min || count > GOOD_STAGE_COUNT.max) {
    hints.push({
      code: 'stage-count',
      message: text(
        `The pipeline has ${count} stage${count === 1 ? '' : 's'}; a good pipeline has 5 to 7.`,
        `该管道有 ${count} 个阶段；优秀的管道应该包含有 5 至 7 个阶段。`,
      ),
    });
  }

  const first = board[0];
  const last = board[board.length - 1];
  if (first !== undefined && !NEW_STAGE_NAMES.includes(first.name.trim().toLowerCase())) {
    hints.push({
      code: 'first-not-new',
      message: text(
        `The first stage is “${first.name}”; the first stage is usually “New”.`,
        `第一阶段是“${first.name}”；第一阶段通常是“新的”。`,
      ),
    });
  }
  if (last !== undefined && !last.won) {
    hints.push({
      code: 'last-not-won',
      message: text(
        `The last stage “${last.name}” does not win the opportunity; the last one is usually won.`,
        `最后一个阶段“${last.name}”不是赢得阶段；最后一个阶段通常是“赢”。`,
      ),
    });
  }

  const qualifying = board.filter((stage) =>
    QUALIFICATION_WORDS.some((word) => word.test(stage.name)),
  );
  if (qualifying.length > 0) {
    hints.push({
      code: 'stage-looks-like-qualification',
      message: text(
        `${qualifying.map((stage) => `“${stage.name}”`).join(', ')} read like a qualification; ` +
          'qualify opportunities with tags, and keep stages for the buyer’s steps forward.',
        `${qualifying.map((stage) => `“${stage.name}”`).join('、')}看起来是在验证商机；` +
          '不要用阶段来符合商机的资格，要用标签。',
      ),
    });
  }

  return hints.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * Finds the column an opportunity's card stands in.
 *
 * @param opportunity - The opportunity, or its pipeline and placement.
 * @param stages - Stages of any pipelines.
 * @returns The stage of the opportunity's placement, or `undefined` when that stage no longer
 *   exists or belongs to another pipeline: a replica deleted it while another moved the card
 *   into it, and the card now needs a stage.
 */
export function stageOf(
  opportunity: Pick<Opportunity, 'pipelineId' | 'placement'>,
  stages: readonly Stage[],
): Stage | undefined {
  return stages.find(
    (stage) =>
      stage.id === opportunity.placement.stageId && stage.pipelineId === opportunity.pipelineId,
  );
}

/**
 * Lists the cards that have no column: their stage was deleted, or belongs to another pipeline.
 * The board shows them apart so that someone gives them a stage; nothing moves them by itself.
 *
 * @param opportunities - Opportunities of any pipelines and statuses.
 * @param stages - Stages of any pipelines.
 * @returns The opportunities for which {@link stageOf} finds no stage, sorted by id.
 */
export function needsStage<O extends Pick<Opportunity, 'id' | 'pipelineId' | 'placement'>>(
  opportunities: readonly O[],
  stages: readonly Stage[],
): O[] {
  const stageIdsByPipeline = new Map<string, Set<string>>();
  for (const stage of stages) {
    const stageIds = stageIdsByPipeline.get(stage.pipelineId) ?? new Set<string>();
    stageIds.add(stage.id);
    stageIdsByPipeline.set(stage.pipelineId, stageIds);
  }

  return opportunities
    .filter(
      (opportunity) =>
        stageIdsByPipeline.get(opportunity.pipelineId)?.has(opportunity.placement.stageId) !== true,
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
