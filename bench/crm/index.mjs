// The CRM at scale: 100,000 opportunities with a year of stage history, their KPIs computed from
// scratch and kept up to date one change at a time, and cards moved through the store.
import { performance } from 'node:perf_hooks';

import { computeKpis, KpiIndex } from '@kura/domain';
import { openWorkspace } from '@kura/store';
import { median, seededRandom } from '../support.mjs';

/** @typedef {import('../../scripts/bench.mjs').Figure} Figure */
/** @typedef {import('@kura/domain').Opportunity} Opportunity */
/** @typedef {import('@kura/domain').StageChange} StageChange */

const OPPORTUNITIES = Number(process.env.KURA_BENCH_OPPORTUNITIES ?? 100_000);
const STORE_MOVES = 5_000;
const RUNS = 5;
const CHANGES = 1_000;
const DAY = 86_400_000;
const YEAR_START = Date.UTC(2026, 0, 1);
const NOW = Date.UTC(2026, 11, 15);
const PERIOD = { from: YEAR_START, to: Date.UTC(2027, 0, 1) };
const STAGES = ['new', 'qualified', 'assessment', 'poc', 'demo', 'proposal', 'won'];
const SOURCES = ['website', 'trade fair', 'referral', 'cold call', 'partner'];
const PEOPLE = Array.from({ length: 40 }, (_, index) => `seller-${index}`);

/**
 * @param {(line: string) => void} log
 * @returns {Promise<Record<string, Figure>>}
 */
export default async function run(log) {
  /** @type {Record<string, Figure>} */
  const figures = {};
  const random = seededRandom(7);

  // A year of opportunities, each walked a few stages forward, some won, some lost.
  /** @type {Opportunity[]} */
  const opportunities = [];
  /** @type {StageChange[]} */
  const changes = [];
  for (let i = 0; i < OPPORTUNITIES; i++) {
    const id = `opp-${i}`;
    const createdAt = YEAR_START + Math.floor(random() * 330) * DAY;
    const steps = Math.floor(random() * STAGES.length);
    let at = createdAt;
    /** @type {string | undefined} */
    let previous;
    for (let step = 0; step <= steps; step++) {
      /** @type {StageChange} */
      const change = {
        id: `${id}-${step}`,
        opportunityId: id,
        ...(step > 0 && { from: STAGES[step - 1] }),
        to: STAGES[step] ?? 'new',
        at,
        by: PEOPLE[i % PEOPLE.length] ?? '',
        ...(previous !== undefined && { previous }),
      };
      changes.push(change);
      previous = change.id;
      at += Math.floor(1 + random() * 10) * DAY;
    }
    const won = STAGES[steps] === 'won';
    const lost = !won && random() < 0.25;
    opportunities.push({
      id,
      pipelineId: 'b2b',
      title: `Deal ${i}`,
      expectedRevenue: String(1_000 + Math.floor(random() * 50_000)),
      currency: 'EUR',
      probability: Math.floor(random() * 101),
      expectedClosing: new Date(NOW + Math.floor(random() * 60) * DAY).toISOString().slice(0, 10),
      priority: /** @type {0 | 1 | 2 | 3} */ (Math.floor(random() * 4)),
      tags: [],
      salespersonId: PEOPLE[i % PEOPLE.length],
      source: SOURCES[i % SOURCES.length],
      placement: { stageId: STAGES[steps] ?? 'new', position: 'a0', change: previous },
      status: won ? 'won' : lost ? 'lost' : 'open',
      ...(lost && { lostReason: 'price' }),
      createdAt,
      ...((won || lost) && { closedAt: at }),
    });
  }
  log(`${OPPORTUNITIES} opportunities with ${changes.length} stage changes`);

  // From scratch: every figure of the period, over all the facts.
  let kpis = computeKpis({ opportunities, changes, period: PERIOD, now: NOW });
  const scratch = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    kpis = computeKpis({ opportunities, changes, period: PERIOD, now: NOW });
    scratch.push(performance.now() - started);
  }
  figures['kpi-from-scratch'] = {
    value: median(scratch),
    unit: 'ms',
    target: 300,
    better: 'lower',
  };

  // Per change: the index follows one opportunity moved, won or lost at a time.
  const index = new KpiIndex(PERIOD, NOW);
  for (const opportunity of opportunities) index.putOpportunity(opportunity);
  for (const change of changes) index.addChange(change);
  let started = performance.now();
  for (let i = 0; i < CHANGES; i++) {
    const opportunity = opportunities[Math.floor(random() * opportunities.length)];
    if (opportunity === undefined) continue;
    const closing = opportunity.status === 'open';
    index.putOpportunity({
      ...opportunity,
      status: closing ? 'won' : 'open',
      closedAt: closing ? NOW : undefined,
    });
    index.kpis();
  }
  figures['kpi-per-change'] = {
    value: (performance.now() - started) / CHANGES,
    unit: 'ms',
    target: 1,
    better: 'lower',
  };
  log(`won ${kpis.won}, lost ${kpis.lost}, ratio ${kpis.wonLostRatio ?? '-'}`);

  // Through the store: cards moved between stages, each a transaction with its fact, with the
  // KPIs followed.
  const workspace = openWorkspace({ workspace: 'bench-crm', persist: false, scheduler: false });
  await workspace.loaded;
  const pipeline = workspace.crm.createPipelineFromTemplate('b2b', 'en');
  const stages = workspace.crm.stages(pipeline.id).filter((stage) => !stage.won);
  const cards = [];
  for (let i = 0; i < 1_000; i++) {
    cards.push(workspace.crm.createOpportunity({ pipelineId: pipeline.id, title: `Card ${i}` }).id);
  }
  // The board's KPI strip is open: every move also updates the KPIs.
  workspace.crm.kpis(PERIOD, NOW);
  started = performance.now();
  for (let i = 0; i < STORE_MOVES; i++) {
    const stage = stages[i % stages.length];
    workspace.crm.moveOpportunity(cards[i % cards.length] ?? '', { stageId: stage?.id ?? '' });
  }
  const seconds = (performance.now() - started) / 1000;
  figures['store-moves-per-second'] = {
    value: STORE_MOVES / seconds,
    unit: 'moves/s',
    better: 'higher',
  };
  await workspace.destroy();
  return figures;
}
