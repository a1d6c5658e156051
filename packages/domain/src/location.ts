import { DomainError } from './errors.js';
import type { Location, LocationUsage, Product, RemovalStrategy } from './model.js';

/** Codes of the errors that {@link LocationTree} throws. */
export type LocationErrorCode =
  'location-cycle' | 'location-parent-unknown' | 'location-id-duplicate';

/**
 * The ids of the locations every workspace has, outside any warehouse. They are constants, not
 * random ids, so that replicas which create them concurrently write the same records.
 */
export const VIRTUAL_LOCATION_IDS = Object.freeze({
  /** View grouping the partners' locations. */
  partners: 'partners',
  /** Where receipts come from. */
  vendors: 'partners/vendors',
  /** Where deliveries go to. */
  customers: 'partners/customers',
  /** View grouping the counterparts that are no real place. */
  virtual: 'virtual',
  /** The counterpart of counting gains and losses. */
  inventory: 'virtual/inventory-adjustment',
  /** Where manufacturing consumes components and produces finished goods. */
  production: 'virtual/production',
  /** Stock on its way between two warehouses. */
  transit: 'virtual/transit',
} as const);

const STANDARD_LOCATIONS: Location[] = [
  { id: VIRTUAL_LOCATION_IDS.partners, name: 'Partners', usage: 'view' },
  {
    id: VIRTUAL_LOCATION_IDS.vendors,
    name: 'Vendors',
    usage: 'supplier',
    parentId: VIRTUAL_LOCATION_IDS.partners,
  },
  {
    id: VIRTUAL_LOCATION_IDS.customers,
    name: 'Customers',
    usage: 'customer',
    parentId: VIRTUAL_LOCATION_IDS.partners,
  },
  { id: VIRTUAL_LOCATION_IDS.virtual, name: 'Virtual locations', usage: 'view' },
  {
    id: VIRTUAL_LOCATION_IDS.inventory,
    name: 'Inventory adjustment',
    usage: 'inventory',
    parentId: VIRTUAL_LOCATION_IDS.virtual,
  },
  {
    id: VIRTUAL_LOCATION_IDS.production,
    name: 'Production',
    usage: 'production',
    parentId: VIRTUAL_LOCATION_IDS.virtual,
  },
  {
    id: VIRTUAL_LOCATION_IDS.transit,
    name: 'Transit',
    usage: 'transit',
    parentId: VIRTUAL_LOCATION_IDS.virtual,
  },
];

/**
 * The standard locations, with their usage: two views, `partners` and `virtual`, each owning the
 * counterparts of one kind of move. A workspace writes them once; writing them again is harmless
 * because their ids never change.
 */
export const VIRTUAL_LOCATIONS: readonly Location[] = Object.freeze(
  STANDARD_LOCATIONS.map((location) => Object.freeze(location)),
);

/** A location being walked: its children are numbered before it is closed. */
interface Frame {
  readonly location: Location;
  readonly lineage: readonly string[];
  readonly kids: readonly Location[];
  next: number;
  readonly enter: number;
}

/** What the tree precomputes for one location. */
interface TreeNode {
  readonly location: Location;
  /** The location itself, then its ancestors, nearest first. */
  readonly lineage: readonly string[];
  readonly children: readonly string[];
  /** Position in a depth-first walk; the subtree is the range `enter..last`. */
  readonly enter: number;
  readonly last: number;
}

/**
 * The locations of a workspace as a tree, with the questions stock rules ask of it answered in
 * constant time: whether a location lies within a scope, and what its ancestors are.
 *
 * An id the tree does not know counts as a root without children. Locations and moves live in
 * different documents, so a move can arrive before the location it names; it is then counted at
 * that location alone until a tree that knows the location is built.
 *
 * @example
 * ```ts
 * const tree = new LocationTree([...VIRTUAL_LOCATIONS, ...planWarehouse(draft).locations]);
 * tree.isWithin('wh/stock', 'wh/view'); // true
 * ```
 */
export class LocationTree {
  #nodes = new Map<string, TreeNode>();
  /** Every known id in depth-first order, so a subtree is one slice. */
  #order: string[] = [];

