import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';

import { computeKpis } from '@kura/domain';

import type { LostMove, Workspace } from '../src/index.js';
import { codeOf } from '../../domain/test/support.js';
import { Replicas, syncAll } from './replicas.js';

const replicas = new Replicas();
afterEach(() => replicas.destroy());

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 3, 12);

async function open(user: string): Promise<Workspace> {
  const workspace = replicas.open(user, 'acme', { scheduler: false });
  await workspace.loaded;
  return workspace;
}

/** A B2B pipeline of the guide, in English, and its stage ids by name. */
function b2b(workspace: Workspace) {
  const pipeline = workspace.crm.createPipelineFromTemplate('b2b', 'en');
  const stages = new Map(workspace.crm.stages(pipeline.id).map((stage) => [stage.name, stage.id]));
  const stage = (name: string) => stages.get(name) ?? '';
  return { pipeline, stage };
}

/** The titles in each column of a board, in order. */
function columns(workspace: Workspace, pipelineId: string) {
  return workspace.crm
    .board(pipelineId)
    .columns.map((column) => column.opportunities.map((card) => card.title));
}

function snapshot(workspace: Workspace) {
  return Y.encodeStateVector(workspace.document('crm')).join();
}

describe('pipelines', () => {
  it('CRM1 creates the guide templates in both languages, with their advice as hints', async () => {
    const alice = await open('alice');
    const english = alice.crm.createPipelineFromTemplate('b2b', 'en');
    const chinese = alice.crm.createPipelineFromTemplate('b2b', 'zh-CN');

    expect(alice.crm.stages(english.id).map((stage) => stage.name)[0]).toBe('New');
    expect(alice.crm.stages(chinese.id).map((stage) => stage.name)[0]).toBe('新建');
    expect(alice.crm.stages(english.id).at(-1)?.won).toBe(true);
    // The guide's own B2B template has a stage that qualifies, which its advice puts in tags.
    expect(alice.crm.hints(english.id).map((hint) => hint.code)).toEqual([
      'stage-looks-like-qualification',
    ]);
    const selling = alice.crm.createPipelineFromTemplate('solution-selling', 'en');
    expect(alice.crm.hints(selling.id).map((hint) => hint.code)).toContain('first-not-new');
  });

  it('CRM1 refuses a pipeline without stages, or deleting its last stage', async () => {
    const alice = await open('alice');
    const before = snapshot(alice);
    expect(codeOf(() => alice.crm.createPipeline({ name: 'Empty', stages: [] }))).toBe(
      'pipeline-stages-empty',
    );
    expect(snapshot(alice)).toBe(before);

    const lone = alice.crm.createPipeline({ name: 'Lone', stages: [{ name: 'New' }] });
    const [only] = alice.crm.stages(lone.id);
    expect(codeOf(() => alice.crm.deleteStage(only?.id ?? ''))).toBe('pipeline-stages-empty');
    expect(alice.crm.stages(lone.id)).toHaveLength(1);
  });
});

describe('opportunities', () => {
  it('CRM2 adds cards at the bottom of the first stage and moves them between cards', async () => {
    const alice = await open('alice');
    const { pipeline, stage } = b2b(alice);
    const card = (title: string) =>
      alice.crm.createOpportunity({ pipelineId: pipeline.id, title, expectedRevenue: 1000 }, NOW);
    const a = card('A');
    const b = card('B');
    const c = card('C');

    expect(columns(alice, pipeline.id)[0]).toEqual(['A', 'B', 'C']);
    alice.crm.moveOpportunity(c.id, { stageId: stage('New'), afterId: a.id, beforeId: b.id });
    expect(columns(alice, pipeline.id)[0]).toEqual(['A', 'C', 'B']);
    alice.crm.moveOpportunity(a.id, { stageId: stage('Qualified') }, NOW + DAY);
    expect(columns(alice, pipeline.id).slice(0, 2)).toEqual([['C', 'B'], ['A']]);
    expect(alice.crm.history(a.id).map((change) => [change.from, change.to])).toEqual([
      [undefined, stage('New')],
      [stage('New'), stage('Qualified')],
    ]);
  });

  it('CRM3 wins a card moved into a won stage; lost needs a reason; reopen', async () => {
    const alice = await open('alice');
    const { pipeline, stage } = b2b(alice);
    const deal = alice.crm.createOpportunity({ pipelineId: pipeline.id, title: 'Deal' }, NOW);

    expect(alice.crm.moveOpportunity(deal.id, { stageId: stage('Won') }, NOW + DAY)).toMatchObject({
      status: 'won',
      closedAt: NOW + DAY,
    });
    expect(alice.crm.reopen(deal.id).status).toBe('open');
    const before = snapshot(alice);
    expect(codeOf(() => alice.crm.markLost(deal.id, '  '))).toBe(
      'opportunity-lost-reason-required',
    );
    expect(snapshot(alice)).toBe(before);
    expect(alice.crm.markLost(deal.id, 'Too expensive', NOW)).toMatchObject({
      status: 'lost',
      lostReason: 'Too expensive',
    });
  });

  it('CRM3 refuses bad input and a move to another pipeline’s stage, writing nothing', async () => {
    const alice = await open('alice');
    const { pipeline } = b2b(alice);
    const other = alice.crm.createPipelineFromTemplate('b2c', 'en');
    const deal = alice.crm.createOpportunity({ pipelineId: pipeline.id, title: 'Deal' }, NOW);
    const before = snapshot(alice);
    const create = (fields: object) => () =>
      alice.crm.createOpportunity({ pipelineId: pipeline.id, title: 'Bad', ...fields }, NOW);

    expect(codeOf(create({ probability: 101 }))).toBe('opportunity-probability-invalid');
    expect(codeOf(create({ expectedRevenue: -5 }))).toBe('opportunity-revenue-negative');
    const foreign = alice.crm.stages(other.id)[0]?.id ?? '';
    expect(codeOf(() => alice.crm.moveOpportunity(deal.id, { stageId: foreign }))).toBe(
      'opportunity-stage-foreign',
    );
    expect(snapshot(alice)).toBe(before);
  });

  it('CRM4 flags deals that cost more to sell than they bring, with the numbers', async () => {
    const alice = await open('alice');
    const { pipeline } = b2b(alice);
    // 30 days × 500 = 15,000 > 12,000: flagged; 20 days × 500 = 10,000 <= 12,000: not.
    const old = alice.crm.createOpportunity(
      { pipelineId: pipeline.id, title: 'Old', expectedRevenue: 12_000 },
      NOW - 30 * DAY,
    );
    alice.crm.createOpportunity(
      { pipelineId: pipeline.id, title: 'Young', expectedRevenue: 12_000 },
      NOW - 20 * DAY,
    );
    expect(alice.crm.b2bFlags(NOW)).toMatchObject([
      { opportunityId: old.id, days: 30, cost: '15000', expectedRevenue: '12000' },
    ]);
  });
});

