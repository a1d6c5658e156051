import { compare, type Decimal, decimal } from './decimal.js';
import { DomainError } from './errors.js';
import type { Location, Product, Unit } from './model.js';

/** The columns of an initial inventory file, as its header names them. */
export type InventoryColumn = 'product' | 'location' | 'lot' | 'quantity' | 'unit';

/** Why a row of an initial inventory file is refused. */
export type InventoryRowReason =
  | 'product-unknown'
  | 'product-not-stocked'
  | 'location-unknown'
  | 'location-not-internal'
  | 'lot-missing'
  | 'lot-untracked'
  | 'quantity-invalid'
  | 'quantity-negative'
  | 'unit-unknown'
  | 'unit-mismatch'
  | 'serial-quantity'
  | 'serial-duplicate'
  | 'row-duplicate';

/** One problem of one row. */
export interface InventoryRowError {
  /** The line in the file: the header is line 1, the first row line 2. */
  readonly line: number;
  /** The cell at fault; absent when the row as a whole is. */
  readonly column?: InventoryColumn | undefined;
  readonly reason: InventoryRowReason;
  /** What is wrong and how to fix it, in English. */
  readonly message: string;
}

/** A row turned into a count to record: ids resolved, the quantity in the product's unit. */
export interface InventoryCountDraft {
  /** The line it came from, to point back at the file. */
  readonly line: number;
  readonly productId: string;
  readonly locationId: string;
  /** The lot or serial number as written; the lot is created when it does not exist yet. */
  readonly lotName?: string | undefined;
  /** In the product's unit, rounded to its precision. */
  readonly quantity: Decimal;
}

/** Every row valid and its count, or every problem found; never a part of the file. */
export type InventoryImport =
  | { readonly ok: true; readonly counts: InventoryCountDraft[] }
  | { readonly ok: false; readonly errors: InventoryRowError[] };

/** What the import looks up in the catalog. */
export interface InventoryLookup {
  /** Finds a product by its internal reference or its barcode. */
  readonly productByReferenceOrBarcode: (text: string) => Product | undefined;
  readonly locationByName: (name: string) => Location | undefined;
  readonly unitByName: (name: string) => Unit | undefined;
  /**
   * Converts a quantity between two units of one category, rounded to the target unit.
   *
   * @throws {DomainError} When the units belong to different categories.
   */
  readonly convert: (quantity: Decimal, fromUnitId: string, toUnitId: string) => Decimal;
}

const FIRST_ROW_LINE = 2;

/**
 * Validates the rows of an initial inventory file, already parsed into objects keyed by the
 * header: `product` (reference or barcode), `location` (name), `lot`, `quantity` and `unit`
 * (the product's unit when empty). Header names are read without regard to case or spaces.
 *
 * Every row is checked and every problem reported with its line, so that the file can be fixed
 * in one pass; a file with any problem yields no counts at all, so that an import is never half
 * applied. Rows whose cells are all empty are skipped. Line numbers assume one record per line
 * of the file, that is no line breaks inside quoted cells.
 *
 * @param rows - The data rows in file order, without the header.
 * @param lookup - Finds products, locations and units, and converts quantities.
 * @returns `{ ok: true, counts }` with one count draft per row, or `{ ok: false, errors }`.
 * @throws Whatever `lookup.convert` throws other than a {@link DomainError}, as that is a bug
 *   rather than a bad row.
 * @example
 * ```ts
 * const result = validateInventoryRows(parseCsv(text), lookup);
 * if (!result.ok) for (const error of result.errors) showAt(error.line, error.message);
 * ```
 */
export function validateInventoryRows(
  rows: readonly Record<string, string>[],
  lookup: InventoryLookup,
): InventoryImport {
  const errors: InventoryRowError[] = [];
  const counts: InventoryCountDraft[] = [];
  const seen: Seen = { rows: new Map(), serials: new Map() };

  rows.forEach((row, index) => {
    const line = index + FIRST_ROW_LINE;
    const cells = readCells(row);
    if (Object.values(cells).every((cell) => cell === '')) return;

    const problems: InventoryRowError[] = [];
    const refuse = (
      column: InventoryColumn | undefined,
      reason: InventoryRowReason,
      text: string,
    ) => problems.push({ line, ...(column !== undefined && { column }), reason, message: text });

    const product = checkProduct(cells.product, lookup, refuse);
    const location = checkLocation(cells.location, lookup, refuse);
    const lotName = cells.lot === '' ? undefined : cells.lot;
    if (product !== undefined) checkLot(product, lotName, refuse);
    const quantity = checkQuantity(cells, product, lookup, refuse);

    if (product !== undefined && location !== undefined) {
      checkRepeats(seen, { line, product, location, lotName, quantity }, refuse);
    }

    if (problems.length > 0) errors.push(...problems);
    else if (product !== undefined && location !== undefined && quantity !== undefined) {
      counts.push({
        line,
        productId: product.id,
        locationId: location.id,
        ...(lotName !== undefined && { lotName }),
        quantity,
      });
    }
  });

  return errors.length > 0 ? { ok: false, errors } : { ok: true, counts };
}

type Refuse = (
  column: InventoryColumn | undefined,
  reason: InventoryRowReason,
  text: string,
) => void;

