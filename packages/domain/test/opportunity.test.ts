import { describe, expect, it } from 'vitest';

import type { Opportunity, Pipeline, Stage, StageChange } from '../src/crm-model.js';
import {
  activityState,
  b2bFlags,
  comparePlacement,
  markLost,
  markWon,
  moveOpportunity,
  positionBetween,
  reopen,
  stageHistory,
  validateOpportunityDraft,
  type CardMoveContext,
  type OpportunityDraft,
} from '../src/opportunity.js';
import { codeOf, seededRandom, shuffled } from './support.js';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;

function stage(id: string, sequence: number, fields: Partial<Stage> = {}): Stage {
  return { id, pipelineId: 'b2b', name: id, sequence, folded: false, won: false, ...fields };
}

const STAGES: readonly Stage[] = [
  stage('new', 10),
  stage('qualified', 20),
  stage('proposal', 30),
  stage('won', 40, { won: true }),
  stage('signed', 50, { won: true }),
  stage('retail-new', 10, { pipelineId: 'b2c' }),
];

const PIPELINES: readonly Pipeline[] = [
  { id: 'b2b', name: 'B2B', dailyCost: '500', currency: 'EUR' },
  { id: 'b2c', name: 'B2C', dailyCost: '20', currency: 'CNY' },
];

const DRAFT: OpportunityDraft = {
  pipelineId: 'b2b',
  title: '50 chairs for Acme',
  expectedRevenue: '12000',
  currency: 'EUR',
  probability: 20,
  priority: 1,
  tags: [],
};

function opportunity(id: string, fields: Partial<Opportunity> = {}): Opportunity {
  return {
    id,
    pipelineId: 'b2b',
    title: id,
    expectedRevenue: '12000',
    currency: 'EUR',
    probability: 20,
    priority: 0,
    tags: [],
    placement: { stageId: 'new', position: 'a0' },
    status: 'open',
    createdAt: NOW,
    ...fields,
  };
}

function moveContext(fields: Partial<CardMoveContext> = {}): CardMoveContext {
  return {
    stages: STAGES,
    at: NOW + DAY,
    by: 'mei',
    random: seededRandom(7),
    changeId: 'change-1',
    ...fields,
  };
}

