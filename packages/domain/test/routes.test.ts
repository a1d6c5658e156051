import { describe, expect, it } from 'vitest';

import { LocationTree, VIRTUAL_LOCATION_IDS, VIRTUAL_LOCATIONS } from '../src/location.js';
import type { Location, Move } from '../src/model.js';
import {
  type Demand,
  findRule,
  type ProcureContext,
  procure,
  productRouteIds,
  pushFor,
  rentalReturn,
  type Route,
  type RouteRule,
  validateRoutes,
  warehouseRouteId,
  warehouseRoutes,
} from '../src/routes.js';
import { planWarehouse, type Warehouse, type WarehouseSteps } from '../src/warehouse.js';
import { codeOf, productFixture, seededRandom, shuffled } from './support.js';

const DAY = 86_400_000;
const DATE = Date.UTC(2025, 5, 20);
const { vendors, customers, production } = VIRTUAL_LOCATION_IDS;

const INPUT: Location = { id: 'wh1/input', name: 'Input', usage: 'internal', parentId: 'wh1/view' };
const EXTRA_LOCATIONS: Location[] = [
  { id: 'wh1/stock/shelf', name: 'Shelf', usage: 'internal', parentId: 'wh1/stock' },
  { id: 'wh1/input/dock', name: 'Dock', usage: 'internal', parentId: 'wh1/input' },
];

interface Setup {
  readonly warehouse: Warehouse;
  readonly tree: LocationTree;
  readonly routes: Route[];
}

function setup(receptionSteps: WarehouseSteps = 1, deliverySteps: WarehouseSteps = 1): Setup {
  const { warehouse, locations } = planWarehouse({
    id: 'wh1',
    code: 'WH',
    receptionSteps,
    deliverySteps,
  });
  // Input exists whatever the steps, so that the dock below it always has a parent.
  const own = locations.some(({ id }) => id === INPUT.id) ? locations : [...locations, INPUT];
  const tree = new LocationTree([...VIRTUAL_LOCATIONS, ...own, ...EXTRA_LOCATIONS]);
  return { warehouse, tree, routes: warehouseRoutes(warehouse) };
}

function contextFor(
  { warehouse, tree, routes }: Setup,
  fields: Partial<ProcureContext> = {},
): ProcureContext {
  const onWarehouse = routes.filter((route) => route.appliesTo.includes('warehouse'));
  return {
    tree,
    routes,
    warehouses: [warehouse],
    productRoutes: new Map(),
    productCategories: new Map(),
    categoryRoutes: new Map(),
    warehouseRoutes: new Map([[warehouse.id, onWarehouse.map(({ id }) => id)]]),
    available: () => '0',
    ...fields,
  };
}

/** A context where the product `p` is supplied as `fields` say, in warehouse wh1. */
function productContext(
  current: Setup,
  fields: Parameters<typeof productFixture>[1],
  extra: Partial<ProcureContext> = {},
): ProcureContext {
  const product = productFixture('p', fields);
  return contextFor(current, {
    productRoutes: new Map([['p', productRouteIds(product, current.warehouse)]]),
    ...extra,
  });
}

function rule(id: string, fields: Partial<RouteRule> = {}): RouteRule {
  return {
    id,
    routeId: id.split('/')[0] ?? id,
    action: 'pull',
    sourceId: 'wh1/stock',
    destinationId: customers,
    procureMethod: 'make-to-stock',
    delayDays: 0,
    operation: 'delivery',
    sequence: 1,
    ...fields,
  };
}

function route(id: string, rules: RouteRule[], fields: Partial<Route> = {}): Route {
  return {
    id,
    name: id,
    sequence: 1,
    rules: rules.map((each) => ({ ...each, routeId: id })),
    appliesTo: ['order', 'product', 'category', 'warehouse'],
    ...fields,
  };
}

function demand(fields: Partial<Demand> = {}): Demand {
  return {
    productId: 'p',
    quantity: '2',
    locationId: customers,
    date: DATE,
    origin: 'SO1',
    warehouseId: 'wh1',
    ...fields,
  };
}

function doneMove(fields: Partial<Move> = {}): Move {
  return {
    id: 'm1',
    productId: 'p',
    quantity: '3',
    sourceId: vendors,
    destinationId: 'wh1/input',
    state: 'done',
    origin: 'PO1',
    date: DATE,
    ...fields,
  };
}

