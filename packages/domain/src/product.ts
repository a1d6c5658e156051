import { DomainError } from './errors.js';
import { isValidGtin } from './gtin.js';

/** How far Kura manages a product's stock. */
export type ProductType = 'storable' | 'consumable' | 'service';

/** What a user types to create a product; everything but the name is optional. */
export interface ProductDraft {
  name: string;
  /** Internal reference (SKU). */
  reference?: string | undefined;
  /** GTIN as printed under the bars: 8, 12, 13 or 14 digits. */
  barcode?: string | undefined;
  type?: ProductType | undefined;
}

/** A product's identity fields once validated: trimmed, with empty optional fields removed. */
export interface ProductFields {
  name: string;
  reference?: string;
  barcode?: string;
  type: ProductType;
}

/** The longest product name accepted, in characters. */
export const PRODUCT_NAME_MAX = 200;

const PRODUCT_TYPES: readonly ProductType[] = ['storable', 'consumable', 'service'];

/** Codes of the errors that {@link validateProductDraft} throws. */
export type ProductErrorCode =
  | 'product-name-required'
  | 'product-name-too-long'
  | 'product-barcode-invalid'
  | 'product-type-unknown';

/**
 * Checks a product draft and returns its normalized fields.
 *
 * @param draft - The fields as typed by a user or read from an import.
 * @returns The trimmed fields, with `type` defaulting to `storable`.
 * @throws {DomainError} `product-name-required`, `product-name-too-long`,
 *   `product-barcode-invalid` or `product-type-unknown`.
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

  const type = draft.type ?? 'storable';
  if (!PRODUCT_TYPES.includes(type)) {
    throw new DomainError<ProductErrorCode>(
      'product-type-unknown',
      `"${String(type)}" is not a product type; use one of ${PRODUCT_TYPES.join(', ')}`,
    );
  }

  const barcode = draft.barcode?.trim() ?? '';
  if (barcode !== '' && !isValidGtin(barcode)) {
    throw new DomainError<ProductErrorCode>(
      'product-barcode-invalid',
      `"${barcode}" is not a GTIN: expected 8, 12, 13 or 14 digits ending in their check digit`,
    );
  }

  const reference = draft.reference?.trim() ?? '';
  return {
    name,
    type,
    ...(reference !== '' && { reference }),
    ...(barcode !== '' && { barcode }),
  };
}