describe('opportunity drafts', () => {
  it('OPP1 normalizes the revenue, the texts and the tags, and leaves out empty fields', () => {
    expect(
      validateOpportunityDraft({
        ...DRAFT,
        title: '  50 chairs for Acme ',
        expectedRevenue: 12000.5,
        contact: ' Li Wei ',
        source: '   ',
        customerId: '',
        expectedClosing: '2028-02-29',
        tags: [' vip', 'hot', '', 'vip', 'Hot '],
        nextActivity: { summary: ' call about the quote ', due: '2026-03-02' },
      }),
    ).toEqual({
      pipelineId: 'b2b',
      title: '50 chairs for Acme',
      contact: 'Li Wei',
      expectedRevenue: '12000.5',
      currency: 'EUR',
      probability: 20,
      expectedClosing: '2028-02-29',
      priority: 1,
      tags: ['Hot', 'hot', 'vip'],
      nextActivity: { summary: 'call about the quote', due: '2026-03-02' },
    });
  });

  it('OPP1 refuses a missing title, a negative revenue and one that is not a number', () => {
    expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, title: '  ' }))).toBe(
      'opportunity-title-required',
    );
    expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, expectedRevenue: '-0.01' }))).toBe(
      'opportunity-revenue-negative',
    );
    expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, expectedRevenue: '12,000' }))).toBe(
      'opportunity-revenue-invalid',
    );
    expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, expectedRevenue: NaN }))).toBe(
      'opportunity-revenue-invalid',
    );
    expect(validateOpportunityDraft({ ...DRAFT, expectedRevenue: '0' }).expectedRevenue).toBe('0');
  });

  it('OPP1 takes a probability from 0 to 100 and refuses 101, -1 and NaN', () => {
    for (const probability of [0, 12.5, 100]) {
      expect(validateOpportunityDraft({ ...DRAFT, probability }).probability).toBe(probability);
    }
    for (const probability of [101, -1, NaN, Infinity]) {
      expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, probability }))).toBe(
        'opportunity-probability-invalid',
      );
    }
  });

  it('OPP1 takes 0 to 3 whole stars of priority', () => {
    expect(validateOpportunityDraft({ ...DRAFT, priority: 3 }).priority).toBe(3);
    for (const priority of [4, -1, 1.5]) {
      expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, priority }))).toBe(
        'opportunity-priority-invalid',
      );
    }
  });

  it('OPP1 refuses a currency that is not three upper-case letters', () => {
    for (const currency of ['eur', 'EURO', '€', '']) {
      expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, currency }))).toBe(
        'opportunity-currency-invalid',
      );
    }
  });

  it('OPP1 refuses dates that do not exist or are not written YYYY-MM-DD', () => {
    for (const expectedClosing of ['2026-02-30', '2027-02-29', '2026-2-1', '31/03/2026']) {
      expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, expectedClosing }))).toBe(
        'opportunity-date-invalid',
      );
    }
    const lateCall = { summary: 'call', due: '2026-13-01' };
    expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, nextActivity: lateCall }))).toBe(
      'opportunity-date-invalid',
    );
    const blank = { summary: ' ', due: '2026-03-01' };
    expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, nextActivity: blank }))).toBe(
      'opportunity-activity-summary-required',
    );
  });

  it('OPP2 checks a chosen stage: it must exist and belong to the pipeline', () => {
    const context = { stages: STAGES };

    expect(validateOpportunityDraft({ ...DRAFT, stageId: 'qualified' }, context)).toEqual(
      validateOpportunityDraft(DRAFT),
    );
    expect(
      codeOf(() => validateOpportunityDraft({ ...DRAFT, stageId: 'retail-new' }, context)),
    ).toBe('opportunity-stage-foreign');
    expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, stageId: 'gone' }, context))).toBe(
      'opportunity-stage-unknown',
    );
    expect(codeOf(() => validateOpportunityDraft({ ...DRAFT, stageId: 'new' }))).toBe(
      'opportunity-stage-unknown',
    );
  });
});

describe('opportunity status', () => {
  it('OPP3 wins and loses an open opportunity and records when', () => {
    const open = opportunity('o1');

    expect(markWon(open, NOW + DAY)).toEqual({ ...open, status: 'won', closedAt: NOW + DAY });
    expect(markLost(open, ' price too high ', NOW + DAY)).toEqual({
      ...open,
      status: 'lost',
      lostReason: 'price too high',
      closedAt: NOW + DAY,
    });
    expect(open.status).toBe('open');
  });

  it('OPP3 refuses a lost status with no reason', () => {
    expect(codeOf(() => markLost(opportunity('o1'), '  ', NOW))).toBe(
      'opportunity-lost-reason-required',
    );
  });

  it('OPP3 reopens a won or lost opportunity and clears its reason and closing', () => {
    const open = opportunity('o1');
    const reopenedFromLost = reopen(markLost(open, 'no budget', NOW + DAY));
    const reopenedFromWon = reopen(markWon(open, NOW + DAY));

    expect(reopenedFromLost).toEqual(open);
    expect(reopenedFromWon).toEqual(open);
    expect('closedAt' in reopenedFromLost || 'lostReason' in reopenedFromLost).toBe(false);
  });

  it('OPP3 reaches won and lost from open only, and reopens only what is closed', () => {
    const won = markWon(opportunity('o1'), NOW);
    const lost = markLost(opportunity('o2'), 'no budget', NOW);

    expect(codeOf(() => markWon(won, NOW))).toBe('opportunity-transition-invalid');
    expect(codeOf(() => markLost(won, 'changed mind', NOW))).toBe('opportunity-transition-invalid');
    expect(codeOf(() => markWon(lost, NOW))).toBe('opportunity-transition-invalid');
    expect(codeOf(() => markLost(lost, 'again', NOW))).toBe('opportunity-transition-invalid');
    expect(codeOf(() => reopen(opportunity('o3')))).toBe('opportunity-transition-invalid');
    expect(markWon(reopen(lost), NOW).status).toBe('won');
  });
});