/** The moves of a plan as `source → destination`, upstream first. */
function legs(steps: ReturnType<typeof procure>['steps']): string[] {
  return steps.map((step) =>
    step.kind === 'move'
      ? `${step.sourceId} → ${step.destinationId}`
      : `${step.kind} @ ${step.locationId}`,
  );
}

function withDelay(routes: readonly Route[], delayDays: number): Route[] {
  return routes.map((each) => ({
    ...each,
    rules: each.rules.map((one) => ({ ...one, delayDays })),
  }));
}

describe('route validation', () => {
  it('RTE1 accepts the routes of every warehouse, whatever its steps', () => {
    for (const receipt of [1, 2, 3] as const) {
      for (const delivery of [1, 2, 3] as const) {
        const current = setup(receipt, delivery);
        expect(codeOf(() => validateRoutes(current.routes, current.tree))).toBeUndefined();
      }
    }
  });

  it('RTE1 refuses twice the same route or rule id, and a rule held by another route', () => {
    const { tree } = setup();
    const a = route('a', [rule('a/1')]);

    expect(codeOf(() => validateRoutes([a, route('a', [rule('a/2')])], tree))).toBe(
      'route-id-duplicate',
    );
    expect(codeOf(() => validateRoutes([a, route('b', [rule('a/1')])], tree))).toBe(
      'route-id-duplicate',
    );
    const stray: Route = { ...a, rules: [{ ...rule('a/1'), routeId: 'b' }] };
    expect(codeOf(() => validateRoutes([stray], tree))).toBe('route-rule-mismatch');
  });

  it('RTE1 needs a source on pull and push rules and a delay of whole days, 0 or more', () => {
    const { tree } = setup();
    const check = (fields: Partial<RouteRule>) =>
      codeOf(() => validateRoutes([route('a', [rule('a/1', fields)])], tree));

    expect(check({ sourceId: undefined })).toBe('route-source-required');
    expect(check({ action: 'push', sourceId: '' })).toBe('route-source-required');
    expect(check({ action: 'buy', sourceId: undefined })).toBeUndefined();
    expect(check({ delayDays: -1 })).toBe('route-delay-invalid');
    expect(check({ delayDays: 1.5 })).toBe('route-delay-invalid');
    expect(check({ delayDays: Number.NaN })).toBe('route-delay-invalid');
    expect(check({ delayDays: 3 })).toBeUndefined();
  });

  it('RTE1 refuses a rule naming a location that does not exist', () => {
    const { tree } = setup();
    const check = (fields: Partial<RouteRule>) =>
      codeOf(() => validateRoutes([route('a', [rule('a/1', fields)])], tree));

    expect(check({ sourceId: 'wh9/stock' })).toBe('route-location-unknown');
    expect(check({ destinationId: 'nowhere' })).toBe('route-location-unknown');
  });

  it('RTE2 refuses make-to-order pull rules that lead back to a location on the way', () => {
    const { tree } = setup(1, 2);
    const loop = (method: RouteRule['procureMethod']) => [
      route('a', [
        rule('a/1', { sourceId: 'wh1/output', destinationId: 'wh1/stock', procureMethod: method }),
      ]),
      route('b', [
        rule('b/1', { sourceId: 'wh1/stock', destinationId: 'wh1/output', procureMethod: method }),
      ]),
    ];

    expect(codeOf(() => validateRoutes(loop('make-to-order'), tree))).toBe('route-loop');
    expect(codeOf(() => validateRoutes(loop('mts-else-mto'), tree))).toBe('route-loop');
    expect(codeOf(() => validateRoutes(loop('make-to-stock'), tree))).toBeUndefined();
    expect(() => validateRoutes(loop('make-to-order'), tree)).toThrow(
      /"a\/1" \(wh1\/output → wh1\/stock\), "b\/1" \(wh1\/stock → wh1\/output\), "a\/1"/,
    );
  });

  it('RTE2 refuses a loop through the nearest parent and push rules that push in a circle', () => {
    const { tree } = setup();
    const intoShelf = route('a', [
      rule('a/1', {
        sourceId: 'wh1/stock/shelf',
        destinationId: 'wh1/stock',
        procureMethod: 'make-to-order',
      }),
    ]);
    expect(codeOf(() => validateRoutes([intoShelf], tree))).toBe('route-loop');

    const pushes = route('p', [
      rule('p/1', { action: 'push', sourceId: 'wh1/input', destinationId: 'wh1/stock' }),
      rule('p/2', { action: 'push', sourceId: 'wh1/stock', destinationId: 'wh1/input' }),
    ]);
    expect(codeOf(() => validateRoutes([pushes], tree))).toBe('route-loop');

    const putaway = route('s', [
      rule('s/1', { action: 'push', sourceId: 'wh1/stock', destinationId: 'wh1/stock/shelf' }),
    ]);
    expect(codeOf(() => validateRoutes([putaway], tree))).toBeUndefined();
  });

  it('RTE2 stops a make-to-order chain that comes back on itself while procuring', () => {
    const current = setup();
    const looping = [
      route('a', [
        rule('a/1', {
          sourceId: 'wh1/stock',
          destinationId: customers,
          procureMethod: 'make-to-order',
        }),
        rule('a/2', {
          sourceId: customers,
          destinationId: 'wh1/stock',
          procureMethod: 'make-to-order',
        }),
      ]),
    ];
    const context = contextFor(current, {
      routes: looping,
      warehouseRoutes: new Map([['wh1', ['a']]]),
    });

    expect(codeOf(() => procure(demand(), context))).toBe('route-loop');
    expect(() => procure(demand(), context)).toThrow(
      `started: ${customers} ← wh1/stock ← ${customers};`,
    );
  });
});