type Cells = Record<InventoryColumn, string>;

/** The first line of each (product, location, lot), and of each serial number on hand. */
interface Seen {
  readonly rows: Map<string, number>;
  readonly serials: Map<string, number>;
}

/** A row whose product and location are known. */
interface ResolvedRow {
  readonly line: number;
  readonly product: Product;
  readonly location: Location;
  readonly lotName: string | undefined;
  readonly quantity: Decimal | undefined;
}

/** Refuses a row that repeats an earlier one, or a serial number on hand in two locations. */
function checkRepeats(seen: Seen, row: ResolvedRow, refuse: Refuse): void {
  const { line, product, location, lotName } = row;
  const key = JSON.stringify([product.id, location.id, lotName ?? '']);
  const first = seen.rows.get(key);
  if (first === undefined) seen.rows.set(key, line);
  else {
    refuse(
      undefined,
      'row-duplicate',
      `line ${line} repeats the product, location and lot of line ${first}; keep one of them`,
    );
    return;
  }

  if (product.tracking !== 'serial' || lotName === undefined || row.quantity !== '1') return;
  const serial = JSON.stringify([product.id, lotName]);
  const holder = seen.serials.get(serial);
  if (holder === undefined) seen.serials.set(serial, line);
  else {
    refuse(
      'lot',
      'serial-duplicate',
      `serial number "${lotName}" is already on hand at line ${holder}; a serial ` +
        `number stands for one unit`,
    );
  }
}

/** The trimmed cells of a row, keyed by header names without regard to case or spaces. */
function readCells(row: Record<string, string>): Cells {
  const cells: Cells = { product: '', location: '', lot: '', quantity: '', unit: '' };
  for (const [header, value] of Object.entries(row)) {
    const column = header.trim().toLowerCase();
    if (column in cells) cells[column as InventoryColumn] = (value ?? '').trim();
  }
  return cells;
}

function checkProduct(text: string, lookup: InventoryLookup, refuse: Refuse): Product | undefined {
  const product = text === '' ? undefined : lookup.productByReferenceOrBarcode(text);
  if (product === undefined) {
    refuse(
      'product',
      'product-unknown',
      text === ''
        ? 'no product given; write its reference or barcode'
        : `no product has the reference or barcode "${text}"`,
    );
    return undefined;
  }
  if (product.type === 'service') {
    refuse('product', 'product-not-stocked', `"${text}" is a service, which has no stock`);
    return undefined;
  }
  return product;
}

function checkLocation(
  text: string,
  lookup: InventoryLookup,
  refuse: Refuse,
): Location | undefined {
  const location = text === '' ? undefined : lookup.locationByName(text);
  if (location === undefined) {
    refuse(
      'location',
      'location-unknown',
      text === '' ? 'no location given' : `no location is named "${text}"`,
    );
    return undefined;
  }
  if (location.usage !== 'internal') {
    refuse(
      'location',
      'location-not-internal',
      `"${text}" is a ${location.usage} location; stock is counted in internal locations only`,
    );
    return undefined;
  }
  return location;
}

function checkLot(product: Product, lotName: string | undefined, refuse: Refuse): void {
  if (product.tracking !== 'none' && lotName === undefined) {
    const what = product.tracking === 'serial' ? 'serial number' : 'lot';
    refuse('lot', 'lot-missing', `product "${product.name}" is tracked: give its ${what}`);
  }
  if (product.tracking === 'none' && lotName !== undefined) {
    refuse(
      'lot',
      'lot-untracked',
      `product "${product.name}" is not tracked by lot or serial; leave the lot empty`,
    );
  }
}

/** The row's quantity in the product's unit, or `undefined` when it cannot be had. */
function checkQuantity(
  cells: Cells,
  product: Product | undefined,
  lookup: InventoryLookup,
  refuse: Refuse,
): Decimal | undefined {
  let quantity: Decimal | undefined;
  try {
    quantity = decimal(cells.quantity);
  } catch {
    refuse(
      'quantity',
      'quantity-invalid',
      `"${cells.quantity}" is not a quantity; write digits with a point, such as 12.5`,
    );
  }
  if (quantity !== undefined && compare(quantity, '0') < 0) {
    refuse('quantity', 'quantity-negative', `the quantity ${quantity} is negative`);
    quantity = undefined;
  }

  const unit = cells.unit === '' ? undefined : lookup.unitByName(cells.unit);
  if (cells.unit !== '' && unit === undefined) {
    refuse('unit', 'unit-unknown', `no unit is named "${cells.unit}"`);
    return undefined;
  }
  if (product === undefined || quantity === undefined) return undefined;

  let converted: Decimal;
  try {
    converted = lookup.convert(quantity, unit?.id ?? product.unitId, product.unitId);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    refuse(
      'unit',
      'unit-mismatch',
      `"${cells.unit}" measures another kind of quantity than the unit of product ` +
        `"${product.name}"; use a unit of the same category`,
    );
    return undefined;
  }

  if (product.tracking === 'serial' && !['0', '1'].includes(decimal(converted))) {
    refuse(
      'quantity',
      'serial-quantity',
      `a serial number stands for one unit, so its quantity is 0 or 1, not ${converted}`,
    );
    return undefined;
  }
  return decimal(converted);
}
