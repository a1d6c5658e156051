import { describe, expect, it } from 'vitest';

import { DomainError, PRODUCT_NAME_MAX, validateProductDraft } from '../src/index.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('product drafts', () => {
  it('PRD1 trims the name and refuses an empty or over-long one', () => {
    expect(validateProductDraft({ name: '  Arabica coffee beans 1 kg ' }).name).toBe(
      'Arabica coffee beans 1 kg',
    );
    expect(codeOf(() => validateProductDraft({ name: '   ' }))).toBe('product-name-required');
    expect(codeOf(() => validateProductDraft({ name: 'x'.repeat(PRODUCT_NAME_MAX + 1) }))).toBe(
      'product-name-too-long',
    );
  });

  it('PRD1 names the package and the code in the message', () => {
    expect(() => validateProductDraft({ name: '' })).toThrow(
      /^\[kura\/domain\] product-name-required: /,
    );
  });

  it('PRD2 keeps a valid barcode and refuses one with a bad check digit', () => {
    expect(validateProductDraft({ name: 'Beans', barcode: ' 09506000134352 ' }).barcode).toBe(
      '09506000134352',
    );
    expect(codeOf(() => validateProductDraft({ name: 'Beans', barcode: '09506000134353' }))).toBe(
      'product-barcode-invalid',
    );
  });

  it('PRD2 drops empty optional fields instead of storing empty strings', () => {
    expect(validateProductDraft({ name: 'Beans', reference: ' ', barcode: '' })).toEqual({
      name: 'Beans',
      type: 'storable',
    });
  });

  it('PRD3 defaults the type to storable and refuses an unknown one', () => {
    expect(validateProductDraft({ name: 'Repair', type: 'service' }).type).toBe('service');
    expect(
      codeOf(() => validateProductDraft({ name: 'Beans', type: 'liquid' as 'storable' })),
    ).toBe('product-type-unknown');
  });
});