describe('warehouse routes', () => {
  it('RTE3 gives a 3-step warehouse push rules into stock and pull rules out of it', () => {
    const { routes } = setup(3, 3);
    const byKind = new Map(routes.map((each) => [each.id.split('/').at(-1), each]));
    const summary = (kind: string) =>
      byKind
        .get(kind)
        ?.rules.map(
          (one) =>
            `${one.action} ${one.sourceId} → ${one.destinationId} ` +
            `${one.procureMethod} ${one.operation}`,
        );

    expect(routes.map(({ id }) => id)).toEqual([
      'wh1/route/buy',
      'wh1/route/delivery',
      'wh1/route/manufacture',
      'wh1/route/mto',
      'wh1/route/mts-else-mto',
      'wh1/route/receipt',
    ]);
    expect(summary('receipt')).toEqual([
      'push wh1/input → wh1/quality make-to-stock quality',
      'push wh1/quality → wh1/stock make-to-stock internal',
    ]);
    expect(summary('delivery')).toEqual([
      'pull wh1/stock → wh1/packing make-to-stock internal',
      'pull wh1/packing → wh1/output make-to-order internal',
      `pull wh1/output → ${customers} make-to-order delivery`,
    ]);
    expect(summary('buy')).toEqual([
      `buy ${vendors} → wh1/input make-to-stock receipt`,
      'pull wh1/input → wh1/quality make-to-order quality',
      'pull wh1/quality → wh1/stock make-to-order internal',
    ]);
    expect(summary('manufacture')).toEqual([
      `manufacture ${production} → wh1/stock make-to-stock manufacturing`,
    ]);
    expect(summary('mto')).toEqual(['pull wh1/stock → wh1/packing make-to-order internal']);
    expect(summary('mts-else-mto')).toEqual(['pull wh1/stock → wh1/packing mts-else-mto internal']);
    expect(byKind.get('delivery')?.rules.map(({ id, sequence }) => `${id} ${sequence}`)).toEqual([
      'wh1/route/delivery/1 1',
      'wh1/route/delivery/2 2',
      'wh1/route/delivery/3 3',
    ]);
  });

  it('RTE3 gives a 1-step warehouse no receipt rules and a delivery straight from stock', () => {
    const { routes } = setup(1, 1);
    const rulesOf = (kind: Parameters<typeof warehouseRouteId>[1]) =>
      routes
        .find(({ id }) => id === warehouseRouteId('wh1', kind))
        ?.rules.map((one) => `${one.sourceId} → ${one.destinationId}`);

    expect(rulesOf('receipt')).toEqual([]);
    expect(rulesOf('delivery')).toEqual([`wh1/stock → ${customers}`]);
    expect(rulesOf('buy')).toEqual([`${vendors} → wh1/stock`]);
    expect(rulesOf('mto')).toEqual([`wh1/stock → ${customers}`]);
    expect(routes.find(({ id }) => id === 'wh1/route/receipt')?.name).toBe('WH: Receive in 1 step');
    expect(routes.find(({ id }) => id === 'wh1/route/delivery')?.name).toBe(
      'WH: Deliver in 1 step',
    );
  });

  it('RTE3 applies receipt and delivery to the warehouse and the others to products', () => {
    const { routes, warehouse } = setup(2, 2);
    const scopes = Object.fromEntries(routes.map((each) => [each.id, each.appliesTo]));

    expect(scopes['wh1/route/receipt']).toEqual(['warehouse']);
    expect(scopes['wh1/route/delivery']).toEqual(['warehouse']);
    expect(scopes['wh1/route/buy']).toEqual(['order', 'product', 'category']);
    expect(productRouteIds(productFixture('p'), warehouse)).toEqual(['wh1/route/buy']);
    expect(
      productRouteIds(
        productFixture('p', { buy: false, manufacture: true, procureMethod: 'make-to-order' }),
        warehouse,
      ),
    ).toEqual(['wh1/route/mto', 'wh1/route/manufacture']);
    expect(
      productRouteIds(
        productFixture('p', { buy: false, procureMethod: 'mts-else-mto' }),
        warehouse,
      ),
    ).toEqual(['wh1/route/mts-else-mto']);
  });
});

