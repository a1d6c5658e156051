import { describe, expect, it } from 'vitest';

import type { Opportunity, StageChange } from '../src/crm-model.js';
import { computeKpis, KpiIndex, type CrmKpis, type KpiPeriod } from '../src/kpi.js';
import { codeOf, seededRandom, shuffled } from './support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const JAN_10 = Date.UTC(2026, 0, 10);
const FEB_1 = Date.UTC(2026, 1, 1);
const FEB_20 = Date.UTC(2026, 1, 20);
const MAR_1 = Date.UTC(2026, 2, 1);
const APR_1 = Date.UTC(2026, 3, 1);
const MARCH: KpiPeriod = { from: MAR_1, to: APR_1 };
/** 20 March 2026 at noon UTC: the forecast is for April 2026. */
const NOW = Date.UTC(2026, 2, 20, 12);

function opportunity(id: string, fields: Partial<Opportunity> = {}): Opportunity {
  return {
    id,
    pipelineId: 'b2b',
    title: id,
    expectedRevenue: '0',
    currency: 'EUR',
    probability: 0,
    priority: 0,
    tags: [],
    placement: { stageId: 'new', position: 'a0' },
    status: 'open',
    createdAt: MAR_1,
    ...fields,
  };
}

function change(
  id: string,
  opportunityId: string,
  from: string | undefined,
  to: string,
  at: number,
): StageChange {
  return { id, opportunityId, from, to, at, by: 'ana' };
}

// The hand-worked set: March 2026, seen on 20 March. Every figure below is worked out in the
// comments of the tests and asserted as a whole in KPI8.
const O1 = opportunity('o1', {
  salespersonId: 'ana',
  source: 'website',
  expectedRevenue: '10000',
  probability: 40,
  expectedClosing: '2026-04-15',
  createdAt: MAR_1 + 2 * DAY,
});
const O2 = opportunity('o2', {
  salespersonId: 'ana',
  source: 'fair',
  expectedRevenue: '2500.5',
  probability: 33,
  expectedClosing: '2026-04-30',
  createdAt: FEB_20,
});
const O3 = opportunity('o3', {
  salespersonId: 'ben',
  source: 'website',
  expectedRevenue: '1200',
  status: 'won',
  createdAt: MAR_1 + DAY,
  closedAt: MAR_1 + 11 * DAY + 12 * HOUR,
});
const O4 = opportunity('o4', {
  salespersonId: 'ben',
  source: 'website',
  expectedRevenue: '800',
  status: 'won',
  createdAt: FEB_1,
  closedAt: MAR_1 + 9 * DAY,
});
const O5 = opportunity('o5', {
  salespersonId: 'ana',
  source: 'fair',
  expectedRevenue: '5000',
  currency: 'CNY',
  status: 'won',
  createdAt: MAR_1 + 3 * DAY,
  closedAt: MAR_1 + 5 * DAY,
});
const O6 = opportunity('o6', {
  salespersonId: 'ben',
  source: 'fair',
  expectedRevenue: '3000',
  probability: 60,
  expectedClosing: '2026-04-10',
  status: 'lost',
  lostReason: 'price',
  createdAt: MAR_1 + 4 * DAY,
  closedAt: MAR_1 + 6 * DAY,
});
const O7 = opportunity('o7', {
  salespersonId: 'ana',
  expectedRevenue: '900',
  status: 'lost',
  lostReason: 'no budget',
  createdAt: JAN_10,
  closedAt: APR_1 - 1,
});
const O8 = opportunity('o8', {
  source: 'website',
  expectedRevenue: '700',
  probability: 10,
  expectedClosing: '2026-05-02',
  createdAt: MAR_1 + 10 * DAY,
});
const O9 = opportunity('o9', {
  salespersonId: 'ben',
  source: 'website',
  expectedRevenue: '400',
  status: 'won',
  createdAt: FEB_1,
  closedAt: APR_1,
});
const O10 = opportunity('o10', {
  salespersonId: 'ben',
  expectedRevenue: '100.01',
  probability: 50,
  expectedClosing: '2026-04-01',
  createdAt: MAR_1 + 15 * DAY,
});
const OPPORTUNITIES = [O1, O2, O3, O4, O5, O6, O7, O8, O9, O10];