describe('positions', () => {
  it('OPP4 puts a position strictly between its neighbours, or before or after one', () => {
    const random = seededRandom(1);

    const between = positionBetween('a0', 'a1', random);
    expect('a0' < between && between < 'a1').toBe(true);
    expect(positionBetween(undefined, 'a0', random) < 'a0').toBe(true);
    expect(positionBetween('a0', undefined, random) > 'a0').toBe(true);
    expect(positionBetween(undefined, undefined, random)).toMatch(/^a0[0-9A-Za-z]{5}$/);
  });

  it('OPP4 stays below a neighbour that starts with the fractional index', () => {
    // fractional-indexing answers 'a0' from the top to 'a0V' and 'a05' between 'a04' and
    // 'a051': a suffix such as 'z' after either would sort after the neighbour below.
    const alwaysHigh = () => 0.999_999;

    const top = positionBetween(undefined, 'a0V', alwaysHigh);
    const middle = positionBetween('a04', 'a051', alwaysHigh);
    expect(top < 'a0V').toBe(true);
    expect('a04' < middle && middle < 'a051').toBe(true);
  });

  it('OPP4 refuses neighbours that are out of order or not fractional indexes', () => {
    const random = seededRandom(2);

    expect(codeOf(() => positionBetween('a1', 'a0', random))).toBe('opportunity-position-invalid');
    expect(codeOf(() => positionBetween('a1', 'a1', random))).toBe('opportunity-position-invalid');
    expect(codeOf(() => positionBetween('a10', undefined, random))).toBe(
      'opportunity-position-invalid',
    );
    expect(codeOf(() => positionBetween('!', undefined, random))).toBe(
      'opportunity-position-invalid',
    );
  });

  it('OPP4 gives two replicas at the same spot distinct keys, 1,000 random spots', () => {
    const seed = 20_260_301;
    const pick = seededRandom(seed);
    const replicaA = seededRandom(seed + 1);
    const replicaB = seededRandom(seed + 2);
    const keys: string[] = ['a0', 'a1'];
    const seen = new Set(keys);

    for (let round = 0; round < 1_000; round++) {
      // Both replicas see the same stage offline and drop a card into the same gap.
      const gap = Math.floor(pick() * (keys.length + 1));
      const before = keys[gap - 1];
      const after = keys[gap];
      const fromA = positionBetween(before, after, replicaA);
      const fromB = positionBetween(before, after, replicaB);

      for (const key of [fromA, fromB]) {
        const above = before === undefined || before < key;
        const below = after === undefined || key < after;
        expect(above && below, `seed ${seed}, round ${round}: ${before} < ${key} < ${after}`).toBe(
          true,
        );
        expect(seen.has(key), `seed ${seed}, round ${round}: ${key} again`).toBe(false);
        seen.add(key);
      }
      keys.push(fromA, fromB);
      keys.sort();
    }
    expect(seen.size).toBe(2_002);
  });

  it('OPP4 gives two replicas distinct keys when both drop 1,000 times at one spot', () => {
    const seed = 42;
    const replicaA = seededRandom(seed);
    const replicaB = seededRandom(seed + 1);
    let after = 'a1';

    for (let round = 0; round < 1_000; round++) {
      // Each round both drop a card right under the stage's first card 'a0'; the next round's
      // spot is between 'a0' and the lower of the two, so keys grow as they would on a board.
      const fromA = positionBetween('a0', after, replicaA);
      const fromB = positionBetween('a0', after, replicaB);

      expect(fromA, `seed ${seed}, round ${round}`).not.toBe(fromB);
      for (const key of [fromA, fromB]) {
        expect('a0' < key && key < after, `seed ${seed}, round ${round}: ${key}`).toBe(true);
      }
      after = fromA < fromB ? fromA : fromB;
    }
  });

  it('OPP5 sorts placements by position in plain string order, then by opportunity id', () => {
    const at = (id: string, position: string) => ({ id, placement: { stageId: 'new', position } });
    const cards = [at('c', 'a1'), at('b', 'a0'), at('a', 'a1'), at('d', 'Zz')];

    const ordered = shuffled(cards, seededRandom(3)).sort(comparePlacement);
    // 'Z' sorts before 'a' in code units, as fractional indexes expect.
    expect(ordered.map((card) => card.id)).toEqual(['d', 'b', 'a', 'c']);
  });
});

