import { compare, decimal, type Decimal } from './decimal.js';
import { DomainError } from './errors.js';
import { isValidGtin } from './gtin.js';
import type {
  ProcureMethod,
  Product,
  ProductType,
  RemovalStrategy,
  Tracking,
  Unit,
  VendorOffer,
} from './model.js';
import { unitById } from './uom.js';

export type { ProductType } from './model.js';

/** A price or quantity as typed: decimal text, or a number read as its shortest text. */
export type DecimalInput = Decimal | number;

/** What a user types for one vendor of a product. */
export interface VendorOfferDraft {
  partnerId: string;
  price: DecimalInput;
  /** The least quantity, in the product's purchase unit, the offer applies to; 0 when absent. */
  minQuantity?: DecimalInput | undefined;
  /** Whole days from order to receipt; 0 when absent. */
  leadDays?: number | undefined;
}

/** What a user types to create a product; everything but the name is optional. */
export interface ProductDraft {
  name: string;
  /** Internal reference (SKU). */
  reference?: string | undefined;
  /** GTIN as printed under the bars: 8, 12, 13 or 14 digits. */
  barcode?: string | undefined;
  type?: ProductType | undefined;
  tracking?: Tracking | undefined;
  /** The unit the ledger counts the product in; `unit` (pieces) when absent. */
  unitId?: string | undefined;
  purchaseUnitId?: string | undefined;
  categoryId?: string | undefined;
  salePrice?: DecimalInput | undefined;
  cost?: DecimalInput | undefined;
  buy?: boolean | undefined;
  manufacture?: boolean | undefined;
  procureMethod?: ProcureMethod | undefined;
  /** In order of preference. */
  vendors?: readonly VendorOfferDraft[] | undefined;
  removal?: RemovalStrategy | undefined;
  putawayLocationId?: string | undefined;
}

/** A product's fields once validated: trimmed, defaulted, with empty optional fields removed. */
export type ProductFields = Omit<Product, 'id'>;

/** The longest product name accepted, in characters. */
export const PRODUCT_NAME_MAX = 200;

const PRODUCT_TYPES: readonly ProductType[] = ['storable', 'consumable', 'service'];
const TRACKINGS: readonly Tracking[] = ['none', 'lot', 'serial'];
const PROCURE_METHODS: readonly ProcureMethod[] = [
  'make-to-stock',
  'make-to-order',
  'mts-else-mto',
];
const REMOVAL_STRATEGIES: readonly RemovalStrategy[] = ['fifo', 'fefo', 'lifo'];

/** Codes of the errors that {@link validateProductDraft} throws. */
export type ProductErrorCode =
  | 'product-name-required'
  | 'product-name-too-long'
  | 'product-barcode-invalid'
  | 'product-type-unknown'
  | 'product-tracking-unknown'
  | 'product-tracking-service'
  | 'product-sale-price-invalid'
  | 'product-cost-invalid'
  | 'product-procure-method-unknown'
  | 'product-removal-unknown'
  | 'product-vendor-partner-required'
  | 'product-vendor-price-invalid'
  | 'product-vendor-min-quantity-invalid'
  | 'product-vendor-lead-days-invalid';

/** Codes of the errors that {@link validateProductUnits} throws. */
export type ProductUnitsErrorCode = 'unit-unknown' | 'product-purchase-unit-category';

/**
 * Checks a product draft and returns its normalized fields.
 *
 * @param draft - The fields as typed by a user or read from an import.
 * @returns The trimmed fields, with `type` defaulting to `storable`, `tracking` to `none`,
 *   `unitId` to `unit`, `buy` and `manufacture` to `false`, `procureMethod` to `make-to-stock`
 *   and `vendors` to none. Prices and quantities are canonical decimals.
 * @throws {DomainError} `product-name-required`, `product-name-too-long`,
 *   `product-barcode-invalid`, `product-type-unknown`, `product-tracking-unknown`,
 *   `product-tracking-service`, `product-sale-price-invalid`, `product-cost-invalid`,
 *   `product-procure-method-unknown`, `product-removal-unknown`,
 *   `product-vendor-partner-required`, `product-vendor-price-invalid`,
 *   `product-vendor-min-quantity-invalid` or `product-vendor-lead-days-invalid`.
 */
