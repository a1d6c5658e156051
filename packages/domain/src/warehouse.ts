import { DomainError } from './errors.js';
import { VIRTUAL_LOCATION_IDS } from './location.js';
import type { Location } from './model.js';

/**
 * How many moves a receipt or a delivery takes. Receipts: 1 straight into stock, 2 through input,
 * 3 through input and quality control. Deliveries: 1 ship, 2 pick then ship through output,
 * 3 pick, pack in the packing zone, then ship through output.
 */
export type WarehouseSteps = 1 | 2 | 3;

/** A warehouse and the locations it owns. */
export interface Warehouse {
  readonly id: string;
  /** A short code, at most {@link WAREHOUSE_CODE_MAX} characters, that prefixes its names. */
  readonly code: string;
  readonly name: string;
  readonly receptionSteps: WarehouseSteps;
  readonly deliverySteps: WarehouseSteps;
  /** The view that owns every other location of the warehouse: the warehouse as a scope. */
  readonly viewLocationId: string;
  readonly stockLocationId: string;
  /** Set once the warehouse has received in 2 or 3 steps; stays when it goes back to 1. */
  readonly inputLocationId?: string | undefined;
  /** Set once the warehouse has received in 3 steps. */
  readonly qualityLocationId?: string | undefined;
  /** Set once the warehouse has delivered in 2 or 3 steps. */
  readonly outputLocationId?: string | undefined;
  /** Set once the warehouse has delivered in 3 steps. */
  readonly packingLocationId?: string | undefined;
}

/** What a user gives to create a warehouse. */
export interface WarehouseDraft {
  /** The record's id; every location id derives from it. */
  readonly id: string;
  readonly code: string;
  /** The code when empty or absent. */
  readonly name?: string | undefined;
  readonly receptionSteps: WarehouseSteps;
  readonly deliverySteps: WarehouseSteps;
}

/** A warehouse record and the location records to write with it. */
export interface WarehousePlan {
  readonly warehouse: Warehouse;
  readonly locations: readonly Location[];
}

/** Codes of the errors that the warehouse functions throw. */
export type WarehouseErrorCode =
  'warehouse-id-required' | 'warehouse-code-invalid' | 'warehouse-steps-invalid';

/** The longest warehouse code accepted, in characters. */
export const WAREHOUSE_CODE_MAX = 5;

/** The roles of a warehouse's locations. */
export type WarehouseLocationRole = 'view' | 'stock' | 'input' | 'quality' | 'output' | 'packing';

const ROLE_NAMES: Readonly<Record<WarehouseLocationRole, string>> = {
  view: '',
  stock: 'Stock',
  input: 'Input',
  quality: 'Quality Control',
  output: 'Output',
  packing: 'Packing Zone',
};

/**
 * The id of one of a warehouse's locations. It derives from the warehouse id alone, so two
 * replicas that plan or replan the same warehouse concurrently write the same records.
 *
 * @param warehouseId - The warehouse's id.
 * @param role - Which of its locations.
 * @returns `${warehouseId}/${role}`, such as `'wh1/stock'`.
 */
export function warehouseLocationId(warehouseId: string, role: WarehouseLocationRole): string {
  return `${warehouseId}/${role}`;
}

/**
 * Creates a warehouse: its record and the locations its steps need, a view owning a stock
 * location, plus input (2 and 3 step receipts), quality control (3 step receipts), output
 * (2 and 3 step deliveries) and packing (3 step deliveries).
 *
 * @param draft - Id, code, name and steps.
 * @returns The warehouse and its locations, view first.
 * @throws {DomainError} `warehouse-id-required` when the id is empty, `warehouse-code-invalid`
 *   when the code is empty or longer than {@link WAREHOUSE_CODE_MAX} characters,
 *   `warehouse-steps-invalid` when a number of steps is not 1, 2 or 3.
 * @example
 * ```ts
 * const { warehouse, locations } = planWarehouse({
 *   id: 'wh1', code: 'WH', name: 'Main warehouse', receptionSteps: 3, deliverySteps: 1,
 * });
 * receiptPath(warehouse); // ['partners/vendors', 'wh1/input', 'wh1/quality', 'wh1/stock']
 * ```
 */
export function planWarehouse(draft: WarehouseDraft): WarehousePlan {
  const id = draft.id.trim();
  if (id === '') {
    throw new DomainError<WarehouseErrorCode>(
      'warehouse-id-required',
      'a warehouse needs an id; its location ids derive from it',
    );
  }
  const code = draft.code.trim();
  if (code === '' || code.length > WAREHOUSE_CODE_MAX) {
    throw new DomainError<WarehouseErrorCode>(
      'warehouse-code-invalid',
      `the code "${code}" has ${code.length} characters; ` +
        `give a code of 1 to ${WAREHOUSE_CODE_MAX} characters, such as "WH"`,
    );
  }
  checkSteps('reception', draft.receptionSteps);
  checkSteps('delivery', draft.deliverySteps);

  const name = draft.name?.trim() || code;
  const base: Warehouse = {
    id,
    code,
    name,
    receptionSteps: draft.receptionSteps,
    deliverySteps: draft.deliverySteps,
    viewLocationId: warehouseLocationId(id, 'view'),
    stockLocationId: warehouseLocationId(id, 'stock'),
  };
  const warehouse = withRoleIds(base, draft.receptionSteps, draft.deliverySteps);
  const roles = rolesOf(draft.receptionSteps, draft.deliverySteps);

  return { warehouse, locations: roles.map((role) => locationOf(warehouse, role)) };
}

