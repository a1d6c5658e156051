import {
  DomainError,
  LocationTree,
  planWarehouse,
  productRouteIds,
  STANDARD_UNIT_CATEGORIES,
  STANDARD_UNITS,
  VIRTUAL_LOCATIONS,
  validateProductDraft,
  validateProductUnits,
  validatePartnerDraft,
  validateUnits,
  validateBom,
  validateRoutes,
  warehouseRouteId,
  warehouseRoutes,
  type BillOfMaterials,
  type Route,
  type RouteContext,
  type Location,
  type LocationUsage,
  type Partner,
  type PartnerDraft,
  type Product,
  type ProductDraft,
  type Unit,
  type Warehouse,
  type WarehouseSteps,
} from '@kura/domain';
import type * as Y from 'yjs';

import { StoreError } from './errors.js';
import { randomId } from './ids.js';
import { Origin } from './origins.js';
import { ProductIndex } from './product-index.js';
import { RecordProjection } from './projection.js';
import type { ProductHit, ProjectionDatabase } from './projections.js';
import { byId, insertRecord, type RecordMap } from './records.js';

/** What a user gives to add a location. */
export interface LocationDraft {
  name: string;
  usage: LocationUsage;
  parentId?: string | undefined;
}

/** What a user gives to add a warehouse. */
export interface WarehouseDraft {
  code: string;
  name?: string | undefined;
  receptionSteps: WarehouseSteps;
  deliverySteps: WarehouseSteps;
}

/** Codes of the errors that catalog commands throw besides the domain's. */
export type CatalogErrorCode =
  | 'product-unknown'
  | 'partner-unknown'
  | 'location-parent-unknown'
  | 'location-name-empty'
  | 'bom-unknown';

/** A bill of materials as a user types it; the store gives it its id. */
export type BomDraft = Omit<BillOfMaterials, 'id'>;

/** A route as a user types it; the store gives it and its rules their ids. */
export interface RouteDraft {
  name: string;
  sequence: number;
  appliesTo: Route['appliesTo'];
  rules: readonly Omit<Route['rules'][number], 'id' | 'routeId'>[];
}

/**
 * The catalog of a workspace: products, units, locations and warehouses, each a record whose
 * fields merge one by one. The standard units and virtual locations are built in, the same on
 * every replica, so nobody has to seed them. Commands validate with the domain before writing.
 */
export class Catalog {
  readonly #doc: Y.Doc;
  readonly #products: RecordProjection<Product>;
  readonly #units: RecordProjection<Unit>;
  readonly #locations: RecordProjection<Location>;
  readonly #warehouses: RecordProjection<Warehouse>;
  readonly #partners: RecordProjection<Partner>;
  readonly #boms: RecordProjection<BillOfMaterials>;
  readonly #routes: RecordProjection<Route>;
  readonly #locationListeners = new Set<(tree: LocationTree) => void>();
  readonly #search: ProductIndex;
  #productList: readonly Product[] | undefined;
  #tree: LocationTree | undefined;
  #routeContext: RouteContext | undefined;

