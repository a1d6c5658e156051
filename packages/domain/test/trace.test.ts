import { describe, expect, it } from 'vitest';

import { LocationTree, VIRTUAL_LOCATION_IDS, VIRTUAL_LOCATIONS } from '../src/location.js';
import type { Lot, Move } from '../src/model.js';
import {
  traceLot,
  traceNodeId,
  type TraceData,
  type TraceDocument,
  type TraceGraph,
  type TraceLink,
} from '../src/trace.js';
import { planWarehouse } from '../src/warehouse.js';
import { codeOf, seededRandom, shuffled } from './support.js';

const VENDORS = VIRTUAL_LOCATION_IDS.vendors;
const CUSTOMERS = VIRTUAL_LOCATION_IDS.customers;
const PRODUCTION = VIRTUAL_LOCATION_IDS.production;
const { locations } = planWarehouse({ id: 'wh', code: 'WH', receptionSteps: 3, deliverySteps: 2 });
const tree = new LocationTree([
  ...VIRTUAL_LOCATIONS,
  ...locations,
  { id: 'wh/shelf', name: 'Shelf', usage: 'internal', parentId: 'wh/stock' },
]);

interface MoveFields {
  readonly product: string;
  readonly lot?: string;
  readonly quantity: string;
  readonly from: string;
  readonly to: string;
  readonly date: number;
  readonly origin?: string;
  readonly chainedFrom?: readonly string[];
  readonly state?: Move['state'];
}

function move(id: string, fields: MoveFields): Move {
  return {
    id,
    productId: fields.product,
    quantity: fields.quantity,
    sourceId: fields.from,
    destinationId: fields.to,
    state: fields.state ?? 'done',
    date: fields.date,
    ...(fields.lot !== undefined && { lotId: fields.lot }),
    ...(fields.origin !== undefined && { origin: fields.origin }),
    ...(fields.chainedFrom !== undefined && { chainedFrom: fields.chainedFrom }),
  };
}

// Flour lot received in three steps from Acme, sugar from Wasp; both consumed by one
// manufacturing order that makes a bread lot, picked, shipped to Bee Bakery, one unit returned.
// Another flour receipt comes after the order, and a salt lot has nothing to do with any of it.
const flour = { product: 'flour', lot: 'lot-flour' };
const sugar = { product: 'sugar', lot: 'lot-sugar' };
const bread = { product: 'bread', lot: 'lot-bread' };
const receipt = { origin: 'WH/IN/1' };
const order = { origin: 'WH/MO/1' };
const delivery = { origin: 'WH/OUT/1' };

const MOVES: readonly Move[] = [
  move('in-1', { ...flour, ...receipt, quantity: '10', from: VENDORS, to: 'wh/input', date: 1 }),
  move('in-2', {
    ...flour,
    ...receipt,
    quantity: '10',
    from: 'wh/input',
    to: 'wh/quality',
    date: 2,
    chainedFrom: ['in-1'],
  }),
  move('in-3', {
    ...flour,
    ...receipt,
    quantity: '10',
    from: 'wh/quality',
    to: 'wh/stock',
    date: 3,
    chainedFrom: ['in-2'],
  }),
  move('in-sugar', {
    ...sugar,
    origin: 'WH/IN/2',
    quantity: '4',
    from: VENDORS,
    to: 'wh/stock',
    date: 3,
  }),
  move('consume-flour', {
    ...flour,
    ...order,
    quantity: '10',
    from: 'wh/stock',
    to: PRODUCTION,
    date: 4,
  }),
  move('consume-sugar', {
    ...sugar,
    ...order,
    quantity: '4',
    from: 'wh/stock',
    to: PRODUCTION,
    date: 4,
  }),
  move('produce-bread', {
    ...bread,
    ...order,
    quantity: '5',
    from: PRODUCTION,
    to: 'wh/stock',
    date: 5,
  }),
  move('pick-bread', {
    ...bread,
    ...delivery,
    quantity: '5',
    from: 'wh/stock',
    to: 'wh/output',
    date: 6,
  }),
  move('ship-bread', {
    ...bread,
    ...delivery,
    quantity: '5',
    from: 'wh/output',
    to: CUSTOMERS,
    date: 7,
    chainedFrom: ['pick-bread'],
  }),
  move('return-bread', {
    ...bread,
    origin: 'WH/RET/1',
    quantity: '1',
    from: CUSTOMERS,
    to: 'wh/stock',
    date: 8,
    chainedFrom: ['ship-bread'],
  }),
  move('in-flour-later', {
    ...flour,
    origin: 'WH/IN/3',
    quantity: '6',
    from: VENDORS,
    to: 'wh/stock',
    date: 9,
  }),
  move('pick-bread-planned', {
    ...bread,
    quantity: '1',
    from: 'wh/stock',
    to: 'wh/output',
    date: 10,
    state: 'assigned',
  }),
  move('in-salt', {
    product: 'salt',
    lot: 'lot-salt',
    quantity: '3',
    from: VENDORS,
    to: 'wh/stock',
    date: 2,
  }),
  move('ship-salt', {
    product: 'salt',
    lot: 'lot-salt',
    origin: 'WH/OUT/2',
    quantity: '3',
    from: 'wh/stock',
    to: CUSTOMERS,
    date: 6,
  }),
];