describe('finding a rule', () => {
  it('RTE4 answers a demand with a rule of its location or of the nearest parent', () => {
    const current = setup();
    const context = productContext(current, { buy: true });

    expect(findRule(demand({ locationId: 'wh1/stock/shelf' }), context)?.id).toBe(
      'wh1/route/buy/1',
    );
    expect(procure(demand({ locationId: 'wh1/stock/shelf' }), context).steps).toEqual([
      {
        kind: 'buy',
        productId: 'p',
        quantity: '2',
        locationId: 'wh1/stock/shelf',
        date: DATE,
        ruleId: 'wh1/route/buy/1',
      },
    ]);
  });

  it('RTE4 prefers a rule of a nearer location over a preferred route of a farther one', () => {
    const current = setup();
    const context = contextFor(current, {
      routes: [
        route('far', [rule('far/1', { destinationId: 'wh1/stock', sourceId: 'wh1/input' })]),
        route('near', [rule('near/1', { destinationId: 'wh1/stock/shelf' })]),
      ],
      warehouseRoutes: new Map([['wh1', ['near']]]),
    });

    const found = findRule(demand({ locationId: 'wh1/stock/shelf', routeIds: ['far'] }), context);
    expect(found?.id).toBe('near/1');
  });

  it('RTE4 finds no rule where none reaches, and reports the demand as unreached', () => {
    const current = setup();
    const context = contextFor(current, { warehouseRoutes: new Map() });
    const unmet = demand();

    expect(findRule(unmet, context)).toBeUndefined();
    expect(procure(unmet, context)).toEqual({ steps: [], unreached: [unmet] });
  });

  it('RTE5 prefers routes named on the order, then product, category and warehouse', () => {
    const current = setup();
    const routes = ['order', 'product', 'category', 'warehouse'].map((level) =>
      route(level, [rule(`${level}/1`)]),
    );
    const context = (levels: string[]) =>
      contextFor(current, {
        routes,
        productRoutes: new Map(levels.includes('product') ? [['p', ['product']]] : []),
        productCategories: new Map([['p', 'chairs']]),
        categoryRoutes: new Map(levels.includes('category') ? [['chairs', ['category']]] : []),
        warehouseRoutes: new Map(levels.includes('warehouse') ? [['wh1', ['warehouse']]] : []),
      });
    const all = ['product', 'category', 'warehouse'];

    expect(findRule(demand({ routeIds: ['order'] }), context(all))?.id).toBe('order/1');
    expect(findRule(demand(), context(all))?.id).toBe('product/1');
    expect(findRule(demand(), context(['category', 'warehouse']))?.id).toBe('category/1');
    expect(findRule(demand(), context(['warehouse']))?.id).toBe('warehouse/1');
  });

  it('RTE5 passes over a route listed where it does not apply, and unknown route ids', () => {
    const current = setup();
    const context = contextFor(current, {
      routes: [
        route('steps', [rule('steps/1')], { appliesTo: ['warehouse'] }),
        route('other', [rule('other/1')], { appliesTo: ['warehouse'] }),
      ],
      productRoutes: new Map([['p', ['steps', 'gone']]]),
      warehouseRoutes: new Map([['wh1', ['other']]]),
    });

    expect(findRule(demand({ routeIds: ['gone'] }), context)?.id).toBe('other/1');
  });

  it('RTE5 breaks ties by route sequence, then rule sequence, then rule id', () => {
    const current = setup();
    const find = (routes: Route[]) =>
      findRule(
        demand(),
        contextFor(current, {
          routes,
          warehouseRoutes: new Map([['wh1', routes.map(({ id }) => id)]]),
        }),
      )?.id;

    expect(
      find([
        route('a', [rule('a/1')], { sequence: 5 }),
        route('b', [rule('b/1')], { sequence: 2 }),
      ]),
    ).toBe('b/1');
    expect(find([route('a', [rule('a/1', { sequence: 3 }), rule('a/2', { sequence: 2 })])])).toBe(
      'a/2',
    );
    expect(find([route('a', [rule('a/2'), rule('a/1')])])).toBe('a/1');
  });

  it('RTE5 never answers a demand with a push rule', () => {
    const current = setup();
    const context = contextFor(current, {
      routes: [route('a', [rule('a/1', { action: 'push', destinationId: customers })])],
      warehouseRoutes: new Map([['wh1', ['a']]]),
    });

    expect(findRule(demand(), context)).toBeUndefined();
  });
});