  /**
   * @internal Opened by the workspace.
   * @param loaded - Settles when the document has been read from IndexedDB.
   * @param db - Where the product search index persists, if anywhere.
   */
  constructor(doc: Y.Doc, loaded: Promise<void> = Promise.resolve(), db?: ProjectionDatabase) {
    this.#doc = doc;
    this.#search = new ProductIndex(doc, () => this.productMap(), loaded, db);
    this.#products = new RecordProjection<Product>(doc.getMap('products'), (changed) => {
      this.#productList = undefined;
      this.#routeContext = undefined;
      this.#search.changed(changed);
    });
    this.#units = new RecordProjection<Unit>(doc.getMap('units'));
    const routesChanged = () => {
      this.#routeContext = undefined;
    };
    this.#warehouses = new RecordProjection<Warehouse>(doc.getMap('warehouses'), routesChanged);
    this.#partners = new RecordProjection<Partner>(doc.getMap('partners'));
    this.#boms = new RecordProjection<BillOfMaterials>(doc.getMap('boms'));
    this.#routes = new RecordProjection<Route>(doc.getMap('routes'), routesChanged);
    this.#locations = new RecordProjection<Location>(doc.getMap('locations'), () => {
      this.#tree = undefined;
      this.#routeContext = undefined;
      const tree = this.locationTree();
      for (const listener of this.#locationListeners) listener(tree);
    });
  }

  /**
   * Records a new product in the catalog.
   *
   * @param draft - The product's fields as typed.
   * @returns The stored product.
   * @throws {DomainError} The codes of `validateProductDraft` and `validateProductUnits`;
   *   nothing is written then.
   */
  createProduct(draft: ProductDraft): Product {
    const fields = validateProductDraft(draft);
    const id = randomId();
    validateProductUnits(fields, this.units());

    this.#doc.transact(() => insertRecord(this.#map('products'), id, fields), Origin.command);

    return this.#products.get(id) ?? Object.freeze({ id, ...fields });
  }

  /**
   * Changes some fields of a product; fields left out keep their value, and a concurrent edit of
   * another field on another replica survives.
   *
   * @param id - The product's id.
   * @param patch - The fields to change, as typed.
   * @returns The product after the change.
   * @throws {StoreError} `product-unknown`.
   * @throws {DomainError} The codes of `validateProductDraft` for the changed product.
   */
  updateProduct(id: string, patch: Partial<ProductDraft>): Product {
    const product = this.#products.patch(id, patch, (current) => {
      const fields = validateProductDraft({ ...current, ...patch });
      validateProductUnits(fields, this.units());
      return fields;
    });
    if (product === undefined) {
      throw new StoreError<CatalogErrorCode>('product-unknown', `no product has the id "${id}"`);
    }
    return product;
  }

  /** @returns The product with that id, if there is one. */
  product(id: string): Product | undefined {
    return this.#products.get(id);
  }

  /** @returns Every product of the catalog, ordered by name. */
  products(): readonly Product[] {
    this.#productList ??= Object.freeze(
      [...this.#products.all().values()].sort(
        (a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1),
      ),
    );

    return this.#productList;
  }

  /**
   * Finds products by name, reference or barcode as the user types: every word typed must start
   * a word of the name, or the reference or barcode. At a cold start the persisted index
   * answers before the catalog is decoded.
   *
   * @param query - What the user typed.
   * @param options - `limit`: at most this many products, 20 by default.
   * @returns The products found, an exact reference or barcode first, then by name.
   */
  async searchProducts(query: string, options: { limit?: number } = {}): Promise<ProductHit[]> {
    return this.#search.search(query, options.limit ?? 20);
  }

  /** @internal Saves the search index and stops following changes; the workspace closes. */
  async close(): Promise<void> {
    await this.#search.close();
  }

  /** @returns The products by id, for lookups on a hot path. */
  productMap(): ReadonlyMap<string, Product> {
    return this.#products.all();
  }

  /**
   * Calls `listener` with every product, now and after each change, local or remote.
   *
   * @returns A function that stops the calls.
   */
  subscribeProducts(listener: (products: readonly Product[]) => void): () => void {
    return this.#products.subscribe(() => listener(this.products()));
  }

  /**
   * Records a customer or vendor.
   *
   * @param draft - The partner's fields as typed.
   * @returns The stored partner.
   * @throws {DomainError} The codes of `validatePartnerDraft`; nothing is written then.
   */
  createPartner(draft: PartnerDraft): Partner {
    const fields = validatePartnerDraft(draft);
    const id = randomId();

    this.#doc.transact(() => insertRecord(this.#map('partners'), id, fields), Origin.command);

    return this.#partners.get(id) ?? Object.freeze({ id, ...fields });
  }

  /**
   * Changes some fields of a partner; fields left out keep their value, and a concurrent edit of
   * another field on another replica survives. The address changes as one field.
   *
   * @returns The partner after the change.
   * @throws {StoreError} `partner-unknown`.
   * @throws {DomainError} The codes of `validatePartnerDraft` for the changed partner.
   */
  updatePartner(id: string, patch: Partial<PartnerDraft>): Partner {
    const partner = this.#partners.patch(id, patch, (current) =>
      validatePartnerDraft({ ...current, ...patch }),
    );
    if (partner === undefined) {
      throw new StoreError<CatalogErrorCode>('partner-unknown', `no partner has the id "${id}"`);
    }
    return partner;
  }

  /** @returns The partner with that id, if there is one. */
  partner(id: string): Partner | undefined {
    return this.#partners.get(id);
  }

  /** @returns Every partner, ordered by name, then id. */
  partners(): Partner[] {
    return [...this.#partners.all().values()].sort(
      (a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1),
    );
  }

  /**
   * Records a bill of materials: what one batch of a product consumes.
   *
   * @returns The stored bill.
   * @throws {DomainError} The codes of `validateBom`, `bom-cycle` among them when the bill would
   *   contain its own product; nothing is written then.
   */
  createBom(draft: BomDraft): BillOfMaterials {
    const bom = this.#validBom({ ...draft, id: randomId() });
    this.#doc.transact(() => insertRecord(this.#map('boms'), bom.id, bom), Origin.command);
    return this.#boms.get(bom.id) ?? bom;
  }

  /**
   * Changes some fields of a bill of materials; the components change as one field.
   *
   * @returns The bill after the change.
   * @throws {StoreError} `bom-unknown`.
   * @throws {DomainError} The codes of `validateBom` for the changed bill.
   */
  updateBom(id: string, patch: Partial<BomDraft>): BillOfMaterials {
    const bom = this.#boms.patch(id, patch, (current) =>
      this.#validBom({ ...current, ...patch, id }),
    );
    if (bom === undefined) {
      throw new StoreError<CatalogErrorCode>(
        'bom-unknown',
        `no bill of materials has the id "${id}"`,
      );
    }
    return bom;
  }

  /** @returns The bills of materials, ordered by id. */
  boms(): BillOfMaterials[] {
    return byId([...this.#boms.all().values()]);
  }

  /** @returns The bill of materials with that id, if there is one. */
  bom(id: string): BillOfMaterials | undefined {
    return this.#boms.get(id);
  }

  /**
   * Adds a route of one's own, such as a pull from another warehouse. It is checked with every
   * route of the workspace, the warehouses' among them, so that no set of routes loops.
   *
   * @returns The stored route.
   * @throws {DomainError} The codes of `validateRoutes`, `route-loop` among them; nothing is
   *   written then.
   */
  createRoute(draft: RouteDraft): Route {
    const id = randomId();
    const route: Route = {
      id,
      name: draft.name.trim(),
      sequence: draft.sequence,
      appliesTo: [...draft.appliesTo],
      rules: draft.rules.map((rule, index) => ({ ...rule, id: `${id}/${index + 1}`, routeId: id })),
    };
    validateRoutes([...this.routes(), route], this.locationTree());
    this.#doc.transact(() => insertRecord(this.#map('routes'), id, route), Origin.command);
    return this.#routes.get(id) ?? route;
  }

  /** @returns Every route: those each warehouse's steps give it, then one's own, by id. */
  routes(): Route[] {
    return [
      ...this.warehouses().flatMap((warehouse) => warehouseRoutes(warehouse)),
      ...byId([...this.#routes.all().values()]),
    ];
  }

  /**
   * The routes and where each is named, as procurement reads them. A warehouse names its receipt
   * and delivery routes and every route of one's own that applies to warehouses; a product names
   * the buy, manufacture and on-order routes of each warehouse that its supply settings ask for.
   *
   * @returns The context for `findRule`, `procure` and `pushFor`, without the stock; the same
   *   object until a product, warehouse, route or location changes.
   */
  routeContext(): RouteContext {
    this.#routeContext ??= this.#computeRouteContext();
    return this.#routeContext;
  }

  #computeRouteContext(): RouteContext {
    const warehouses = this.warehouses();
    const own = byId([...this.#routes.all().values()]);
    const everywhere = own.filter((route) => route.appliesTo.includes('warehouse'));
    const productRoutes = new Map<string, string[]>();
    const productCategories = new Map<string, string>();
    for (const product of this.products()) {
      productRoutes.set(
        product.id,
        warehouses.flatMap((warehouse) => productRouteIds(product, warehouse)),
      );
      if (product.categoryId !== undefined) productCategories.set(product.id, product.categoryId);
    }
    return {
      tree: this.locationTree(),
      routes: this.routes(),
      warehouses,
      productRoutes,
      productCategories,
      categoryRoutes: new Map(),
      warehouseRoutes: new Map(
        warehouses.map((warehouse) => [
          warehouse.id,
          [
            warehouseRouteId(warehouse.id, 'receipt'),
            warehouseRouteId(warehouse.id, 'delivery'),
            ...everywhere.map((route) => route.id),
          ],
        ]),
      ),
    };
  }

  /**
   * Adds a unit of measure to one of the categories.
   *
   * @param draft - The unit without its id.
   * @returns The stored unit.
   * @throws {DomainError} The codes of `validateUnits` for the units with this one added.
   */
  defineUnit(draft: Omit<Unit, 'id'>): Unit {
    const unit: Unit = { ...draft, id: randomId() };
    validateUnits(STANDARD_UNIT_CATEGORIES, [...this.units(), unit]);

    this.#doc.transact(() => insertRecord(this.#map('units'), unit.id, unit), Origin.command);

    return unit;
  }

  /** @returns The standard units followed by those defined in this workspace. */
  units(): Unit[] {
    return [...STANDARD_UNITS, ...this.#units.all().values()];
  }

  /**
   * @returns The unit with that id.
   * @throws {DomainError} `unit-unknown`.
   */
  unit(id: string): Unit {
    const unit = STANDARD_UNITS.find((standard) => standard.id === id) ?? this.#units.get(id);
    if (unit === undefined) {
      throw new DomainError('unit-unknown', `no unit has the id "${id}"`);
    }
    return unit;
  }

  /**
   * Adds a location under another.
   *
   * @param draft - Its name, usage and parent.
   * @returns The stored location.
   * @throws {StoreError} `location-name-empty` or `location-parent-unknown`.
   */
  createLocation(draft: LocationDraft): Location {
    const name = draft.name.trim();
    if (name === '') {
      throw new StoreError<CatalogErrorCode>('location-name-empty', 'a location needs a name');
    }
    if (draft.parentId !== undefined && !this.locationTree().has(draft.parentId)) {
      throw new StoreError<CatalogErrorCode>(
        'location-parent-unknown',
        `no location has the id "${draft.parentId}"; pick an existing parent`,
      );
    }
    const location: Location = {
      id: randomId(),
      name,
      usage: draft.usage,
      parentId: draft.parentId,
    };

    this.#doc.transact(
      () => insertRecord(this.#map('locations'), location.id, location),
      Origin.command,
    );

    return location;
  }

  /** @returns Every location, the virtual ones first, as a tree. */
  locationTree(): LocationTree {
    this.#tree ??= new LocationTree(
      tolerantLocations([...VIRTUAL_LOCATIONS, ...this.#locations.all().values()]),
    );
    return this.#tree;
  }

  /**
   * Calls `listener` with the new tree each time a location is added or changed.
   *
   * @returns A function that stops the calls.
   */
  onLocations(listener: (tree: LocationTree) => void): () => void {
    this.#locationListeners.add(listener);
    return () => this.#locationListeners.delete(listener);
  }

  /**
   * Adds a warehouse with the locations its receipt and delivery steps need, in one transaction.
   *
   * @param draft - Its code, name and steps.
   * @returns The stored warehouse.
   * @throws {DomainError} The codes of `planWarehouse`.
   */
  createWarehouse(draft: WarehouseDraft): Warehouse {
    const plan = planWarehouse({ ...draft, id: randomId() });

    this.#doc.transact(() => {
      for (const location of plan.locations) {
        insertRecord(this.#map('locations'), location.id, location);
      }
      insertRecord(this.#map('warehouses'), plan.warehouse.id, plan.warehouse);
    }, Origin.command);

    return plan.warehouse;
  }

  /** @returns Every warehouse, ordered by id. */
  warehouses(): Warehouse[] {
    return byId([...this.#warehouses.all().values()]);
  }

  #validBom(bom: BillOfMaterials): BillOfMaterials {
    return validateBom(bom, {
      products: this.productMap(),
      units: this.units(),
      boms: this.boms(),
    });
  }

  #map(name: CatalogMap): RecordMap {
    return this.#doc.getMap(name);
  }
}

type CatalogMap =
  'products' | 'partners' | 'units' | 'locations' | 'warehouses' | 'boms' | 'routes';

/**
 * Locations arrive from other replicas one record at a time, and a child can arrive before its
 * parent. Until the parent is known the child hangs at the top, rather than breaking the tree.
 */
function tolerantLocations(locations: Location[]): Location[] {
  const ids = new Set(locations.map((location) => location.id));
  return locations.map((location) =>
    location.parentId === undefined || ids.has(location.parentId)
      ? location
      : { ...location, parentId: undefined },
  );
}