const DOCUMENTS: Readonly<Record<string, TraceDocument>> = {
  'WH/IN/1': { id: 'receipt-1', kind: 'receipt', partnerId: 'acme' },
  'WH/IN/2': { id: 'receipt-2', kind: 'receipt', partnerId: 'wasp' },
  'WH/IN/3': { id: 'receipt-3', kind: 'receipt', partnerId: 'acme' },
  'WH/MO/1': { id: 'mo-1', kind: 'manufacturing' },
  'WH/OUT/1': { id: 'delivery-1', kind: 'delivery', partnerId: 'bee' },
  'WH/OUT/2': { id: 'delivery-2', kind: 'delivery', partnerId: 'cat' },
  'WH/RET/1': { id: 'return-1', kind: 'return', partnerId: 'bee' },
};
const PARTNERS: Readonly<Record<string, string>> = { acme: 'Acme Mills', bee: 'Bee Bakery' };

const LOTS: readonly Lot[] = [
  { id: 'lot-flour', productId: 'flour', name: 'FL-001' },
  { id: 'lot-sugar', productId: 'sugar', name: 'SU-7' },
  { id: 'lot-bread', productId: 'bread', name: 'BR-42' },
  { id: 'lot-salt', productId: 'salt', name: 'SA-1' },
];
const LINKS: readonly TraceLink[] = [
  { orderId: 'mo-1', componentLotIds: ['lot-flour', 'lot-sugar'], producedLotId: 'lot-bread' },
];

function dataWith(fields: Partial<TraceData> = {}): TraceData {
  return {
    moves: MOVES,
    tree,
    documents: (origin) => DOCUMENTS[origin],
    lots: LOTS,
    links: LINKS,
    partnerName: (id) => PARTNERS[id],
    ...fields,
  };
}

/** The edges as `from > to quantity` lines, in the graph's order. */
function edgeLines(graph: TraceGraph): string[] {
  return graph.edges.map(({ from, to, quantity }) => `${from} > ${to} ${quantity ?? '-'}`);
}

function nodeIds(graph: TraceGraph, kind?: string): string[] {
  return graph.nodes.filter((node) => kind === undefined || node.kind === kind).map((n) => n.id);
}

/** Whether the edges lead from one node to another. */
function reaches(graph: TraceGraph, from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const steps = next.get(edge.from) ?? [];
    next.set(edge.from, steps);
    steps.push(edge.to);
  }
  const seen = new Set([from]);
  const queue = [from];
  for (let at = queue.pop(); at !== undefined; at = queue.pop()) {
    if (at === to) return true;
    for (const step of next.get(at) ?? []) {
      if (!seen.has(step)) {
        seen.add(step);
        queue.push(step);
      }
    }
  }
  return false;
}