describe('moving opportunities', () => {
  it('OPP6 writes the stage and position as one placement and records the stage change', () => {
    const card = opportunity('o1');

    const { opportunity: moved, change } = moveOpportunity(
      card,
      { stageId: 'qualified', before: 'a0', after: 'a1' },
      moveContext(),
    );

    expect(moved.placement.stageId).toBe('qualified');
    expect('a0' < moved.placement.position && moved.placement.position < 'a1').toBe(true);
    expect(moved.placement).not.toBe(card.placement);
    expect(moved.status).toBe('open');
    expect(change).toEqual({
      id: 'change-1',
      opportunityId: 'o1',
      from: 'new',
      to: 'qualified',
      at: NOW + DAY,
      by: 'mei',
    });
  });

  it('OPP6 reorders within a stage without a stage change', () => {
    const result = moveOpportunity(
      opportunity('o1'),
      { stageId: 'new', after: 'a0' },
      moveContext(),
    );

    expect(result.change).toBeUndefined();
    expect(result.opportunity.placement.position < 'a0').toBe(true);
  });

  it('OPP6 wins an open opportunity moved into a won stage', () => {
    const { opportunity: moved, change } = moveOpportunity(
      opportunity('o1', { placement: { stageId: 'proposal', position: 'a0' } }),
      { stageId: 'won' },
      moveContext(),
    );

    expect(moved.status).toBe('won');
    expect(moved.closedAt).toBe(NOW + DAY);
    expect(change?.to).toBe('won');
  });

  it('OPP6 refuses a stage of another pipeline and one that does not exist', () => {
    const card = opportunity('o1');

    expect(codeOf(() => moveOpportunity(card, { stageId: 'retail-new' }, moveContext()))).toBe(
      'opportunity-stage-foreign',
    );
    expect(codeOf(() => moveOpportunity(card, { stageId: 'gone' }, moveContext()))).toBe(
      'opportunity-stage-unknown',
    );
  });

  it('OPP6 keeps a lost card where it is, and a won one in won stages, until reopened', () => {
    const lost = markLost(opportunity('o1'), 'no budget', NOW);
    const won = markWon(opportunity('o2', { placement: { stageId: 'won', position: 'a0' } }), NOW);

    expect(codeOf(() => moveOpportunity(lost, { stageId: 'qualified' }, moveContext()))).toBe(
      'opportunity-closed',
    );
    expect(codeOf(() => moveOpportunity(won, { stageId: 'proposal' }, moveContext()))).toBe(
      'opportunity-closed',
    );
    const signed = moveOpportunity(won, { stageId: 'signed' }, moveContext()).opportunity;
    expect(signed).toMatchObject({ status: 'won', closedAt: NOW });
    const back = moveOpportunity(reopen(lost), { stageId: 'qualified' }, moveContext());
    expect(back.opportunity.placement.stageId).toBe('qualified');
  });
});