export function validateProductDraft(draft: ProductDraft): ProductFields {
  const name = draft.name.trim();
  if (name === '') {
    throw new DomainError<ProductErrorCode>('product-name-required', 'a product needs a name');
  }
  if (name.length > PRODUCT_NAME_MAX) {
    throw new DomainError<ProductErrorCode>(
      'product-name-too-long',
      `the name has ${name.length} characters; at most ${PRODUCT_NAME_MAX} are allowed`,
    );
  }

  const type = oneOf(
    draft.type ?? 'storable',
    PRODUCT_TYPES,
    'product-type-unknown',
    'product type',
  );

  const barcode = draft.barcode?.trim() ?? '';
  if (barcode !== '' && !isValidGtin(barcode)) {
    throw new DomainError<ProductErrorCode>(
      'product-barcode-invalid',
      `"${barcode}" is not a GTIN: expected 8, 12, 13 or 14 digits ending in their check digit`,
    );
  }

  const tracking = oneOf(
    draft.tracking ?? 'none',
    TRACKINGS,
    'product-tracking-unknown',
    'tracking mode',
  );
  if (type === 'service' && tracking !== 'none') {
    throw new DomainError<ProductErrorCode>(
      'product-tracking-service',
      `a service has no stock, so it cannot be tracked by ${tracking}; set tracking to none ` +
        `or make the product storable or consumable`,
    );
  }

  const procureMethod = oneOf(
    draft.procureMethod ?? 'make-to-stock',
    PROCURE_METHODS,
    'product-procure-method-unknown',
    'procurement method',
  );
  const removal =
    draft.removal === undefined
      ? undefined
      : oneOf(draft.removal, REMOVAL_STRATEGIES, 'product-removal-unknown', 'removal strategy');

  const salePrice = optionalAmount(draft.salePrice, 'product-sale-price-invalid', 'sale price');
  const cost = optionalAmount(draft.cost, 'product-cost-invalid', 'cost');
  const vendors = (draft.vendors ?? []).map(validateVendorOffer);

  const reference = trimmed(draft.reference);
  const categoryId = trimmed(draft.categoryId);
  const purchaseUnitId = trimmed(draft.purchaseUnitId);
  const putawayLocationId = trimmed(draft.putawayLocationId);
  return {
    name,
    type,
    tracking,
    unitId: trimmed(draft.unitId) ?? 'unit',
    buy: draft.buy ?? false,
    manufacture: draft.manufacture ?? false,
    procureMethod,
    vendors,
    ...(reference !== undefined && { reference }),
    ...(barcode !== '' && { barcode }),
    ...(categoryId !== undefined && { categoryId }),
    ...(purchaseUnitId !== undefined && { purchaseUnitId }),
    ...(salePrice !== undefined && { salePrice }),
    ...(cost !== undefined && { cost }),
    ...(removal !== undefined && { removal }),
    ...(putawayLocationId !== undefined && { putawayLocationId }),
  };
}

/**
 * Checks that a product's unit and purchase unit exist and can convert into each other.
 *
 * @param product - The product, or its validated fields.
 * @param units - The units of the workspace.
 * @returns The product's unit, and the unit it is bought in: the product's unit when it has no
 *   purchase unit.
 * @throws {DomainError} `unit-unknown` when a unit id names no unit;
 *   `product-purchase-unit-category` when the purchase unit measures something else.
 */