describe('traceLot', () => {
  it('TRC1 draws a finished lot upstream from its vendors through receipt, order, delivery', () => {
    const graph = traceLot('lot-bread', 'upstream', dataWith());

    expect(edgeLines(graph)).toEqual([
      'document:delivery-1 > partner:bee -',
      'document:mo-1 > move:produce-bread 5',
      'document:receipt-1 > move:in-1 10',
      'document:receipt-2 > move:in-sugar 4',
      'document:return-1 > move:return-bread 1',
      'lot:lot-bread > move:pick-bread 5',
      'lot:lot-flour > move:in-2 10',
      'lot:lot-sugar > move:consume-sugar 4',
      'move:consume-flour > document:mo-1 10',
      'move:consume-sugar > document:mo-1 4',
      'move:in-1 > lot:lot-flour 10',
      'move:in-2 > move:in-3 10',
      'move:in-3 > move:consume-flour 10',
      'move:in-sugar > lot:lot-sugar 4',
      'move:pick-bread > move:ship-bread 5',
      'move:produce-bread > lot:lot-bread 5',
      'move:ship-bread > document:delivery-1 5',
      'move:ship-bread > move:return-bread 1',
      'partner:acme > document:receipt-1 -',
      'partner:wasp > document:receipt-2 -',
    ]);
    expect(reaches(graph, 'partner:acme', 'lot:lot-bread')).toBe(true);
    expect(reaches(graph, 'lot:lot-flour', 'partner:bee')).toBe(true);
  });

  it('TRC1 labels lots, moves, documents and partners', () => {
    const graph = traceLot('lot-bread', 'upstream', dataWith());
    const byId = new Map(graph.nodes.map((node) => [node.id, node]));

    expect(byId.get('lot:lot-flour')).toEqual({
      kind: 'lot',
      id: 'lot:lot-flour',
      label: 'FL-001',
      lotId: 'lot-flour',
      productId: 'flour',
    });
    expect(byId.get('move:ship-bread')).toEqual({
      kind: 'move',
      id: 'move:ship-bread',
      label: 'WH/Output → Partners/Customers',
      moveId: 'ship-bread',
      productId: 'bread',
      lotId: 'lot-bread',
      quantity: '5',
      sourceId: 'wh/output',
      destinationId: CUSTOMERS,
      date: 7,
      origin: 'WH/OUT/1',
    });
    expect(byId.get('document:receipt-1')).toEqual({
      kind: 'document',
      id: 'document:receipt-1',
      label: 'WH/IN/1',
      documentId: 'receipt-1',
      documentKind: 'receipt',
    });
    expect(byId.get('partner:acme')?.label).toBe('Acme Mills');
    expect(byId.get('partner:wasp')?.label).toBe('wasp');
    expect(traceNodeId('lot', 'lot-bread')).toBe('lot:lot-bread');
  });

  it('TRC1 leaves out moves that are not done and lots unrelated to the walk', () => {
    const graphs = [
      traceLot('lot-bread', 'upstream', dataWith()),
      traceLot('lot-flour', 'downstream', dataWith()),
      traceLot('lot-bread', 'both', dataWith()),
    ];

    for (const graph of graphs) {
      const ids = nodeIds(graph);
      expect(ids).not.toContain('move:pick-bread-planned');
      expect(ids).not.toContain('lot:lot-salt');
      expect(ids).not.toContain('move:in-salt');
      expect(ids).not.toContain('move:ship-salt');
      expect(ids).not.toContain('document:delivery-2');
      expect(ids).not.toContain('partner:cat');
    }
  });

  it('TRC1 follows a component lot downstream to the finished lot, customer and return', () => {
    const graph = traceLot('lot-flour', 'downstream', dataWith());

    expect(nodeIds(graph, 'move')).toEqual([
      'move:consume-flour',
      'move:in-1',
      'move:in-2',
      'move:in-3',
      'move:in-flour-later',
      'move:pick-bread',
      'move:produce-bread',
      'move:return-bread',
      'move:ship-bread',
    ]);
    expect(nodeIds(graph, 'lot')).toEqual(['lot:lot-bread', 'lot:lot-flour']);
    expect(nodeIds(graph, 'partner')).toEqual(['partner:acme', 'partner:bee']);
    expect(reaches(graph, 'lot:lot-flour', 'lot:lot-bread')).toBe(true);
    expect(reaches(graph, 'lot:lot-flour', 'partner:bee')).toBe(true);
    expect(reaches(graph, 'lot:lot-flour', 'move:return-bread')).toBe(true);
    expect(edgeLines(graph)).toContain('move:in-flour-later > lot:lot-flour 6');
  });

  it('TRC2 follows a lot through a location without chains, from earlier arrivals only', () => {
    const upstream = traceLot('lot-bread', 'upstream', dataWith());
    const downstream = traceLot('lot-flour', 'downstream', dataWith());

    // Neither the flour consumed nor the bread picked was chained to the move before it.
    expect(edgeLines(upstream)).toContain('move:in-3 > move:consume-flour 10');
    expect(edgeLines(downstream)).toContain('lot:lot-bread > move:pick-bread 5');
    expect(nodeIds(upstream)).not.toContain('move:in-flour-later');
    expect(nodeIds(upstream)).not.toContain('document:receipt-3');
  });

  it('TRC2 does not follow a lot past a time its location ran out of it', () => {
    const data = (shipped: string): TraceData => ({
      tree,
      documents: () => undefined,
      lots: [],
      links: [
        { orderId: 'mo-a', componentLotIds: ['lot-a'], producedLotId: 'lot-x' },
        { orderId: 'mo-b', componentLotIds: ['lot-b'], producedLotId: 'lot-x' },
      ],
      moves: [
        move('a', {
          product: 'a',
          lot: 'lot-a',
          quantity: '1',
          from: 'wh/stock',
          to: PRODUCTION,
          date: 1,
          origin: 'mo-a',
        }),
        move('x-a', {
          product: 'x',
          lot: 'lot-x',
          quantity: '5',
          from: PRODUCTION,
          to: 'wh/stock',
          date: 2,
          origin: 'mo-a',
        }),
        move('ship-1', {
          product: 'x',
          lot: 'lot-x',
          quantity: shipped,
          from: 'wh/stock',
          to: CUSTOMERS,
          date: 3,
        }),
        move('b', {
          product: 'b',
          lot: 'lot-b',
          quantity: '1',
          from: 'wh/stock',
          to: PRODUCTION,
          date: 4,
          origin: 'mo-b',
        }),
        move('x-b', {
          product: 'x',
          lot: 'lot-x',
          quantity: '5',
          from: PRODUCTION,
          to: 'wh/stock',
          date: 4,
          origin: 'mo-b',
        }),
        move('ship-2', {
          product: 'x',
          lot: 'lot-x',
          quantity: '4',
          from: 'wh/stock',
          to: CUSTOMERS,
          date: 5,
        }),
      ],
    });

    const emptied = traceLot('lot-a', 'downstream', data('5'));
    expect(nodeIds(emptied, 'move')).toEqual(['move:a', 'move:ship-1', 'move:x-a']);

    const leftover = traceLot('lot-a', 'downstream', data('3'));
    expect(nodeIds(leftover, 'move')).toEqual(['move:a', 'move:ship-1', 'move:ship-2', 'move:x-a']);
    expect(nodeIds(leftover)).not.toContain('lot:lot-b');
  });

  it('TRC2 adds up quantities exactly, in decimals and past the integers a double holds', () => {
    // Lot x comes out of mo-a, then `shipped` of it leaves. Whatever is left shares its stay with
    // the next arrival, whose departure a downstream trace from lot a then reaches.
    const x = { product: 'x', lot: 'lot-x' };
    const data = (made: readonly string[], shipped: string): TraceData => ({
      tree,
      documents: () => undefined,
      lots: [],
      links: [{ orderId: 'mo-a', componentLotIds: ['lot-a'], producedLotId: 'lot-x' }],
      moves: [
        move('a', {
          product: 'a',
          lot: 'lot-a',
          quantity: '1',
          from: 'wh/stock',
          to: PRODUCTION,
          date: 1,
          origin: 'mo-a',
        }),
        ...made.map((quantity, at) =>
          move(`x-a-${at}`, {
            ...x,
            quantity,
            from: PRODUCTION,
            to: 'wh/stock',
            date: 2,
            origin: 'mo-a',
          }),
        ),
        move('ship-1', { ...x, quantity: shipped, from: 'wh/stock', to: CUSTOMERS, date: 3 }),
        move('x-b', { ...x, quantity: '1', from: VENDORS, to: 'wh/stock', date: 4 }),
        move('ship-2', { ...x, quantity: '1', from: 'wh/stock', to: CUSTOMERS, date: 5 }),
      ],
    });
    const reachesLater = (made: readonly string[], shipped: string) =>
      nodeIds(traceLot('lot-a', 'downstream', data(made, shipped)), 'move').includes('move:ship-2');

    expect(reachesLater(['0.1', '0.2'], '0.3')).toBe(false);
    expect(reachesLater(['0.1', '0.2'], '0.29')).toBe(true);
    expect(reachesLater(['1', '0.5'], '1.5')).toBe(false);
    expect(reachesLater(['1', '0.5'], '1.25')).toBe(true);
    // 2^53 + 1 is no double: a sum in doubles would find the location empty here.
    expect(reachesLater(['9007199254740993'], '9007199254740992')).toBe(true);
    expect(reachesLater(['9007199254740992', '1'], '9007199254740993')).toBe(false);
    expect(reachesLater(['12345678901234.5678', '0.0000000001'], '12345678901234.5678')).toBe(true);
    expect(reachesLater(['12345678901234.5678', '0.0000000001'], '12345678901234.5678000001')).toBe(
      false,
    );
  });

  it('TRC2 ends upstream at vendors and downstream at customers; returns go by chain', () => {
    const extra = [
      // Flour sent back to a vendor before the receipt, and bread some customer sent back
      // without saying which delivery it came from.
      move('flour-to-vendor', { ...flour, quantity: '2', from: 'wh/stock', to: VENDORS, date: 0 }),
      move('bread-back', { ...bread, quantity: '1', from: CUSTOMERS, to: 'wh/stock', date: 9 }),
    ];
    const data = dataWith({ moves: [...MOVES, ...extra] });

    const upstream = traceLot('lot-bread', 'upstream', data);
    const downstream = traceLot('lot-flour', 'downstream', data);

    expect(nodeIds(upstream)).not.toContain('move:flour-to-vendor');
    expect(nodeIds(downstream)).not.toContain('move:bread-back');
    expect(nodeIds(downstream)).toContain('move:return-bread');
    // The customer is where goods end, never a step in between.
    expect(upstream.edges.filter((edge) => edge.from === 'partner:bee')).toEqual([]);
    expect(upstream.edges.filter((edge) => edge.to === 'partner:acme')).toEqual([]);
  });

  it('TRC3 reaches the component lots upstream, but not the sibling components downstream', () => {
    const upstream = traceLot('lot-bread', 'upstream', dataWith());
    const downstream = traceLot('lot-flour', 'downstream', dataWith());

    expect(nodeIds(upstream, 'lot')).toEqual(['lot:lot-bread', 'lot:lot-flour', 'lot:lot-sugar']);
    expect(nodeIds(upstream, 'partner')).toEqual(['partner:acme', 'partner:bee', 'partner:wasp']);
    expect(nodeIds(downstream)).not.toContain('lot:lot-sugar');
    expect(nodeIds(downstream)).not.toContain('move:consume-sugar');
  });

  it('TRC3 follows moves as production books them: chained, with the order id as origin', () => {
    const data: TraceData = {
      tree,
      documents: () => undefined,
      lots: [],
      links: [{ orderId: 'mo-9', componentLotIds: ['lot-c'], producedLotId: 'lot-p' }],
      moves: [
        move('mo-9:consume:0', {
          product: 'c',
          lot: 'lot-c',
          quantity: '2',
          from: 'wh/stock',
          to: PRODUCTION,
          date: 5,
          origin: 'mo-9',
        }),
        move('mo-9:produce', {
          product: 'p',
          lot: 'lot-p',
          quantity: '1',
          from: PRODUCTION,
          to: 'wh/stock',
          date: 5,
          origin: 'mo-9',
          chainedFrom: ['mo-9:consume:0'],
        }),
      ],
    };

    const graph = traceLot('lot-p', 'upstream', data);

    expect(edgeLines(graph)).toEqual([
      'document:mo-9 > move:mo-9:produce 1',
      'move:mo-9:consume:0 > document:mo-9 2',
      'move:mo-9:consume:0 > lot:lot-c 2',
      'move:mo-9:produce > lot:lot-p 1',
    ]);
    expect(graph.nodes.find((node) => node.id === 'document:mo-9')).toMatchObject({
      label: 'mo-9',
      documentKind: 'manufacturing',
    });
  });

  it('TRC3 crosses a link at lot level when the lots have no moves for the order', () => {
    const data: TraceData = {
      tree,
      documents: () => undefined,
      lots: [{ id: 'lot-p', productId: 'p', name: 'P-1' }],
      links: [{ orderId: 'mo-7', componentLotIds: ['lot-c'], producedLotId: 'lot-p' }],
      moves: [
        move('in-c', {
          product: 'c',
          lot: 'lot-c',
          quantity: '2',
          from: VENDORS,
          to: 'wh/stock',
          date: 1,
        }),
      ],
    };

    const graph = traceLot('lot-p', 'upstream', data);

    expect(edgeLines(graph)).toEqual([
      'document:mo-7 > lot:lot-p -',
      'lot:lot-c > document:mo-7 -',
      'move:in-c > lot:lot-c 2',
    ]);
  });

  it('TRC4 walks cyclic data once and ends', () => {
    const cyclic = { product: 'c', lot: 'lot-c', quantity: '1', date: 1 };
    const data: TraceData = {
      tree,
      documents: () => undefined,
      lots: [],
      links: [
        { orderId: 'mo-c', componentLotIds: ['lot-c'], producedLotId: 'lot-d' },
        { orderId: 'mo-d', componentLotIds: ['lot-d'], producedLotId: 'lot-c' },
      ],
      moves: [
        move('x1', { ...cyclic, from: 'wh/stock', to: 'wh/shelf', chainedFrom: ['x2'] }),
        move('x2', { ...cyclic, from: 'wh/shelf', to: 'wh/stock', chainedFrom: ['x1', 'x2'] }),
        move('y1', {
          product: 'd',
          lot: 'lot-d',
          quantity: '1',
          from: 'wh/stock',
          to: 'wh/shelf',
          date: 2,
          chainedFrom: ['y1'],
        }),
      ],
    };

    for (const direction of ['upstream', 'downstream', 'both'] as const) {
      const graph = traceLot('lot-c', direction, data);
      expect(nodeIds(graph)).toEqual([
        'document:mo-c',
        'document:mo-d',
        'lot:lot-c',
        'lot:lot-d',
        'move:x1',
        'move:x2',
        'move:y1',
      ]);
      expect(new Set(nodeIds(graph)).size).toBe(graph.nodes.length);
    }
    expect(edgeLines(traceLot('lot-c', 'both', data))).toEqual([
      'document:mo-c > lot:lot-d -',
      'document:mo-d > lot:lot-c -',
      'lot:lot-c > document:mo-c -',
      'lot:lot-c > move:x2 1',
      'lot:lot-d > document:mo-d -',
      'move:x1 > lot:lot-c 1',
      'move:x2 > move:x1 1',
      'move:y1 > lot:lot-d 1',
    ]);
  });

  it('TRC4 draws the same graph whatever order the data comes in', () => {
    const expected = traceLot('lot-bread', 'both', dataWith());

    for (const seed of [1, 2, 3, 42]) {
      const data = dataWith({
        moves: shuffled(MOVES, seededRandom(seed)),
        lots: shuffled(LOTS, seededRandom(seed + 1)),
        links: LINKS.map((link) => ({
          ...link,
          componentLotIds: shuffled(link.componentLotIds, seededRandom(seed)),
        })),
      });
      expect(traceLot('lot-bread', 'both', data), `seed ${seed}`).toEqual(expected);
    }
    const ids = nodeIds(expected);
    expect(ids).toEqual([...ids].sort());
    const pairs = expected.edges.map((edge) => [edge.from, edge.to].join('\n'));
    expect(pairs).toEqual([...pairs].sort());
  });

  it('TRC4 sorts nodes and edges by code units, whatever the ids share or hold', () => {
    // Ids with a long shared prefix, ties in their first characters, other lengths, capitals,
    // accents and characters outside the Basic Multilingual Plane, given in a shuffled order.
    const suffixes = ['', 'a', 'A', 'aa', 'ab', 'b', 'é', 'e\u0301', '\u{1F600}', 'z', '-', '~'];
    const given = suffixes.flatMap((suffix, at) => [
      `shared-prefix-${suffix}`,
      `shared-prefix-${suffix}${at}`,
      `shared-prefix-${'x'.repeat(12)}${suffix}${at}`,
      `shared-prefix-${'x'.repeat(12)}${at}${suffix}`,
    ]);
    const ids = [...new Set(given)];
    const moves: Move[] = [
      move('in', {
        ...flour,
        quantity: String(ids.length),
        from: VENDORS,
        to: 'wh/stock',
        date: 0,
      }),
      ...ids.map((id, at) =>
        move(`out-${id}`, {
          ...flour,
          origin: `origin-${id}`,
          quantity: '1',
          from: 'wh/stock',
          to: CUSTOMERS,
          date: at + 1,
        }),
      ),
    ];
    const documents = (origin: string): TraceDocument => {
      const id = origin.slice('origin-'.length);
      return { id: `doc-${id}`, kind: 'delivery', partnerId: `partner-${id.length % 5}` };
    };

    const graph = traceLot('lot-flour', 'downstream', {
      moves: shuffled(moves, seededRandom(11)),
      tree,
      documents,
      lots: LOTS,
      links: [],
    });

    const nodes = nodeIds(graph);
    const partners = new Set(ids.map((id) => id.length % 5));
    // The lot, the receipt and each delivery, its document and the partners delivered to.
    expect(nodes).toHaveLength(2 + 2 * ids.length + partners.size);
    expect(nodes).toEqual([...nodes].sort());
    const pairs = graph.edges.map((edge) => [edge.from, edge.to]);
    for (let at = 1; at < pairs.length; at++) {
      const [from = '', to = ''] = pairs[at - 1] ?? [];
      const [nextFrom = '', nextTo = ''] = pairs[at] ?? [];
      expect(from < nextFrom || (from === nextFrom && to < nextTo), `${from} > ${to}`).toBe(true);
    }
  });

  it('TRC4 traces both ways as the union of the two walks', () => {
    const upstream = traceLot('lot-flour', 'upstream', dataWith());
    const downstream = traceLot('lot-flour', 'downstream', dataWith());
    const both = traceLot('lot-flour', 'both', dataWith());

    const union = (pick: (graph: TraceGraph) => string[]) =>
      [...new Set([...pick(upstream), ...pick(downstream)])].sort();
    expect(nodeIds(both)).toEqual(union((graph) => nodeIds(graph)));
    expect([...edgeLines(both)].sort()).toEqual(union(edgeLines));
    expect(nodeIds(both)).not.toContain('lot:lot-sugar');
  });

  it('TRC5 refuses an unknown direction, an unknown lot and a move given twice', () => {
    const data = dataWith();

    expect(codeOf(() => traceLot('lot-bread', 'sideways' as 'both', data))).toBe(
      'trace-direction-unknown',
    );
    expect(codeOf(() => traceLot('lot-nobody', 'both', data))).toBe('trace-lot-unknown');
    expect(codeOf(() => traceLot('', 'both', data))).toBe('trace-lot-unknown');
    expect(
      codeOf(() => traceLot('lot-bread', 'both', { ...data, moves: [...MOVES, MOVES[0]!] })),
    ).toBe('trace-move-duplicate');
    expect(() => traceLot('lot-nobody', 'both', data)).toThrow(
      /trace-lot-unknown: no lot, move or manufacturing order names the lot "lot-nobody"; pass/,
    );
  });

  it('TRC5 names the first move given again when moves are given twice', () => {
    const moves = [...MOVES, MOVES[5]!, MOVES[2]!, MOVES[5]!];

    expect(() => traceLot('lot-bread', 'both', dataWith({ moves }))).toThrow(
      `the move "${MOVES[5]!.id}" is given twice`,
    );
  });

  it('TRC5 knows a lot without moves from the lots or the links', () => {
    const graph = traceLot('lot-salt', 'upstream', dataWith({ moves: [] }));

    expect(graph).toEqual({
      nodes: [
        { kind: 'lot', id: 'lot:lot-salt', label: 'SA-1', lotId: 'lot-salt', productId: 'salt' },
      ],
      edges: [],
    });

    const link = { orderId: 'mo-2', componentLotIds: ['lot-salt'], producedLotId: 'lot-new' };
    const linked = traceLot('lot-new', 'upstream', dataWith({ links: [link] }));
    expect(nodeIds(linked)).toEqual(
      expect.arrayContaining(['lot:lot-new', 'document:mo-2', 'lot:lot-salt', 'move:in-salt']),
    );
    expect(edgeLines(linked)).toContain('document:mo-2 > lot:lot-new -');
  });

  it('TRC6 traces a lot with 10,000 moves downstream in one pass', () => {
    const count = 10_000;
    const moves: Move[] = [
      move('in', { ...flour, origin: 'IN', quantity: '1', from: VENDORS, to: 'wh/stock', date: 1 }),
      move('use', {
        ...flour,
        origin: 'MO',
        quantity: '1',
        from: 'wh/stock',
        to: PRODUCTION,
        date: 2,
      }),
      move('make', {
        ...bread,
        origin: 'MO',
        quantity: String(count),
        from: PRODUCTION,
        to: 'wh/stock',
        date: 3,
      }),
    ];
    for (let i = 0; i < count; i++) {
      moves.push(
        move(`ship-${i}`, {
          ...bread,
          origin: `OUT/${i}`,
          quantity: '1',
          from: 'wh/stock',
          to: CUSTOMERS,
          date: 4 + i,
        }),
      );
    }
    const documents = (origin: string): TraceDocument => {
      if (origin === 'IN') return { id: 'in', kind: 'receipt', partnerId: 'acme' };
      if (origin === 'MO') return { id: 'mo', kind: 'manufacturing' };
      return {
        id: origin,
        kind: 'delivery',
        partnerId: `customer-${Number(origin.slice(4)) % 100}`,
      };
    };
    const links = [{ orderId: 'mo', componentLotIds: ['lot-flour'], producedLotId: 'lot-bread' }];

    const graph = traceLot('lot-flour', 'downstream', {
      moves: shuffled(moves, seededRandom(7)),
      tree,
      documents,
      lots: [],
      links,
    });

    // 3 + 10,000 moves, 2 lots, 2 + 10,000 documents, 1 vendor and 100 customers.
    expect(graph.nodes).toHaveLength(3 + count + 2 + 2 + count + 1 + 100);
    // vendor → receipt → in → flour → use → order → make → bread, then
    // bread → ship → document → customer for each shipment.
    expect(graph.edges).toHaveLength(7 + 3 * count);
    expect(reaches(graph, 'lot:lot-flour', `partner:customer-99`)).toBe(true);
  });

  it('TRC6 gives a lot shuttled 10,000 times between two locations one edge per step', () => {
    const count = 10_000;
    const moves: Move[] = [
      move('in', { ...flour, quantity: '3', from: VENDORS, to: 'wh/stock', date: 0 }),
    ];
    for (let i = 1; i <= count; i++) {
      const [from, to] = i % 2 === 1 ? ['wh/stock', 'wh/shelf'] : ['wh/shelf', 'wh/stock'];
      moves.push(move(`shuttle-${i}`, { ...flour, quantity: '3', from, to, date: i }));
    }

    const graph = traceLot('lot-flour', 'downstream', dataWith({ moves, links: [] }));

    expect(graph.nodes).toHaveLength(1 + count + 1);
    // in → lot → shuttle-1, then shuttle-i → shuttle-(i+1).
    expect(graph.edges).toHaveLength(2 + count - 1);
    expect(edgeLines(graph)).toContain('move:shuttle-9999 > move:shuttle-10000 3');
  });
});
