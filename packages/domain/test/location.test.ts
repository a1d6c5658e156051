import { describe, expect, it } from 'vitest';

import {
  LocationTree,
  removalStrategyFor,
  VIRTUAL_LOCATION_IDS,
  VIRTUAL_LOCATIONS,
} from '../src/location.js';
import type { Location } from '../src/model.js';
import { codeOf } from './support.js';

const LOCATIONS: Location[] = [
  { id: 'wh', name: 'WH', usage: 'view' },
  { id: 'stock', name: 'Stock', usage: 'internal', parentId: 'wh', removal: 'fefo' },
  { id: 'shelf-1', name: 'Shelf 1', usage: 'internal', parentId: 'stock' },
  { id: 'bin-a', name: 'Bin A', usage: 'internal', parentId: 'shelf-1', removal: 'lifo' },
  { id: 'shelf-2', name: 'Shelf 2', usage: 'internal', parentId: 'stock' },
  { id: 'output', name: 'Output', usage: 'internal', parentId: 'wh' },
  ...VIRTUAL_LOCATIONS,
];

describe('location tree', () => {
  it('LOC1 builds the same tree from records in any order', () => {
    const tree = new LocationTree([...LOCATIONS].reverse());

    expect(tree.size).toBe(LOCATIONS.length);
    expect(tree.descendants('wh')).toEqual(new LocationTree(LOCATIONS).descendants('wh'));
    expect(tree.get('bin-a')?.name).toBe('Bin A');
  });

  it('LOC1 refuses a parent that does not exist', () => {
    const orphan: Location = { id: 'lost', name: 'Lost', usage: 'internal', parentId: 'nowhere' };

    expect(codeOf(() => new LocationTree([...LOCATIONS, orphan]))).toBe('location-parent-unknown');
    expect(() => new LocationTree([orphan])).toThrow(/"lost".*"nowhere"/);
  });

  it('LOC1 refuses a cycle and names the locations in it', () => {
    const loop: Location[] = [
      { id: 'a', name: 'A', usage: 'internal', parentId: 'c' },
      { id: 'b', name: 'B', usage: 'internal', parentId: 'a' },
      { id: 'c', name: 'C', usage: 'internal', parentId: 'b' },
      { id: 'd', name: 'D', usage: 'internal', parentId: 'a' },
    ];
    const self: Location = { id: 'me', name: 'Me', usage: 'internal', parentId: 'me' };

    expect(codeOf(() => new LocationTree([...LOCATIONS, ...loop]))).toBe('location-cycle');
    expect(() => new LocationTree(loop)).toThrow(/"a".*"c".*"b".*"a"/);
    expect(codeOf(() => new LocationTree([self]))).toBe('location-cycle');
  });

  it('LOC1 refuses two locations with the same id', () => {
    const twin: Location = { id: 'stock', name: 'Other stock', usage: 'internal' };

    expect(codeOf(() => new LocationTree([...LOCATIONS, twin]))).toBe('location-id-duplicate');
  });

  it('LOC2 counts a location within itself and within each of its ancestors only', () => {
    const tree = new LocationTree(LOCATIONS);

    expect(tree.isWithin('bin-a', 'bin-a')).toBe(true);
    expect(tree.isWithin('bin-a', 'shelf-1')).toBe(true);
    expect(tree.isWithin('bin-a', 'wh')).toBe(true);
    expect(tree.isWithin('bin-a', 'shelf-2')).toBe(false);
    expect(tree.isWithin('stock', 'bin-a')).toBe(false);
    expect(tree.isWithin('output', 'stock')).toBe(false);
    expect(tree.isWithin(VIRTUAL_LOCATION_IDS.vendors, 'wh')).toBe(false);
  });

  it('LOC2 lists ancestors nearest first and descendants with the scope first', () => {
    const tree = new LocationTree(LOCATIONS);

    expect(tree.ancestors('bin-a')).toEqual(['shelf-1', 'stock', 'wh']);
    expect(tree.ancestors('wh')).toEqual([]);
    expect(tree.lineage('bin-a')).toEqual(['bin-a', 'shelf-1', 'stock', 'wh']);
    expect(tree.descendants('stock')).toEqual(['stock', 'shelf-1', 'bin-a', 'shelf-2']);
    expect(tree.descendants('shelf-2')).toEqual(['shelf-2']);
    expect(tree.children('wh')).toEqual(['output', 'stock']);
  });

  it('LOC2 treats an id it does not know as a root without children', () => {
    const tree = new LocationTree(LOCATIONS);

    expect(tree.get('later')).toBeUndefined();
    expect(tree.isWithin('later', 'later')).toBe(true);
    expect(tree.isWithin('later', 'wh')).toBe(false);
    expect(tree.isWithin('stock', 'later')).toBe(false);
    expect(tree.ancestors('later')).toEqual([]);
    expect(tree.lineage('later')).toEqual(['later']);
    expect(tree.descendants('later')).toEqual(['later']);
  });

  it('LOC3 tells internal locations, which hold the company stock, from the others', () => {
    const tree = new LocationTree(LOCATIONS);

    expect(tree.internal('bin-a')).toBe(true);
    expect(tree.internal('wh')).toBe(false);
    expect(tree.internal(VIRTUAL_LOCATION_IDS.customers)).toBe(false);
    expect(tree.internal('later')).toBe(false);
    expect(tree.usage(VIRTUAL_LOCATION_IDS.inventory)).toBe('inventory');
  });

  it("LOC4 takes the product's removal strategy, else the nearest location's, else FIFO", () => {
    const tree = new LocationTree(LOCATIONS);

    expect(removalStrategyFor({ removal: 'lifo' }, 'shelf-2', tree)).toBe('lifo');
    expect(removalStrategyFor({}, 'bin-a', tree)).toBe('lifo');
    expect(removalStrategyFor({}, 'shelf-1', tree)).toBe('fefo');
    expect(removalStrategyFor({}, 'shelf-2', tree)).toBe('fefo');
    expect(removalStrategyFor({}, 'output', tree)).toBe('fifo');
    expect(removalStrategyFor({}, 'later', tree)).toBe('fifo');
  });

  it('LOC5 provides the standard virtual locations under stable ids', () => {
    const tree = new LocationTree(VIRTUAL_LOCATIONS);
    const usages = Object.fromEntries(VIRTUAL_LOCATIONS.map(({ id, usage }) => [id, usage]));

    expect(usages).toEqual({
      partners: 'view',
      'partners/vendors': 'supplier',
      'partners/customers': 'customer',
      virtual: 'view',
      'virtual/inventory-adjustment': 'inventory',
      'virtual/production': 'production',
      'virtual/transit': 'transit',
    });
    expect(tree.isWithin(VIRTUAL_LOCATION_IDS.vendors, VIRTUAL_LOCATION_IDS.partners)).toBe(true);
    expect(tree.isWithin(VIRTUAL_LOCATION_IDS.transit, VIRTUAL_LOCATION_IDS.virtual)).toBe(true);
    expect(Object.isFrozen(VIRTUAL_LOCATIONS[0])).toBe(true);
  });

  it('LOC6 names a location by the names of its ancestors and its own', () => {
    const tree = new LocationTree(LOCATIONS);

    expect(tree.fullName('bin-a')).toBe('WH/Stock/Shelf 1/Bin A');
    expect(tree.fullName('later')).toBe('later');
    expect(
      tree
        .locations()
        .map(({ id }) => id)
        .slice(0, 3),
    ).toEqual(['partners', 'partners/customers', 'partners/vendors']);
  });
});