export function validateProductUnits(
  product: Pick<Product, 'name' | 'unitId' | 'purchaseUnitId'>,
  units: readonly Unit[],
): { unit: Unit; purchaseUnit: Unit } {
  const unit = unitById(units, product.unitId);
  const purchaseUnit =
    product.purchaseUnitId === undefined ? unit : unitById(units, product.purchaseUnitId);

  if (purchaseUnit.categoryId !== unit.categoryId) {
    throw new DomainError<ProductUnitsErrorCode>(
      'product-purchase-unit-category',
      `"${product.name}" is counted in ${unit.name} (category ${unit.categoryId}) but bought ` +
        `in ${purchaseUnit.name} (category ${purchaseUnit.categoryId}); pick a purchase unit ` +
        `of the ${unit.categoryId} category`,
    );
  }

  return { unit, purchaseUnit };
}

/**
 * Picks the vendor to order from: the first of the product's vendors, in their order of
 * preference, whose minimum quantity the order reaches.
 *
 * @param product - The product, or its validated fields.
 * @param quantityInPurchaseUnit - The quantity to order, in the product's purchase unit.
 * @returns The vendor's offer, or `undefined` when no vendor sells that little.
 * @throws {DomainError} `decimal-invalid` when the quantity is not a decimal.
 * @example
 * ```ts
 * // vendors: A from 100, B from 0
 * vendorFor(product, '20'); // B's offer
 * vendorFor(product, '150'); // A's offer
 * ```
 */
export function vendorFor(
  product: Pick<Product, 'vendors'>,
  quantityInPurchaseUnit: Decimal,
): VendorOffer | undefined {
  return product.vendors.find((offer) => compare(offer.minQuantity, quantityInPurchaseUnit) <= 0);
}

function validateVendorOffer(draft: VendorOfferDraft, index: number): VendorOffer {
  const which = `vendor ${index + 1}`;
  const partnerId = draft.partnerId.trim();
  if (partnerId === '') {
    throw new DomainError<ProductErrorCode>(
      'product-vendor-partner-required',
      `${which} has no partner; pick the partner who sells the product or remove the line`,
    );
  }

  const price = amount(draft.price, 'product-vendor-price-invalid', `the price of ${which}`);
  const minQuantity = amount(
    draft.minQuantity ?? '0',
    'product-vendor-min-quantity-invalid',
    `the minimum quantity of ${which}`,
  );

  const leadDays = draft.leadDays ?? 0;
  if (!Number.isInteger(leadDays) || leadDays < 0) {
    throw new DomainError<ProductErrorCode>(
      'product-vendor-lead-days-invalid',
      `the lead time of ${which} is ${leadDays} days; write a whole number of days, 0 or more`,
    );
  }

  return { partnerId, price, minQuantity, leadDays };
}

/** Reads a price or quantity that cannot be negative, under the code of its field. */
function amount(value: DecimalInput, code: ProductErrorCode, label: string): Decimal {
  let parsed: Decimal;
  try {
    parsed = decimal(value);
  } catch {
    // The field's own code, rather than decimal-invalid, lets a form mark the right input.
    throw new DomainError<ProductErrorCode>(
      code,
      `${label} "${String(value)}" is not a decimal number; write digits with a point, ` +
        `such as 12.50`,
    );
  }

  if (compare(parsed, '0') < 0) {
    throw new DomainError<ProductErrorCode>(code, `${label} is ${parsed}; it cannot be negative`);
  }
  return parsed;
}

function optionalAmount(
  value: DecimalInput | undefined,
  code: ProductErrorCode,
  label: string,
): Decimal | undefined {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  return amount(value, code, `the ${label}`);
}

function oneOf<T extends string>(
  value: T,
  allowed: readonly T[],
  code: ProductErrorCode,
  label: string,
): T {
  if (!allowed.includes(value)) {
    throw new DomainError<ProductErrorCode>(
      code,
      `"${String(value)}" is not a ${label}; use one of ${allowed.join(', ')}`,
    );
  }
  return value;
}

function trimmed(text: string | undefined): string | undefined {
  const value = text?.trim() ?? '';
  return value === '' ? undefined : value;
}
