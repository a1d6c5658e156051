import {
  compare,
  decimal,
  decimalPlaces,
  divide,
  multiply,
  round,
  type Decimal,
  type RoundingMode,
} from './decimal.js';
import { DomainError } from './errors.js';
import type { Unit, UnitCategory } from './model.js';

/** Codes of the errors that the unit functions throw. */
export type UnitErrorCode =
  | 'unit-unknown'
  | 'unit-category-mismatch'
  | 'unit-category-unknown'
  | 'unit-category-reference'
  | 'unit-ratio-invalid'
  | 'unit-rounding-invalid';

/** The categories every workspace starts with; their ids are stable and safe to store. */
export const STANDARD_UNIT_CATEGORIES: readonly UnitCategory[] = [
  { id: 'unit', name: 'Unit' },
  { id: 'weight', name: 'Weight' },
  { id: 'volume', name: 'Volume' },
  { id: 'length', name: 'Length' },
  { id: 'time', name: 'Time' },
];

/**
 * The units every workspace starts with; their ids are stable and safe to store. The reference
 * units are `unit`, `kg`, `l`, `m` and `minute`. Metric units round to a millimetre, gram or
 * millilitre in their reference unit; imperial ones to a hundredth.
 *
 * Time counts in minutes because a minute is a sixtieth of an hour, which no decimal ratio
 * holds exactly, while an hour is exactly 60 minutes.
 */
export const STANDARD_UNITS: readonly Unit[] = [
  { id: 'unit', name: 'Units', categoryId: 'unit', ratio: '1', rounding: '1' },
  { id: 'dozen', name: 'Dozens', categoryId: 'unit', ratio: '12', rounding: '1' },
  { id: 'kg', name: 'kg', categoryId: 'weight', ratio: '1', rounding: '0.001' },
  { id: 'g', name: 'g', categoryId: 'weight', ratio: '0.001', rounding: '0.01' },
  { id: 't', name: 't', categoryId: 'weight', ratio: '1000', rounding: '0.001' },
  { id: 'lb', name: 'lb', categoryId: 'weight', ratio: '0.45359237', rounding: '0.01' },
  { id: 'l', name: 'L', categoryId: 'volume', ratio: '1', rounding: '0.001' },
  { id: 'ml', name: 'mL', categoryId: 'volume', ratio: '0.001', rounding: '0.01' },
  { id: 'm', name: 'm', categoryId: 'length', ratio: '1', rounding: '0.001' },
  { id: 'cm', name: 'cm', categoryId: 'length', ratio: '0.01', rounding: '0.01' },
  { id: 'mm', name: 'mm', categoryId: 'length', ratio: '0.001', rounding: '0.01' },
  { id: 'ft', name: 'ft', categoryId: 'length', ratio: '0.3048', rounding: '0.01' },
  { id: 'in', name: 'in', categoryId: 'length', ratio: '0.0254', rounding: '0.01' },
  { id: 'minute', name: 'Minutes', categoryId: 'time', ratio: '1', rounding: '1' },
  { id: 'hour', name: 'Hours', categoryId: 'time', ratio: '60', rounding: '0.01' },
  { id: 'day', name: 'Days', categoryId: 'time', ratio: '1440', rounding: '0.01' },
];

/**
 * Finds a unit by its id.
 *
 * @param units - The units of the workspace, such as {@link STANDARD_UNITS}.
 * @param id - The id to look for.
 * @returns The unit with that id.
 * @throws {DomainError} `unit-unknown` when no unit has that id.
 */
export function unitById(units: readonly Unit[], id: string): Unit {
  const unit = units.find((candidate) => candidate.id === id);
  if (unit === undefined) {
    throw new DomainError<UnitErrorCode>(
      'unit-unknown',
      `there is no unit "${id}"; pick one of the units of the workspace or create it first`,
    );
  }
  return unit;
}

/**
 * Converts a quantity to another unit of the same category. The ratios multiply and divide
 * exactly and only the result is rounded, so converting back and forth never drifts.
 *
 * @param quantity - The quantity in `from`.
 * @param from - The unit the quantity is in.
 * @param to - The unit to express it in.
 * @param mode - How to round to `to`'s precision: half-up by default, `'up'` for purchases.
 * @returns The quantity in `to`, rounded to `to.rounding`.
 * @throws {DomainError} `unit-category-mismatch` when the units belong to different categories;
 *   `decimal-invalid` when the quantity or a unit's ratio or rounding is not a decimal.
 * @example
 * ```ts
 * convertQuantity('1', lb, g); // '453.59'
 * convertQuantity('7', unit, dozen, 'up'); // '1'
 * ```
 */
export function convertQuantity(
  quantity: Decimal,
  from: Unit,
  to: Unit,
  mode: RoundingMode = 'half-up',
): Decimal {
  if (from.categoryId !== to.categoryId) {
    throw new DomainError<UnitErrorCode>(
      'unit-category-mismatch',
      `cannot convert ${from.name} (category ${from.categoryId}) into ${to.name} ` +
        `(category ${to.categoryId}); quantities convert only between units of one category`,
    );
  }

  return divide(multiply(quantity, from.ratio), to.ratio, to.rounding, mode);
}