const C13 = change('c13', 'o6', 'new', 'proposal', MAR_1 + 5 * DAY);
const CHANGES = [
  change('c1', 'o1', undefined, 'new', MAR_1 + 2 * DAY),
  change('c2', 'o1', 'new', 'qualified', MAR_1 + 3 * DAY + 6 * HOUR),
  change('c3', 'o3', undefined, 'new', MAR_1 + DAY),
  change('c4', 'o3', 'new', 'qualified', MAR_1 + 4 * DAY),
  change('c5', 'o3', 'qualified', 'won', MAR_1 + 11 * DAY + 12 * HOUR),
  change('c6', 'o4', undefined, 'new', FEB_1),
  change('c7', 'o4', 'new', 'qualified', FEB_20),
  // o5 was created straight into "qualified", so leaving "qualified" is what qualifies it.
  change('c8', 'o5', undefined, 'qualified', MAR_1 + 3 * DAY),
  change('c9', 'o5', 'qualified', 'new', MAR_1 + 3 * DAY + 12 * HOUR),
  change('c10', 'o5', 'new', 'qualified', MAR_1 + 4 * DAY),
  change('c11', 'o5', 'qualified', 'proposal', MAR_1 + 4 * DAY + 12 * HOUR),
  change('c12', 'o6', undefined, 'new', MAR_1 + 4 * DAY),
  C13,
  C13,
  change('c14', 'o8', undefined, 'new', MAR_1 + 10 * DAY),
  // o2 has no creation change, so its first stage is unknown.
  change('c15', 'o2', 'new', 'qualified', MAR_1 + DAY),
  change('c16', 'ghost', undefined, 'new', MAR_1),
];

const HAND_SET = { opportunities: OPPORTUNITIES, changes: CHANGES, period: MARCH, now: NOW };

function salesperson(kpis: CrmKpis, salespersonId: string) {
  return kpis.salespeople.find((figures) => figures.salespersonId === salespersonId);
}