  /**
   * @param locations - Every location of the workspace, in any order.
   * @throws {DomainError} `location-id-duplicate` when two locations share an id,
   *   `location-parent-unknown` when a parent is missing, `location-cycle` when following parents
   *   comes back to where it started.
   */
  constructor(locations: Iterable<Location>) {
    const byId = new Map<string, Location>();
    for (const location of locations) {
      if (byId.has(location.id)) {
        throw new DomainError<LocationErrorCode>(
          'location-id-duplicate',
          `two locations have the id "${location.id}"; give each location its own id`,
        );
      }
      byId.set(location.id, location);
    }

    const children = new Map<string, Location[]>();
    const roots: Location[] = [];
    for (const location of byId.values()) {
      const parentId = location.parentId;
      if (parentId === undefined) {
        roots.push(location);
        continue;
      }
      if (!byId.has(parentId)) {
        throw new DomainError<LocationErrorCode>(
          'location-parent-unknown',
          `location "${location.id}" names the parent "${parentId}", which does not exist; ` +
            'create the parent first or clear the parent',
        );
      }
      const siblings = children.get(parentId);
      if (siblings === undefined) children.set(parentId, [location]);
      else siblings.push(location);
    }

    this.#walk(children, roots);
    if (this.#nodes.size < byId.size) throw cycleError(byId, this.#nodes);
  }

  /** Numbers the locations depth first from the roots; a location in a cycle is never reached. */
  #walk(children: Map<string, Location[]>, roots: Location[]) {
    // Sorted, so that every replica walks the same order whatever order its records came in.
    const byId = (a: Location, b: Location) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    for (const list of children.values()) list.sort(byId);
    roots.sort(byId);

    const stack: Frame[] = [];
    const open = (location: Location, parentLineage: readonly string[]) => {
      stack.push({
        location,
        lineage: Object.freeze([location.id, ...parentLineage]),
        kids: children.get(location.id) ?? [],
        next: 0,
        enter: this.#order.length,
      });
      this.#order.push(location.id);
    };

    for (const root of roots) {
      open(root, []);
      for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
        const kid = frame.kids[frame.next++];
        if (kid !== undefined) {
          open(kid, frame.lineage);
          continue;
        }

        stack.pop();
        this.#nodes.set(frame.location.id, {
          location: frame.location,
          lineage: frame.lineage,
          children: Object.freeze(frame.kids.map((child) => child.id)),
          enter: frame.enter,
          last: this.#order.length - 1,
        });
      }
    }
  }

  /** The number of locations. */
  get size(): number {
    return this.#nodes.size;
  }

  /**
   * @param id - A location id.
   * @returns The location, or `undefined` when the tree does not know it.
   */
  get(id: string): Location | undefined {
    return this.#nodes.get(id)?.location;
  }

  /**
   * @param id - A location id.
   * @returns `true` when the tree knows the location.
   */
  has(id: string): boolean {
    return this.#nodes.has(id);
  }

  /**
   * @param id - A location id.
   * @returns What the location is for, or `undefined` when the tree does not know it.
   */
  usage(id: string): LocationUsage | undefined {
    return this.#nodes.get(id)?.location.usage;
  }

  /**
   * @param id - A location id.
   * @returns `true` when the location holds the company's own stock (usage `internal`).
   */
  internal(id: string): boolean {
    return this.#nodes.get(id)?.location.usage === 'internal';
  }

  /**
   * Tells whether a location lies in a scope: the scope itself or one of its descendants.
   *
   * @param locationId - The location asked about.
   * @param scopeId - The location that stands for the scope, such as a warehouse's view.
   * @returns `true` when `locationId` is `scopeId` or below it.
   */
  isWithin(locationId: string, scopeId: string): boolean {
    if (locationId === scopeId) return true;

    const location = this.#nodes.get(locationId);
    const scope = this.#nodes.get(scopeId);
    if (location === undefined || scope === undefined) return false;
    return scope.enter <= location.enter && location.enter <= scope.last;
  }

  /**
   * @param id - A location id.
   * @returns The ids of its ancestors, nearest first; empty for a root or an unknown id.
   */
  ancestors(id: string): readonly string[] {
    return this.#nodes.get(id)?.lineage.slice(1) ?? [];
  }

  /**
   * The location and its ancestors: every scope a quantity at this location counts in. The array
   * is shared and frozen, so that hot paths can walk it without allocating.
   *
   * @param id - A location id.
   * @returns `[id, parent, grandparent, ...]`; `[id]` for an unknown id.
   */
  lineage(id: string): readonly string[] {
    return this.#nodes.get(id)?.lineage ?? [id];
  }

  /**
   * @param id - A location id.
   * @returns The ids of its direct children, sorted.
   */
  children(id: string): readonly string[] {
    return this.#nodes.get(id)?.children ?? [];
  }

  /**
   * @param scopeId - The location that stands for the scope.
   * @returns The scope itself, then every location below it, depth first.
   */
  descendants(scopeId: string): string[] {
    const scope = this.#nodes.get(scopeId);
    if (scope === undefined) return [scopeId];
    return this.#order.slice(scope.enter, scope.last + 1);
  }

  /**
   * @param id - A location id.
   * @returns The names from the root down, joined by slashes: `WH/Stock/Shelf 2`; the id itself
   *   for an unknown location.
   */
  fullName(id: string): string {
    const lineage = this.#nodes.get(id)?.lineage;
    if (lineage === undefined) return id;
    return lineage
      .map((ancestor) => this.#nodes.get(ancestor)?.location.name ?? ancestor)
      .reverse()
      .join('/');
  }

  /** @returns Every location, parents before their children. */
  locations(): Location[] {
    return this.#order.flatMap((id) => this.#nodes.get(id)?.location ?? []);
  }
}

/** Names the loop that keeps some locations from being reached from any root. */
function cycleError(byId: Map<string, Location>, reached: Map<string, TreeNode>) {
  const seen: string[] = [];
  let location = [...byId.values()].find((candidate) => !reached.has(candidate.id));
  while (location !== undefined && !seen.includes(location.id)) {
    seen.push(location.id);
    location = location.parentId === undefined ? undefined : byId.get(location.parentId);
  }
  const loop =
    location === undefined ? seen : [...seen.slice(seen.indexOf(location.id)), location.id];

  return new DomainError<LocationErrorCode>(
    'location-cycle',
    `locations are their own ancestors: ${loop.map((step) => `"${step}"`).join(' → ')}; ` +
      'give one of them another parent',
  );
}

/**
 * Finds the order in which stock of a product leaves a location: the product's own strategy,
 * else that of the nearest location, itself or an ancestor, that sets one, else FIFO.
 *
 * @param product - The product, or just its removal strategy.
 * @param locationId - Where the stock is taken from.
 * @param tree - The workspace's locations.
 * @returns `'fifo'`, `'fefo'` or `'lifo'`.
 */
export function removalStrategyFor(
  product: Pick<Product, 'removal'>,
  locationId: string,
  tree: LocationTree,
): RemovalStrategy {
  if (product.removal !== undefined) return product.removal;

  for (const id of tree.lineage(locationId)) {
    const removal = tree.get(id)?.removal;
    if (removal !== undefined) return removal;
  }
  return 'fifo';
}
