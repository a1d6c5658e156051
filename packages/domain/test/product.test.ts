import { describe, expect, it } from 'vitest';

import type { VendorOffer } from '../src/model.js';
import {
  PRODUCT_NAME_MAX,
  validateProductDraft,
  validateProductUnits,
  vendorFor,
  type VendorOfferDraft,
} from '../src/product.js';
import { STANDARD_UNITS } from '../src/uom.js';
import { codeOf } from './support.js';

function vendorCode(vendor: Partial<VendorOfferDraft>): string | undefined {
  const offer = { partnerId: 'roaster', price: '10', ...vendor };
  return codeOf(() => validateProductDraft({ name: 'Beans', vendors: [offer] }));
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
    const fields = validateProductDraft({
      name: 'Beans',
      reference: ' ',
      barcode: '',
      categoryId: '',
      purchaseUnitId: ' ',
      salePrice: '',
      putawayLocationId: '',
    });

    expect(fields).toEqual({
      name: 'Beans',
      type: 'storable',
      tracking: 'none',
      unitId: 'unit',
      buy: false,
      manufacture: false,
      procureMethod: 'make-to-stock',
      vendors: [],
    });
    expect(Object.keys(fields)).not.toContain('reference');
    expect(Object.keys(fields)).not.toContain('salePrice');
  });

  it('PRD3 defaults the type to storable and refuses an unknown one', () => {
    expect(validateProductDraft({ name: 'Repair', type: 'service' }).type).toBe('service');
    expect(
      codeOf(() => validateProductDraft({ name: 'Beans', type: 'liquid' as 'storable' })),
    ).toBe('product-type-unknown');
  });

  it('PRD4 defaults tracking to none and refuses an unknown tracking', () => {
    expect(validateProductDraft({ name: 'Beans', tracking: 'lot' }).tracking).toBe('lot');
    expect(codeOf(() => validateProductDraft({ name: 'Beans', tracking: 'batch' as 'lot' }))).toBe(
      'product-tracking-unknown',
    );
  });

  it('PRD4 refuses to track a service by lot or serial number', () => {
    expect(
      codeOf(() => validateProductDraft({ name: 'Repair', type: 'service', tracking: 'serial' })),
    ).toBe('product-tracking-service');
    expect(
      validateProductDraft({ name: 'Repair', type: 'service', tracking: 'none' }).tracking,
    ).toBe('none');
  });

  it('PRD5 reads sale price and cost as canonical decimals and refuses negative ones', () => {
    const fields = validateProductDraft({ name: 'Beans', salePrice: ' 12.50 ', cost: 0.1 });
    expect(fields.salePrice).toBe('12.5');
    expect(fields.cost).toBe('0.1');
    expect(validateProductDraft({ name: 'Sample', salePrice: '0' }).salePrice).toBe('0');

    expect(codeOf(() => validateProductDraft({ name: 'Beans', salePrice: '-1' }))).toBe(
      'product-sale-price-invalid',
    );
    expect(codeOf(() => validateProductDraft({ name: 'Beans', salePrice: '12,50' }))).toBe(
      'product-sale-price-invalid',
    );
    expect(codeOf(() => validateProductDraft({ name: 'Beans', cost: -0.5 }))).toBe(
      'product-cost-invalid',
    );
  });

  it('PRD6 defaults supply to neither buy nor manufacture, made to stock', () => {
    const fields = validateProductDraft({
      name: 'Espresso blend',
      manufacture: true,
      procureMethod: 'make-to-order',
    });
    expect(fields.buy).toBe(false);
    expect(fields.manufacture).toBe(true);
    expect(fields.procureMethod).toBe('make-to-order');
    expect(
      codeOf(() =>
        validateProductDraft({ name: 'Beans', procureMethod: 'dropship' as 'make-to-order' }),
      ),
    ).toBe('product-procure-method-unknown');
  });

  it('PRD7 keeps vendors in order, with canonical decimals, minimum 0 and lead time 0', () => {
    const fields = validateProductDraft({
      name: 'Beans',
      buy: true,
      vendors: [
        { partnerId: ' roaster ', price: '9.90', minQuantity: '100', leadDays: 14 },
        { partnerId: 'wholesaler', price: 12 },
      ],
    });

    expect(fields.vendors).toEqual([
      { partnerId: 'roaster', price: '9.9', minQuantity: '100', leadDays: 14 },
      { partnerId: 'wholesaler', price: '12', minQuantity: '0', leadDays: 0 },
    ]);
  });

  it('PRD7 refuses a vendor without partner, a negative price or minimum, a bad lead time', () => {
    expect(vendorCode({ partnerId: '  ' })).toBe('product-vendor-partner-required');
    expect(vendorCode({ price: '-0.01' })).toBe('product-vendor-price-invalid');
    expect(vendorCode({ price: 'free' })).toBe('product-vendor-price-invalid');
    expect(vendorCode({ minQuantity: '-1' })).toBe('product-vendor-min-quantity-invalid');
    expect(vendorCode({ leadDays: -1 })).toBe('product-vendor-lead-days-invalid');
    expect(vendorCode({ leadDays: 1.5 })).toBe('product-vendor-lead-days-invalid');
  });

  it('PRD8 keeps the removal strategy and putaway location; refuses an unknown strategy', () => {
    const fields = validateProductDraft({
      name: 'Milk',
      removal: 'fefo',
      putawayLocationId: ' cold-room ',
      categoryId: 'dairy',
      unitId: 'l',
      purchaseUnitId: 'ml',
    });
    expect(fields).toMatchObject({
      removal: 'fefo',
      putawayLocationId: 'cold-room',
      categoryId: 'dairy',
      unitId: 'l',
      purchaseUnitId: 'ml',
    });
    expect(codeOf(() => validateProductDraft({ name: 'Milk', removal: 'random' as 'fifo' }))).toBe(
      'product-removal-unknown',
    );
  });
});