describe('procurement', () => {
  it('RTE6 pulls a 1, 2 or 3-step delivery through each step, ordering at each source', () => {
    const expected: Record<WarehouseSteps, string[]> = {
      1: [`wh1/stock → ${customers}`],
      2: ['wh1/stock → wh1/output', `wh1/output → ${customers}`],
      3: ['wh1/stock → wh1/packing', 'wh1/packing → wh1/output', `wh1/output → ${customers}`],
    };
    for (const steps of [1, 2, 3] as const) {
      const plan = procure(demand(), contextFor(setup(1, steps)));

      expect(legs(plan.steps)).toEqual(expected[steps]);
      expect(plan.unreached).toEqual([]);
      expect(plan.steps.map((step) => step.ruleId)).toEqual(
        expected[steps].map((_, index) => `wh1/route/delivery/${index + 1}`),
      );
    }
  });

  it('RTE6 dates each step before the next by its delay and keeps the origin', () => {
    const current = setup(1, 3);
    const plan = procure(
      demand({ quantity: '2.50' }),
      contextFor(current, { routes: withDelay(current.routes, 2) }),
    );

    expect(plan.steps.map((step) => (DATE - step.date) / DAY)).toEqual([6, 4, 2]);
    expect(plan.steps[0]).toEqual({
      kind: 'move',
      productId: 'p',
      quantity: '2.5',
      sourceId: 'wh1/stock',
      destinationId: 'wh1/packing',
      date: DATE - 6 * DAY,
      ruleId: 'wh1/route/delivery/1',
      origin: 'SO1',
    });
    expect(
      'origin' in (procure(demand({ origin: undefined }), contextFor(current)).steps[0] ?? {}),
    ).toBe(false);
  });

  it('RTE6 reports the demand raised at a source that no rule reaches', () => {
    const current = setup();
    const context = productContext(current, { buy: false, procureMethod: 'make-to-order' });
    const plan = procure(demand(), context);

    expect(legs(plan.steps)).toEqual([`wh1/stock → ${customers}`]);
    expect(plan.unreached).toEqual([demand({ locationId: 'wh1/stock' })]);
  });

  it('RTE6 refuses a quantity that is not positive and a date that is not a number', () => {
    const context = contextFor(setup());

    for (const quantity of ['0', '-1', 'two', '']) {
      expect(codeOf(() => procure(demand({ quantity }), context))).toBe(
        'procurement-quantity-invalid',
      );
    }
    expect(codeOf(() => procure(demand({ date: Number.NaN }), context))).toBe(
      'procurement-date-invalid',
    );
  });

  it('RTE7 buys a product bought on order, then delivers it', () => {
    const current = setup(1, 1);
    const context = productContext(current, { buy: true, procureMethod: 'make-to-order' });

    expect(procure(demand(), context).steps).toEqual([
      {
        kind: 'buy',
        productId: 'p',
        quantity: '2',
        locationId: 'wh1/stock',
        date: DATE,
        ruleId: 'wh1/route/buy/1',
      },
      {
        kind: 'move',
        productId: 'p',
        quantity: '2',
        sourceId: 'wh1/stock',
        destinationId: customers,
        date: DATE,
        ruleId: 'wh1/route/mto/1',
        origin: 'SO1',
      },
    ]);
  });

  it('RTE7 buys into input and pulls through the receipt steps of a 3-step warehouse', () => {
    const current = setup(3, 2);
    const context = productContext(current, { buy: true, procureMethod: 'make-to-order' });

    expect(legs(procure(demand(), context).steps)).toEqual([
      'buy @ wh1/input',
      'wh1/input → wh1/quality',
      'wh1/quality → wh1/stock',
      'wh1/stock → wh1/output',
      `wh1/output → ${customers}`,
    ]);
  });

  it('RTE7 manufactures a made product, and buys one that is both bought and made', () => {
    const current = setup();
    const made = productContext(current, {
      buy: false,
      manufacture: true,
      procureMethod: 'make-to-order',
    });
    const both = productContext(current, { buy: true, manufacture: true });

    expect(procure(demand(), made).steps[0]).toEqual({
      kind: 'manufacture',
      productId: 'p',
      quantity: '2',
      locationId: 'wh1/stock',
      date: DATE,
      ruleId: 'wh1/route/manufacture/1',
    });
    expect(legs(procure(demand({ locationId: 'wh1/stock' }), both).steps)).toEqual([
      'buy @ wh1/stock',
    ]);
  });

  it('RTE8 takes from stock when enough is available at the source, else orders', () => {
    const current = setup();
    const asked: string[] = [];
    const context = (available: string) =>
      productContext(
        current,
        { buy: true, procureMethod: 'mts-else-mto' },
        {
          available: (productId, locationId) => {
            asked.push(`${productId} @ ${locationId}`);
            return available;
          },
        },
      );

    expect(legs(procure(demand({ quantity: '5' }), context('5')).steps)).toEqual([
      `wh1/stock → ${customers}`,
    ]);
    expect(legs(procure(demand({ quantity: '5' }), context('4.99')).steps)).toEqual([
      'buy @ wh1/stock',
      `wh1/stock → ${customers}`,
    ]);
    expect(asked).toEqual(['p @ wh1/stock', 'p @ wh1/stock']);
  });
});