describe('several people on one pipeline', () => {
  it('CRM5 keeps one of two moves of a card everywhere, and tells the one that lost', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const { pipeline, stage } = b2b(alice);
    const deal = alice.crm.createOpportunity({ pipelineId: pipeline.id, title: 'Deal' }, NOW);
    syncAll([alice, bob]);
    const lost: LostMove[] = [];
    for (const workspace of [alice, bob]) workspace.crm.onMoveLost((move) => lost.push(move));

    alice.crm.moveOpportunity(deal.id, { stageId: stage('Qualified') }, NOW + DAY);
    bob.crm.moveOpportunity(deal.id, { stageId: stage('Demo') }, NOW + DAY);
    syncAll([alice, bob]);

    const kept = alice.crm.opportunity(deal.id)?.placement;
    expect(bob.crm.opportunity(deal.id)?.placement).toEqual(kept);
    expect(columns(alice, pipeline.id)).toEqual(columns(bob, pipeline.id));
    expect(lost).toHaveLength(1);
    expect(lost[0]?.kept).toEqual(kept);
    expect(alice.crm.history(deal.id)).toEqual(bob.crm.history(deal.id));
    expect(alice.crm.history(deal.id).map((change) => change.to)).toEqual([
      stage('New'),
      kept?.stageId,
    ]);
  });

  it('CRM6 shows a card moved into a stage deleted elsewhere as needing a stage', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const { pipeline, stage } = b2b(alice);
    const deal = alice.crm.createOpportunity({ pipelineId: pipeline.id, title: 'Deal' }, NOW);
    syncAll([alice, bob]);

    alice.crm.deleteStage(stage('Demo'));
    bob.crm.moveOpportunity(deal.id, { stageId: stage('Demo') }, NOW + DAY);
    syncAll([alice, bob]);

    for (const workspace of [alice, bob]) {
      expect(workspace.crm.board(pipeline.id).homeless.map((card) => card.id)).toEqual([deal.id]);
      expect(workspace.crm.conflicts()).toEqual([
        {
          id: `needs-stage:${deal.id}`,
          kind: 'needs-stage',
          opportunityId: deal.id,
          stageId: stage('Demo'),
        },
      ]);
    }
    bob.crm.moveOpportunity(deal.id, { stageId: stage('Proposal') }, NOW + 2 * DAY);
    syncAll([alice, bob]);
    expect(alice.crm.conflicts()).toEqual([]);
  });
});

describe('KPIs in the store', () => {
  it('CRM7 follows every change, local or remote, as a computation from scratch', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const { pipeline, stage } = b2b(alice);
    syncAll([alice, bob]);
    const period = { from: NOW - 60 * DAY, to: NOW + 60 * DAY };
    const fromScratch = (workspace: Workspace) =>
      computeKpis({
        opportunities: workspace.crm.opportunities(),
        changes: workspace.crm.history(),
        period,
        now: NOW,
      });
    expect(alice.crm.kpis(period, NOW).won).toBe(0);

    const deal = alice.crm.createOpportunity(
      {
        pipelineId: pipeline.id,
        title: 'Deal',
        expectedRevenue: 9000,
        probability: 50,
        salespersonId: 'alice',
        source: 'website',
      },
      NOW - 10 * DAY,
    );
    alice.crm.moveOpportunity(deal.id, { stageId: stage('Qualified') }, NOW - 8 * DAY);
    syncAll([alice, bob]);
    bob.crm.moveOpportunity(deal.id, { stageId: stage('Won') }, NOW - 2 * DAY);
    const lost = bob.crm.createOpportunity(
      { pipelineId: pipeline.id, title: 'Gone', salespersonId: 'bob' },
      NOW - 5 * DAY,
    );
    bob.crm.markLost(lost.id, 'No budget', NOW - DAY);
    syncAll([alice, bob]);

    const kpis = alice.crm.kpis(period, NOW);
    expect(kpis).toEqual(fromScratch(alice));
    expect(kpis).toMatchObject({
      won: 1,
      lost: 1,
      wonLostRatio: '1',
      daysToClose: '8',
      daysToQualify: '2',
    });
    expect(bob.crm.kpis(period, NOW)).toEqual(kpis);
  });
});