/**
 * Rounds a quantity to the precision of its unit.
 *
 * @param quantity - The quantity in `unit`.
 * @param unit - Its unit.
 * @param mode - Half-up by default.
 * @returns The quantity as a multiple of `unit.rounding`.
 * @throws {DomainError} `decimal-invalid` when the quantity is not a decimal or the unit's
 *   rounding is not positive.
 */
export function roundQuantity(
  quantity: Decimal,
  unit: Unit,
  mode: RoundingMode = 'half-up',
): Decimal {
  return round(quantity, unit.rounding, mode);
}

/**
 * Rounds a quantity to order up to the precision of its unit, so that an order never falls
 * short of the need: 7 units needed in dozens is 0.58 dozen, ordered as 1.
 *
 * @param quantity - The quantity needed, in `unit`.
 * @param unit - The unit it is ordered in.
 * @returns The least multiple of `unit.rounding` that covers the quantity.
 * @throws {DomainError} `decimal-invalid` when the quantity is not a decimal or the unit's
 *   rounding is not positive.
 */
export function purchaseQuantity(quantity: Decimal, unit: Unit): Decimal {
  return round(quantity, unit.rounding, 'up');
}

/**
 * Compares two quantities of one unit at the unit's precision: both round half-up to
 * `unit.rounding` first, so that noise below the precision never decides.
 *
 * @param a - A quantity in `unit`.
 * @param b - Another quantity in `unit`.
 * @param unit - Their unit.
 * @returns -1, 0 or 1 as `a` is less than, equal to or greater than `b` at that precision.
 * @throws {DomainError} `decimal-invalid` when a quantity is not a decimal.
 */
export function compareQuantities(a: Decimal, b: Decimal, unit: Unit): -1 | 0 | 1 {
  return compare(round(a, unit.rounding), round(b, unit.rounding));
}

/**
 * Tells whether the available quantity covers the required one, at the unit's precision.
 *
 * @param available - The quantity at hand, in `unit`.
 * @param required - The quantity needed, in `unit`.
 * @param unit - Their unit.
 * @returns `true` when `available` is at least `required` once both are rounded to the unit.
 * @throws {DomainError} `decimal-invalid` when a quantity is not a decimal.
 */
export function isEnough(available: Decimal, required: Decimal, unit: Unit): boolean {
  return compareQuantities(available, required, unit) >= 0;
}

/**
 * The number of decimal places of a unit's precision: quantities rounded to the unit fit in
 * integers of `10^-places`, which `toScaled` in `decimal.ts` sums without parsing decimals.
 *
 * @param unit - The unit.
 * @returns 0 for whole pieces, 3 for a rounding of `'0.001'`.
 * @throws {DomainError} `decimal-invalid` when the unit's rounding is not a decimal.
 */
export function quantityPlaces(unit: Unit): number {
  return decimalPlaces(unit.rounding);
}

/**
 * Checks a set of units before it is used: every unit belongs to a known category, has a
 * positive ratio and rounding, and every category has exactly one reference unit. The reference
 * unit of a category is the unit whose ratio is 1; there is no separate flag, so that a ratio
 * and a flag can never disagree.
 *
 * @param categories - The unit categories.
 * @param units - The units of those categories.
 * @throws {DomainError} `unit-category-unknown`, `unit-ratio-invalid`, `unit-rounding-invalid`
 *   or `unit-category-reference` (a category with no reference unit, or with two).
 */
export function validateUnits(categories: readonly UnitCategory[], units: readonly Unit[]): void {
  const references = new Map<string, Unit[]>(categories.map((category) => [category.id, []]));

  for (const unit of units) {
    const categoryReferences = references.get(unit.categoryId);
    if (categoryReferences === undefined) {
      throw new DomainError<UnitErrorCode>(
        'unit-category-unknown',
        `the unit ${unit.name} belongs to "${unit.categoryId}", which is not a unit category; ` +
          `pick one of ${categories.map((category) => category.id).join(', ')}`,
      );
    }
    if (!isPositive(unit.ratio)) {
      throw new DomainError<UnitErrorCode>(
        'unit-ratio-invalid',
        `the ratio of ${unit.name} is "${unit.ratio}"; write how many reference units one ` +
          `${unit.name} holds as a positive decimal, such as 12 or 0.001`,
      );
    }
    if (!isPositive(unit.rounding)) {
      throw new DomainError<UnitErrorCode>(
        'unit-rounding-invalid',
        `the rounding of ${unit.name} is "${unit.rounding}"; write its precision as a ` +
          `positive decimal, such as 1 for whole pieces or 0.01`,
      );
    }
    if (compare(unit.ratio, '1') === 0) categoryReferences.push(unit);
  }

  for (const category of categories) {
    const found = references.get(category.id) ?? [];
    if (found.length !== 1) {
      const names = found.map((unit) => unit.name).join(', ');
      throw new DomainError<UnitErrorCode>(
        'unit-category-reference',
        found.length === 0
          ? `the category ${category.name} has no reference unit; give one of its units ` +
              `the ratio 1`
          : `the category ${category.name} has ${found.length} reference units (${names}); ` +
              `keep the ratio 1 on one of them only`,
      );
    }
  }
}

function isPositive(text: Decimal): boolean {
  try {
    return compare(decimal(text), '0') > 0;
  } catch {
    return false;
  }
}