describe('product units', () => {
  it('PRD9 accepts a purchase unit of the same category and defaults it to the unit', () => {
    const beans = validateProductDraft({ name: 'Beans', unitId: 'kg', purchaseUnitId: 'lb' });
    const { unit, purchaseUnit } = validateProductUnits(beans, STANDARD_UNITS);
    expect(unit.id).toBe('kg');
    expect(purchaseUnit.id).toBe('lb');

    const cups = validateProductDraft({ name: 'Cups' });
    expect(validateProductUnits(cups, STANDARD_UNITS).purchaseUnit.id).toBe('unit');
  });

  it('PRD9 refuses an unknown unit or purchase unit', () => {
    const crates = validateProductDraft({ name: 'Cups', unitId: 'crate' });
    expect(codeOf(() => validateProductUnits(crates, STANDARD_UNITS))).toBe('unit-unknown');
    const bought = validateProductDraft({ name: 'Cups', purchaseUnitId: 'crate' });
    expect(codeOf(() => validateProductUnits(bought, STANDARD_UNITS))).toBe('unit-unknown');
  });

  it('PRD9 refuses a purchase unit of another category and says to pick one of the same', () => {
    const beans = validateProductDraft({ name: 'Beans', unitId: 'kg', purchaseUnitId: 'dozen' });
    expect(codeOf(() => validateProductUnits(beans, STANDARD_UNITS))).toBe(
      'product-purchase-unit-category',
    );
    expect(() => validateProductUnits(beans, STANDARD_UNITS)).toThrow(
      /pick a purchase unit of the weight category/,
    );
  });
});

describe('vendor choice', () => {
  const bulk: VendorOffer = { partnerId: 'roaster', price: '8', minQuantity: '100', leadDays: 14 };
  const retail: VendorOffer = { partnerId: 'shop', price: '12', minQuantity: '0', leadDays: 2 };

  it('PRD10 picks the first vendor whose minimum quantity the order reaches', () => {
    const product = { vendors: [bulk, retail] };
    expect(vendorFor(product, '150')).toBe(bulk);
    expect(vendorFor(product, '100')).toBe(bulk);
    expect(vendorFor(product, '99.99')).toBe(retail);
  });

  it('PRD10 finds no vendor when every minimum is above the quantity or there is none', () => {
    expect(vendorFor({ vendors: [bulk] }, '20')).toBeUndefined();
    expect(vendorFor({ vendors: [] }, '20')).toBeUndefined();
  });
});