describe('push rules', () => {
  it('RTE9 pushes a 3-step receipt from input to quality control, then to stock', () => {
    const current = setup(3, 1);
    const context = contextFor(current, { routes: withDelay(current.routes, 1) });
    const received = doneMove({ lotId: 'L1' });

    const checked = pushFor(received, context);
    expect(checked).toEqual({
      id: 'm1/push',
      productId: 'p',
      quantity: '3',
      sourceId: 'wh1/input',
      destinationId: 'wh1/quality',
      lotId: 'L1',
      state: 'confirmed',
      origin: 'PO1',
      date: DATE + DAY,
      chainedFrom: ['m1'],
    });

    const stored = pushFor({ ...checked!, state: 'done' }, context);
    expect(stored).toMatchObject({
      id: 'm1/push/push',
      sourceId: 'wh1/quality',
      destinationId: 'wh1/stock',
      chainedFrom: ['m1/push'],
      date: DATE + 2 * DAY,
    });
    expect(pushFor({ ...stored!, state: 'done' }, context)).toBeUndefined();
  });

  it('RTE9 pushes a 2-step receipt from input or below to stock, a 1-step one nowhere', () => {
    const two = contextFor(setup(2, 1));

    expect(pushFor(doneMove(), two)).toMatchObject({
      sourceId: 'wh1/input',
      destinationId: 'wh1/stock',
    });
    expect(pushFor(doneMove({ destinationId: 'wh1/input/dock' }), two)).toMatchObject({
      sourceId: 'wh1/input/dock',
      destinationId: 'wh1/stock',
    });
    expect(pushFor(doneMove({ destinationId: 'wh1/stock' }), contextFor(setup(1, 1)))).toBe(
      undefined,
    );
  });

  it('RTE9 pushes nothing for a move not done, or one that an open move already continues', () => {
    const context = contextFor(setup(2, 1));

    expect(pushFor(doneMove({ state: 'assigned' }), context)).toBeUndefined();
    expect(pushFor(doneMove(), { ...context, continued: ({ id }) => id === 'm1' })).toBe(undefined);
    expect(
      pushFor(doneMove({ id: 'm2' }), { ...context, continued: ({ id }) => id === 'm1' }),
    ).toBeDefined();
  });
});