describe('period and forecast month', () => {
  it('KPI1 refuses a period that is not a span of time and a present that is not a date', () => {
    const input = { ...HAND_SET };

    expect(codeOf(() => computeKpis({ ...input, period: { from: APR_1, to: MAR_1 } }))).toBe(
      'kpi-period-invalid',
    );
    expect(codeOf(() => computeKpis({ ...input, period: { from: NaN, to: APR_1 } }))).toBe(
      'kpi-period-invalid',
    );
    expect(codeOf(() => computeKpis({ ...input, now: NaN }))).toBe('kpi-now-invalid');
    expect(codeOf(() => computeKpis({ ...input, now: Infinity }))).toBe('kpi-now-invalid');
    expect(codeOf(() => computeKpis({ ...input, now: 8.64e15 + 1 }))).toBe('kpi-now-invalid');
    expect(codeOf(() => new KpiIndex({ from: 2, to: 1 }, NOW))).toBe('kpi-period-invalid');
  });

  it('KPI1 includes the start of the period, excludes its end, and accepts infinite ends', () => {
    // o9 closed at APR_1, the first instant after March: not in March, but in all time.
    expect(computeKpis(HAND_SET).won).toBe(3);
    const allTime = computeKpis({ ...HAND_SET, period: { from: -Infinity, to: Infinity } });
    expect(allTime.won).toBe(4);
    expect(allTime.period).toEqual({ from: -Infinity, to: Infinity });

    const instant = computeKpis({ ...HAND_SET, period: { from: MAR_1, to: MAR_1 } });
    expect([instant.won, instant.lost, instant.leadSources]).toEqual([0, 0, []]);
  });

  it('KPI2 forecasts the UTC calendar month after the one containing now', () => {
    const monthAfter = (now: number) => computeKpis({ ...HAND_SET, now }).forecastMonth;

    expect(monthAfter(NOW)).toBe('2026-04');
    expect(monthAfter(Date.UTC(2026, 0, 31))).toBe('2026-02');
    expect(monthAfter(Date.UTC(2026, 11, 15))).toBe('2027-01');
    expect(monthAfter(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe('2027-01');
    expect(monthAfter(Date.UTC(2027, 0, 1))).toBe('2027-02');
    expect(monthAfter(Date.UTC(2024, 1, 29))).toBe('2024-03');
  });
});

describe('KPIs of the hand-worked set', () => {
  it('KPI2 sums revenue × probability of open opportunities closing next month', () => {
    const kpis = computeKpis(HAND_SET);

    // April 2026, open only:
    //   o1  10000   × 40% = 4000      (ana, closes 15 April)
    //   o2  2500.5  × 33% =  825.165  (ana, closes 30 April; created before March, still counts)
    //   o10 100.01  × 50% =   50.005  (ben, closes 1 April)
    // o6 closes in April but is lost; o8 closes in May.
    // Team 4875.170 → 4875.17; ana 4825.165 → 4825.17; ben 50.005 → 50.01
    // (half-up, at the end).
    expect(kpis.forecastMonth).toBe('2026-04');
    expect(kpis.forecastNextMonth).toEqual({ EUR: '4875.17' });
    expect(salesperson(kpis, 'ana')?.forecastNextMonth).toEqual({ EUR: '4825.17' });
    expect(salesperson(kpis, 'ben')?.forecastNextMonth).toEqual({ EUR: '50.01' });
    expect(salesperson(kpis, '')?.forecastNextMonth).toEqual({});
  });

  it('KPI3 counts won and lost by the day they closed and rounds their ratio', () => {
    const kpis = computeKpis(HAND_SET);

    // Closed in March: won o3, o4 (ben) and o5 (ana); lost o6 (ben) and o7 (ana, on the last
    // millisecond of March). o9 was won at APR_1, after the period. Team 3 / 2 = 1.5;
    // ana 1 / 1 = 1; ben 2 / 1 = 2; nobody's (o8) lost nothing, so no ratio.
    expect([kpis.won, kpis.lost, kpis.wonLostRatio]).toEqual([3, 2, '1.5']);
    const ana = salesperson(kpis, 'ana');
    const ben = salesperson(kpis, 'ben');
    const nobody = salesperson(kpis, '');
    expect([ana?.won, ana?.lost, ana?.wonLostRatio]).toEqual([1, 1, '1']);
    expect([ben?.won, ben?.lost, ben?.wonLostRatio]).toEqual([2, 1, '2']);
    expect([nobody?.won, nobody?.lost, nobody?.wonLostRatio]).toEqual([0, 0, null]);
  });

  it('KPI4 sums the revenue won within the period per salesperson and per currency', () => {
    const kpis = computeKpis(HAND_SET);

    // Won in March: o3 1200 EUR and o4 800 EUR (ben), o5 5000 CNY (ana). Currencies never mix.
    expect(kpis.wonRevenue).toEqual({ CNY: '5000', EUR: '2000' });
    expect(Object.keys(kpis.wonRevenue)).toEqual(['CNY', 'EUR']);
    expect(salesperson(kpis, 'ana')?.wonRevenue).toEqual({ CNY: '5000' });
    expect(salesperson(kpis, 'ben')?.wonRevenue).toEqual({ EUR: '2000' });
    expect(salesperson(kpis, '')?.wonRevenue).toEqual({});
  });

  it('KPI5 averages the days from creation to won over the opportunities won in the period', () => {
    const kpis = computeKpis(HAND_SET);

    // o3: 1 March + 1 day → 1 March + 11.5 days = 10.5 days (ben)
    // o4: 1 February → 10 March = 28 days of February 2026 + 9 = 37 days (ben)
    // o5: 1 March + 3 days → 1 March + 5 days = 2 days (ana)
    // Team (10.5 + 37 + 2) / 3 = 16.5; ben (10.5 + 37) / 2 = 23.75 → 23.8; ana 2.
    expect(kpis.daysToClose).toBe('16.5');
    expect(salesperson(kpis, 'ben')?.daysToClose).toBe('23.8');
    expect(salesperson(kpis, 'ana')?.daysToClose).toBe('2');
    expect(salesperson(kpis, '')?.daysToClose).toBeNull();
  });

  it('KPI6 averages the days from creation to leaving the first stage, within the period', () => {
    const kpis = computeKpis(HAND_SET);

    // o1: created 2 March in "new", c2 leaves "new" 3 March 06:00 = 1.25 days (ana)
    // o3: created 2 March in "new", c4 leaves it 5 March = 3 days (ben)
    // o4: left "new" on 20 February, before the period: not counted
    // o5: created 4 March in "qualified"; c9 leaves it 12 hours later = 0.5 days (ana); c11,
    //     which leaves "qualified" again, is not the first
    // o6: created 5 March in "new", c13 (given twice) leaves it a day later = 1 day (ben)
    // o8 never left "new"; o2 has no creation change; "ghost" is no opportunity.
    // Team (1.25 + 3 + 0.5 + 1) / 4 = 1.4375 → 1.4; ana 1.75 / 2 = 0.875 → 0.9; ben 4 / 2 = 2.
    expect(kpis.daysToQualify).toBe('1.4');
    expect(salesperson(kpis, 'ana')?.daysToQualify).toBe('0.9');
    expect(salesperson(kpis, 'ben')?.daysToQualify).toBe('2');
    expect(salesperson(kpis, '')?.daysToQualify).toBeNull();
  });

  it('KPI7 follows the opportunities created in the period from each source', () => {
    const kpis = computeKpis(HAND_SET);

    // Created in March: o1 (ana, website, open), o3 (ben, website, won 1200 EUR), o5 (ana,
    // fair, won 5000 CNY), o6 (ben, fair, lost), o8 (nobody, website, open), o10 (ben, no
    // source, open). o2, o4, o7 and o9 were created before March.
    expect(kpis.leadSources).toEqual([
      { source: '', opportunities: 1, won: 0, wonRevenue: {} },
      { source: 'fair', opportunities: 2, won: 1, wonRevenue: { CNY: '5000' } },
      { source: 'website', opportunities: 3, won: 1, wonRevenue: { EUR: '1200' } },
    ]);
    expect(salesperson(kpis, 'ben')?.leadSources).toEqual([
      { source: '', opportunities: 1, won: 0, wonRevenue: {} },
      { source: 'fair', opportunities: 1, won: 0, wonRevenue: {} },
      { source: 'website', opportunities: 1, won: 1, wonRevenue: { EUR: '1200' } },
    ]);
  });

  it('KPI8 gives every figure for the team and for each salesperson, sorted by id', () => {
    // The answers of KPI2 to KPI7 together. Nobody's opportunities sort first under ''.
    expect(computeKpis(HAND_SET)).toEqual({
      period: MARCH,
      forecastMonth: '2026-04',
      forecastNextMonth: { EUR: '4875.17' },
      won: 3,
      lost: 2,
      wonLostRatio: '1.5',
      wonRevenue: { CNY: '5000', EUR: '2000' },
      daysToClose: '16.5',
      daysToQualify: '1.4',
      leadSources: [
        { source: '', opportunities: 1, won: 0, wonRevenue: {} },
        { source: 'fair', opportunities: 2, won: 1, wonRevenue: { CNY: '5000' } },
        { source: 'website', opportunities: 3, won: 1, wonRevenue: { EUR: '1200' } },
      ],
      salespeople: [
        {
          salespersonId: '',
          forecastNextMonth: {},
          won: 0,
          lost: 0,
          wonLostRatio: null,
          wonRevenue: {},
          daysToClose: null,
          daysToQualify: null,
          leadSources: [{ source: 'website', opportunities: 1, won: 0, wonRevenue: {} }],
        },
        {
          salespersonId: 'ana',
          forecastNextMonth: { EUR: '4825.17' },
          won: 1,
          lost: 1,
          wonLostRatio: '1',
          wonRevenue: { CNY: '5000' },
          daysToClose: '2',
          daysToQualify: '0.9',
          leadSources: [
            { source: 'fair', opportunities: 1, won: 1, wonRevenue: { CNY: '5000' } },
            { source: 'website', opportunities: 1, won: 0, wonRevenue: {} },
          ],
        },
        {
          salespersonId: 'ben',
          forecastNextMonth: { EUR: '50.01' },
          won: 2,
          lost: 1,
          wonLostRatio: '2',
          wonRevenue: { EUR: '2000' },
          daysToClose: '23.8',
          daysToQualify: '2',
          leadSources: [
            { source: '', opportunities: 1, won: 0, wonRevenue: {} },
            { source: 'fair', opportunities: 1, won: 0, wonRevenue: {} },
            { source: 'website', opportunities: 1, won: 1, wonRevenue: { EUR: '1200' } },
          ],
        },
      ],
    });
  });
});

describe('KPI edge cases', () => {
  it('KPI2 multiplies exactly, with fractional probabilities, and rounds the sum once', () => {
    const cents = ['a', 'b', 'c'].map((id) =>
      opportunity(id, { expectedRevenue: '0.03', probability: 50, expectedClosing: '2026-04-09' }),
    );
    const third = opportunity('d', {
      currency: 'CNY',
      expectedRevenue: '3',
      probability: 33.3,
      expectedClosing: '2026-04-09',
    });

    // 3 × 0.015 = 0.045 → 0.05 (rounding each first would give 0.06); 3 × 33.3% = 0.999 → 1.
    const kpis = computeKpis({ ...HAND_SET, opportunities: [...cents, third], changes: [] });
    expect(kpis.forecastNextMonth).toEqual({ CNY: '1', EUR: '0.05' });
  });

  it('KPI3 rounds the ratio to 0.01 and gives 0 when nothing is won', () => {
    const closed = (id: string, status: 'won' | 'lost') =>
      opportunity(id, { status, closedAt: MAR_1 + DAY, createdAt: FEB_1 });
    const ratio = (opportunities: Opportunity[]) =>
      computeKpis({ ...HAND_SET, opportunities, changes: [] }).wonLostRatio;

    expect(ratio([closed('a', 'won'), closed('b', 'won'), closed('c', 'lost')])).toBe('2');
    expect(
      ratio([closed('a', 'won'), closed('b', 'won'), closed('c', 'lost'), closed('d', 'lost')]),
    ).toBe('1');
    expect(
      ratio([
        closed('a', 'won'),
        closed('b', 'won'),
        ...['c', 'd', 'e'].map((id) => closed(id, 'lost')),
      ]),
    ).toBe('0.67');
    expect(ratio([closed('a', 'lost')])).toBe('0');
    expect(ratio([closed('a', 'won')])).toBeNull();
  });

  it('KPI5 counts a close recorded before the creation as 0 days', () => {
    const skewed = opportunity('a', {
      status: 'won',
      createdAt: MAR_1 + 2 * DAY,
      closedAt: MAR_1 + DAY,
    });

    expect(computeKpis({ ...HAND_SET, opportunities: [skewed], changes: [] }).daysToClose).toBe(
      '0',
    );
  });

  it('KPI6 takes the earliest creation change and ignores moves within a stage', () => {
    const a = opportunity('a', { createdAt: MAR_1 });
    const changes = [
      // Two creation changes from replicas: the earlier one, in "new", decides the first stage.
      change('x2', 'a', undefined, 'qualified', MAR_1 + HOUR),
      change('x1', 'a', undefined, 'new', MAR_1),
      change('x3', 'a', 'new', 'new', MAR_1 + 2 * HOUR),
      change('x4', 'a', 'qualified', 'proposal', MAR_1 + 3 * HOUR),
      change('x5', 'a', 'new', 'qualified', MAR_1 + 6 * DAY),
    ];

    const kpis = computeKpis({ ...HAND_SET, opportunities: [a], changes });
    expect(kpis.daysToQualify).toBe('6');
  });

  it('KPI8 lists a salesperson only when one of their opportunities adds to a figure', () => {
    // o9 (ben) closed after March and was created before it; o7's owner is changed to "dan".
    const kpis = computeKpis({
      ...HAND_SET,
      opportunities: [O9, { ...O7, salespersonId: 'dan' }],
    });

    expect(kpis.salespeople.map(({ salespersonId }) => salespersonId)).toEqual(['dan']);
  });

  it('KPI9 refuses records that break their types and opportunities given twice', () => {
    const compute = (opportunities: Opportunity[], changes: StageChange[] = []) =>
      computeKpis({ ...HAND_SET, opportunities, changes });

    expect(codeOf(() => compute([opportunity('a', { expectedRevenue: '-5' })]))).toBe(
      'kpi-revenue-invalid',
    );
    expect(codeOf(() => compute([opportunity('a', { expectedRevenue: '1,5' })]))).toBe(
      'kpi-revenue-invalid',
    );
    expect(codeOf(() => compute([opportunity('a', { probability: 101 })]))).toBe(
      'kpi-probability-invalid',
    );
    expect(codeOf(() => compute([opportunity('a', { probability: NaN })]))).toBe(
      'kpi-probability-invalid',
    );
    expect(codeOf(() => compute([opportunity('a', { createdAt: NaN })]))).toBe(
      'kpi-instant-invalid',
    );
    expect(codeOf(() => compute([opportunity('a', { closedAt: Infinity })]))).toBe(
      'kpi-instant-invalid',
    );
    expect(codeOf(() => compute([], [change('x', 'a', undefined, 'new', NaN)]))).toBe(
      'kpi-instant-invalid',
    );
    expect(codeOf(() => compute([O1, O2, { ...O1, probability: 90 }]))).toBe(
      'kpi-opportunity-duplicate',
    );
  });

  it('KPI9 leaves the index as it was when a put or a change is refused', () => {
    const index = new KpiIndex(MARCH, NOW);
    index.putOpportunity(O1);
    const before = index.kpis();

    expect(codeOf(() => index.putOpportunity({ ...O1, expectedRevenue: 'lots' }))).toBe(
      'kpi-revenue-invalid',
    );
    expect(codeOf(() => index.addChange(change('x', 'o1', 'new', 'lost', NaN)))).toBe(
      'kpi-instant-invalid',
    );
    expect(index.kpis()).toEqual(before);
    expect(index.addChange(change('x', 'o1', 'new', 'lost', MAR_1))).toBe(true);
  });
});

describe('incremental KPIs', () => {
  it('KPI10 gives the hand-worked answers whatever order the records arrive in', () => {
    const expected = computeKpis(HAND_SET);

    for (let seed = 1; seed <= 20; seed++) {
      const index = new KpiIndex(MARCH, NOW);
      const writes = shuffled([...OPPORTUNITIES, ...CHANGES], seededRandom(seed));
      for (const record of writes) {
        if ('pipelineId' in record) index.putOpportunity(record);
        else index.addChange(record);
      }
      expect(index.kpis(), `seed ${seed}`).toEqual(expected);
    }
  });

  it('KPI10 replaces the previous version on put and forgets it on remove', () => {
    const index = new KpiIndex(MARCH, NOW);
    index.putOpportunity(O3);
    expect([index.kpis().won, index.kpis().wonRevenue]).toEqual([1, { EUR: '1200' }]);

    // Reopened and expected in April at 50%: no longer won, now in the forecast.
    index.putOpportunity({
      ...O3,
      status: 'open',
      closedAt: undefined,
      probability: 50,
      expectedClosing: '2026-04-20',
    });
    const reopened = index.kpis();
    expect([reopened.won, reopened.wonRevenue, reopened.daysToClose]).toEqual([0, {}, null]);
    expect(reopened.forecastNextMonth).toEqual({ EUR: '600' });

    expect(index.removeOpportunity('o3')).toBe(true);
    expect(index.removeOpportunity('o3')).toBe(false);
    expect(index.kpis()).toEqual(computeKpis({ ...HAND_SET, opportunities: [], changes: [] }));
  });

  it('KPI10 records a stage change once, and keeps the history of a removed opportunity', () => {
    const index = new KpiIndex(MARCH, NOW);
    const created = change('k1', 'o1', undefined, 'new', MAR_1 + 2 * DAY);
    const qualified = change('k2', 'o1', 'new', 'qualified', MAR_1 + 4 * DAY);

    expect(index.addChange(qualified)).toBe(true);
    expect(index.addChange(qualified)).toBe(false);
    index.putOpportunity(O1);
    expect(index.kpis().daysToQualify).toBeNull();

    // The creation change arrives last and fixes the first stage: 2 days.
    expect(index.addChange(created)).toBe(true);
    expect(index.kpis().daysToQualify).toBe('2');

    index.removeOpportunity('o1');
    expect(index.kpis().daysToQualify).toBeNull();
    index.putOpportunity(O1);
    expect(index.kpis().daysToQualify).toBe('2');
  });

  it.each([1, 42, 2026])(
    'KPI10 equals computeKpis after 2,000 random puts, removes and changes (seed %i)',
    (seed) => {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const instant = () => MAR_1 + Math.round((random() * 70 - 35) * DAY);
      const stages = ['new', 'qualified', 'proposal', 'won'];

      const index = new KpiIndex(MARCH, NOW);
      const opportunities = new Map<string, Opportunity>();
      const changes: StageChange[] = [];

      for (let step = 0; step < 2000; step++) {
        const id = `o${Math.floor(random() * 40)}`;
        const roll = random();

        if (roll < 0.45) {
          const status = pick(['open', 'open', 'won', 'lost'] as const);
          const createdAt = instant();
          const version = opportunity(id, {
            salespersonId: pick([undefined, 'ana', 'ben', 'chen']),
            source: pick([undefined, 'website', 'fair']),
            currency: pick(['EUR', 'CNY']),
            expectedRevenue: pick(['0', '100', '2500.5', '0.01', '999.99', '12.345']),
            probability: pick([0, 10, 12.5, 33.3, 50, 100]),
            expectedClosing: pick([
              undefined,
              '2026-03-31',
              '2026-04-01',
              '2026-04-30',
              '2026-05-01',
            ]),
            status,
            lostReason: status === 'lost' ? 'price' : undefined,
            createdAt,
            closedAt: status === 'open' ? undefined : createdAt + Math.round(random() * 40 * DAY),
          });
          index.putOpportunity(version);
          opportunities.set(id, version);
        } else if (roll < 0.6) {
          expect(index.removeOpportunity(id), `seed ${seed}, step ${step}`).toBe(
            opportunities.delete(id),
          );
        } else if (roll < 0.7 && changes.length > 0) {
          expect(index.addChange(pick(changes)), `seed ${seed}, step ${step}`).toBe(false);
        } else {
          const from = pick([undefined, ...stages]);
          const next = change(`c${step}`, id, from, pick(stages), instant());
          expect(index.addChange(next), `seed ${seed}, step ${step}`).toBe(true);
          changes.push(next);
        }

        if (step % 100 === 99) {
          const expected = computeKpis({
            opportunities: [...opportunities.values()],
            changes: shuffled(changes, random),
            period: MARCH,
            now: NOW,
          });
          expect(index.kpis(), `seed ${seed}, step ${step}`).toEqual(expected);
        }
      }
    },
  );

  it('KPI11 replaces one opportunity’s history whole, as if only those changes were known', () => {
    const index = new KpiIndex(MARCH, NOW);
    for (const record of OPPORTUNITIES) index.putOpportunity(record);
    for (const fact of CHANGES) index.addChange(fact);
    // o6 keeps only its creation: the move out of its first stage lost to another move.
    const kept = CHANGES.filter((fact) => fact.opportunityId === 'o6' && fact.from === undefined);
    index.setChanges('o6', kept);

    const others = CHANGES.filter((fact) => fact.opportunityId !== 'o6');
    expect(index.kpis()).toEqual(computeKpis({ ...HAND_SET, changes: [...others, ...kept] }));
    index.setChanges('o6', CHANGES);
    expect(index.kpis()).toEqual(computeKpis(HAND_SET));
  });
});