/**
 * Changes the steps of an existing warehouse. Locations are only ever added: one that the new
 * steps no longer use may still hold stock, so it stays, and so does its id on the warehouse.
 *
 * @param warehouse - The warehouse as stored.
 * @param steps - The new number of steps; an absent one stays as it is.
 * @returns The updated warehouse and the locations to add, which may be none.
 * @throws {DomainError} `warehouse-steps-invalid` when a number of steps is not 1, 2 or 3.
 */
export function replanWarehouse(
  warehouse: Warehouse,
  steps: { receptionSteps?: WarehouseSteps; deliverySteps?: WarehouseSteps },
): WarehousePlan {
  const receptionSteps = steps.receptionSteps ?? warehouse.receptionSteps;
  const deliverySteps = steps.deliverySteps ?? warehouse.deliverySteps;
  checkSteps('reception', receptionSteps);
  checkSteps('delivery', deliverySteps);

  const existing = new Set(
    [
      warehouse.viewLocationId,
      warehouse.stockLocationId,
      warehouse.inputLocationId,
      warehouse.qualityLocationId,
      warehouse.outputLocationId,
      warehouse.packingLocationId,
    ].filter((id) => id !== undefined),
  );
  const updated = withRoleIds(
    { ...warehouse, receptionSteps, deliverySteps },
    receptionSteps,
    deliverySteps,
  );
  const added = rolesOf(receptionSteps, deliverySteps)
    .map((role) => locationOf(updated, role))
    .filter((location) => !existing.has(location.id));

  return { warehouse: updated, locations: added };
}

/**
 * The locations a receipt passes through, one move between each two.
 *
 * @param warehouse - The receiving warehouse.
 * @returns From the vendors' location to the stock location.
 */
export function receiptPath(warehouse: Warehouse): string[] {
  const path: string[] = [VIRTUAL_LOCATION_IDS.vendors];
  if (warehouse.receptionSteps >= 2) path.push(roleId(warehouse, 'input'));
  if (warehouse.receptionSteps >= 3) path.push(roleId(warehouse, 'quality'));
  path.push(warehouse.stockLocationId);
  return path;
}

/**
 * The locations a delivery passes through, one move between each two.
 *
 * @param warehouse - The shipping warehouse.
 * @returns From the stock location to the customers' location.
 */
export function deliveryPath(warehouse: Warehouse): string[] {
  const path: string[] = [warehouse.stockLocationId];
  if (warehouse.deliverySteps >= 3) path.push(roleId(warehouse, 'packing'));
  if (warehouse.deliverySteps >= 2) path.push(roleId(warehouse, 'output'));
  path.push(VIRTUAL_LOCATION_IDS.customers);
  return path;
}

function checkSteps(kind: 'reception' | 'delivery', steps: number) {
  if (steps === 1 || steps === 2 || steps === 3) return;
  throw new DomainError<WarehouseErrorCode>(
    'warehouse-steps-invalid',
    `${String(steps)} ${kind} steps is not possible; use 1, 2 or 3`,
  );
}

/** The roles the steps need, view first so that parents come before their children. */
function rolesOf(receptionSteps: number, deliverySteps: number): WarehouseLocationRole[] {
  const roles: WarehouseLocationRole[] = ['view', 'stock'];
  if (receptionSteps >= 2) roles.push('input');
  if (receptionSteps >= 3) roles.push('quality');
  if (deliverySteps >= 2) roles.push('output');
  if (deliverySteps >= 3) roles.push('packing');
  return roles;
}

/** Sets the ids of the locations the steps need, keeping those the warehouse already has. */
function withRoleIds(warehouse: Warehouse, receptionSteps: number, deliverySteps: number) {
  const roles = rolesOf(receptionSteps, deliverySteps);
  const { inputLocationId, qualityLocationId, outputLocationId, packingLocationId, ...rest } =
    warehouse;
  const idOf = (role: WarehouseLocationRole, stored: string | undefined) =>
    stored ?? (roles.includes(role) ? warehouseLocationId(warehouse.id, role) : undefined);
  const input = idOf('input', inputLocationId);
  const quality = idOf('quality', qualityLocationId);
  const output = idOf('output', outputLocationId);
  const packing = idOf('packing', packingLocationId);

  // Absent rather than undefined, so that the record written to the document has no empty keys.
  const result: Warehouse = {
    ...rest,
    ...(input !== undefined && { inputLocationId: input }),
    ...(quality !== undefined && { qualityLocationId: quality }),
    ...(output !== undefined && { outputLocationId: output }),
    ...(packing !== undefined && { packingLocationId: packing }),
  };
  return result;
}

/** A warehouse location's id, from the record when it has one, else derived from the warehouse. */
function roleId(warehouse: Warehouse, role: 'input' | 'quality' | 'output' | 'packing') {
  const stored = {
    input: warehouse.inputLocationId,
    quality: warehouse.qualityLocationId,
    output: warehouse.outputLocationId,
    packing: warehouse.packingLocationId,
  }[role];
  return stored ?? warehouseLocationId(warehouse.id, role);
}

function locationOf(warehouse: Warehouse, role: WarehouseLocationRole): Location {
  if (role === 'view') {
    return { id: warehouse.viewLocationId, name: warehouse.code, usage: 'view' };
  }
  const id = role === 'stock' ? warehouse.stockLocationId : roleId(warehouse, role);
  return { id, name: ROLE_NAMES[role], usage: 'internal', parentId: warehouse.viewLocationId };
}