describe('rentals', () => {
  const delivery = doneMove({
    id: 'd1',
    sourceId: 'wh1/stock',
    destinationId: customers,
    lotId: 'SN-7',
    origin: 'RENT-12',
    quantity: '1',
  });

  it('RTE10 plans the return of a rented product from the customer at the rental end', () => {
    const { warehouse } = setup(1, 1);

    expect(rentalReturn(delivery, DATE + 7 * DAY, warehouse)).toEqual({
      id: 'd1/return',
      productId: 'p',
      quantity: '1',
      sourceId: customers,
      destinationId: 'wh1/stock',
      lotId: 'SN-7',
      state: 'waiting',
      origin: 'RENT-12',
      date: DATE + 7 * DAY,
      chainedFrom: ['d1'],
    });
  });

  it('RTE10 returns into input when the warehouse receives in steps, which push it on', () => {
    const current = setup(2, 1);
    const back = rentalReturn(delivery, DATE + 7 * DAY, current.warehouse);

    expect(back.destinationId).toBe('wh1/input');
    expect(pushFor({ ...back, state: 'done' }, contextFor(current))).toMatchObject({
      sourceId: 'wh1/input',
      destinationId: 'wh1/stock',
      origin: 'RENT-12',
    });
  });

  it('RTE10 refuses a rental that ends before its delivery', () => {
    const { warehouse } = setup();

    expect(codeOf(() => rentalReturn(delivery, DATE - 1, warehouse))).toBe('rental-end-invalid');
    expect(codeOf(() => rentalReturn(delivery, Number.NaN, warehouse))).toBe('rental-end-invalid');
    expect(rentalReturn(delivery, DATE, warehouse).date).toBe(DATE);
  });
});

describe('determinism', () => {
  it('RTE11 plans the same steps whatever order the routes and rules come in', () => {
    const current = setup(3, 3);
    const extra = [
      route('x', [rule('x/2'), rule('x/1')], { sequence: 30 }),
      route('y', [rule('y/1')], { sequence: 30 }),
    ];
    const routes = [...current.routes, ...extra];
    const ids = (order: readonly Route[]) => order.map(({ id }) => id);
    const base = productContext(
      current,
      { buy: true, manufacture: true, procureMethod: 'make-to-order' },
      { routes },
    );
    const named = demand({ routeIds: ['y', 'x'] });
    const expected = [procure(named, base), procure(demand(), base)];
    expect(findRule(named, base)?.id).toBe('x/1');
    expect(legs(expected[1]?.steps ?? [])).toHaveLength(6);

    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed);
      const order = shuffled(routes, random).map((each) => ({
        ...each,
        rules: shuffled(each.rules, random),
      }));
      const context: ProcureContext = {
        ...base,
        routes: order,
        productRoutes: new Map([['p', shuffled(base.productRoutes.get('p') ?? [], random)]]),
        warehouseRoutes: new Map([['wh1', shuffled(ids(current.routes), random)]]),
      };

      const plans = [
        procure({ ...named, routeIds: shuffled(['y', 'x'], random) }, context),
        procure(demand(), context),
      ];
      expect(plans, `seed ${seed}`).toEqual(expected);
      expect(codeOf(() => validateRoutes(order, current.tree))).toBeUndefined();
    }
    expect(warehouseRoutes(current.warehouse)).toEqual(current.routes);
  });
});