describe('activities', () => {
  it('OPP7 tells an overdue activity from one due today or later', () => {
    const call = (due: string) => ({ summary: 'call', due });

    expect(activityState(call('2026-02-28'), '2026-03-01')).toBe('overdue');
    expect(activityState(call('2026-03-01'), '2026-03-01')).toBe('today');
    expect(activityState(call('2026-03-02'), '2026-03-01')).toBe('planned');
    expect(activityState(undefined, '2026-03-01')).toBeUndefined();
    expect(codeOf(() => activityState(call('2026-03-01'), '2026-02-30'))).toBe(
      'opportunity-date-invalid',
    );
  });
});

describe('the B2B rule', () => {
  it('OPP8 flags open opportunities whose selling days cost more than they bring', () => {
    // Pipeline b2b costs 500 EUR a day:
    // - late:  30 days × 500 = 15,000 > 12,000, flagged;
    // - fresh: 20 days × 500 = 10,000 ≤ 12,000, not flagged;
    // - even:  24 days × 500 = 12,000, not above 12,000, not flagged;
    // - odd:   30 days and 23 hours count as 30 days, 15,000 > 14,999.99, flagged;
    // - lost:  40 days × 500 = 20,000 > 12,000, but closed, so not checked;
    // - yuan:  in CNY while b2b counts in EUR, never compared;
    // - retail: pipeline b2c costs 20 CNY a day, 30 × 20 = 600 > 500, flagged.
    const opportunities = [
      opportunity('late', { createdAt: NOW - 30 * DAY }),
      opportunity('fresh', { createdAt: NOW - 20 * DAY }),
      opportunity('even', { createdAt: NOW - 24 * DAY }),
      opportunity('odd', { createdAt: NOW - 31 * DAY + 3_600_000, expectedRevenue: '14999.99' }),
      markLost(opportunity('lost', { createdAt: NOW - 40 * DAY }), 'no budget', NOW),
      opportunity('yuan', { createdAt: NOW - 90 * DAY, currency: 'CNY' }),
      opportunity('retail', {
        pipelineId: 'b2c',
        currency: 'CNY',
        createdAt: NOW - 30 * DAY,
        expectedRevenue: '500',
      }),
    ];

    expect(b2bFlags(shuffled(opportunities, seededRandom(5)), PIPELINES, NOW)).toEqual([
      {
        opportunityId: 'late',
        days: 30,
        dailyCost: '500',
        cost: '15000',
        expectedRevenue: '12000',
      },
      {
        opportunityId: 'odd',
        days: 30,
        dailyCost: '500',
        cost: '15000',
        expectedRevenue: '14999.99',
      },
      { opportunityId: 'retail', days: 30, dailyCost: '20', cost: '600', expectedRevenue: '500' },
    ]);
  });

  it('OPP8 costs 500 a day when the pipeline is gone, and nothing before creation', () => {
    const orphan = opportunity('orphan', { pipelineId: 'gone', createdAt: NOW - 30 * DAY });
    const future = opportunity('future', { createdAt: NOW + DAY, expectedRevenue: '0' });

    expect(b2bFlags([orphan, future], PIPELINES, NOW)).toEqual([
      {
        opportunityId: 'orphan',
        days: 30,
        dailyCost: '500',
        cost: '15000',
        expectedRevenue: '12000',
      },
    ]);
  });
});

describe('stage history', () => {
  it('OPP9 lists the changes of one opportunity by time, then by id', () => {
    const change = (id: string, opportunityId: string, at: number): StageChange => ({
      id,
      opportunityId,
      to: 'qualified',
      at,
      by: 'mei',
    });
    const changes = [
      change('c3', 'o1', NOW + 2),
      change('c2', 'o1', NOW + 1),
      change('c1', 'o1', NOW + 1),
      change('c0', 'o2', NOW),
    ];

    expect(stageHistory(changes, 'o1').map((entry) => entry.id)).toEqual(['c1', 'c2', 'c3']);
    expect(stageHistory(changes, 'o3')).toEqual([]);
  });
});
