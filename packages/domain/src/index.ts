export { DomainError, KuraError } from './errors.js';
export { GTIN_LENGTHS, gs1CheckDigit, isValidGtin, toGtin14 } from './gtin.js';
export {
  PRODUCT_NAME_MAX,
  validateProductDraft,
  type ProductDraft,
  type ProductErrorCode,
  type ProductFields,
  type ProductType,
} from './product.js';
