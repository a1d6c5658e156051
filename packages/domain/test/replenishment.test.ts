import { describe, expect, it } from 'vitest';

import { LocationTree, VIRTUAL_LOCATIONS } from '../src/location.js';
import type { Product, VendorOffer } from '../src/model.js';
import {
  isReorderRuleSnoozed,
  proposalId,
  reorderHorizon,
  reorderLeadDays,
  reorderProposal,
  replenishmentExceptions,
  validateReorderRule,
  type PartnerAddressBook,
  type ReorderInputs,
  type ReorderRule,
  type ReorderRuleDraft,
  type ReplenishmentContext,
} from '../src/replenishment.js';
import { STANDARD_UNITS } from '../src/uom.js';
import { planWarehouse } from '../src/warehouse.js';
import { codeOf, productFixture, seededRandom, shuffled } from './support.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 2, 3, 9);

const tree = new LocationTree([
  ...VIRTUAL_LOCATIONS,
  ...planWarehouse({ id: 'wh', code: 'WH', receptionSteps: 1, deliverySteps: 1 }).locations,
]);

const vendor = (partnerId: string, fields: Partial<VendorOffer> = {}): VendorOffer => ({
  partnerId,
  price: '1',
  minQuantity: '0',
  leadDays: 0,
  ...fields,
});

const screws = productFixture('screws', { vendors: [vendor('acme')] });

function rule(fields: Partial<ReorderRule> = {}): ReorderRule {
  return {
    id: 'r1',
    productId: 'screws',
    locationId: 'wh/stock',
    minimum: '10',
    maximum: '40',
    multiple: '6',
    trigger: 'auto',
    leadDays: 0,
    ...fields,
  };
}

function inputs(forecast: string, fields: Partial<ReorderInputs> = {}): ReorderInputs {
  return {
    product: screws,
    units: STANDARD_UNITS,
    forecast,
    ordered: '0',
    now: NOW,
    cycle: 0,
    ...fields,
  };
}

describe('validateReorderRule', () => {
  const products = new Map<string, Product>([
    ['screws', screws],
    ['paper', productFixture('paper', { type: 'consumable' })],
  ]);
  const context = { products, tree };
  const draft: ReorderRuleDraft = {
    id: 'r1',
    productId: 'screws',
    locationId: 'wh/stock',
    minimum: 10,
    maximum: '40.50',
  };

  it('ROR1 normalizes a rule: canonical decimals, multiple 0, trigger auto, lead days 0', () => {
    expect(
      validateReorderRule({ ...draft, routeId: ' ', triggerAtMinimum: false }, context),
    ).toEqual({
      id: 'r1',
      productId: 'screws',
      locationId: 'wh/stock',
      minimum: '10',
      maximum: '40.5',
      multiple: '0',
      trigger: 'auto',
      leadDays: 0,
    });
  });

  it('ROR1 keeps a manual rule with its snooze, route, lead days and minimum trigger', () => {
    const stored = validateReorderRule(
      {
        ...draft,
        multiple: '6',
        trigger: 'manual',
        snoozedUntil: NOW,
        routeId: 'buy',
        leadDays: 3,
        triggerAtMinimum: true,
      },
      context,
    );

    expect(stored).toMatchObject({
      multiple: '6',
      trigger: 'manual',
      snoozedUntil: NOW,
      routeId: 'buy',
      leadDays: 3,
      triggerAtMinimum: true,
    });
  });

  it('ROR1 refuses an unknown or non-storable product and a missing id', () => {
    expect(codeOf(() => validateReorderRule({ ...draft, id: ' ' }, context))).toBe(
      'reorder-rule-id-required',
    );
    expect(codeOf(() => validateReorderRule({ ...draft, productId: 'ghost' }, context))).toBe(
      'reorder-rule-product-unknown',
    );
    expect(codeOf(() => validateReorderRule({ ...draft, productId: 'paper' }, context))).toBe(
      'reorder-rule-product-not-storable',
    );
  });

  it('ROR1 refuses a location that does not exist or holds no stock of the company', () => {
    expect(codeOf(() => validateReorderRule({ ...draft, locationId: 'nowhere' }, context))).toBe(
      'reorder-rule-location-unknown',
    );
    expect(
      codeOf(() => validateReorderRule({ ...draft, locationId: 'partners/customers' }, context)),
    ).toBe('reorder-rule-location-not-internal');
    expect(codeOf(() => validateReorderRule({ ...draft, locationId: 'wh/view' }, context))).toBe(
      'reorder-rule-location-not-internal',
    );
  });

  it('ROR2 refuses a negative or unreadable minimum, maximum or multiple', () => {
    const cases: [Partial<ReorderRuleDraft>, string][] = [
      [{ minimum: '-1' }, 'reorder-rule-minimum-invalid'],
      [{ minimum: 'ten' }, 'reorder-rule-minimum-invalid'],
      [{ maximum: -0.5 }, 'reorder-rule-maximum-invalid'],
      [{ maximum: '1,5' }, 'reorder-rule-maximum-invalid'],
      [{ multiple: '-6' }, 'reorder-rule-multiple-invalid'],
    ];
    for (const [fields, code] of cases) {
      expect(codeOf(() => validateReorderRule({ ...draft, ...fields }, context))).toBe(code);
    }
  });

  it('ROR2 stores a minimum above the maximum, which shows as an exception instead', () => {
    const stored = validateReorderRule({ ...draft, minimum: '50', maximum: '40' }, context);

    expect(stored).toMatchObject({ minimum: '50', maximum: '40' });
  });

  it('ROR3 refuses an unknown trigger, a snooze on an automatic rule and a bad snooze', () => {
    const unknown = { ...draft, trigger: 'sometimes' } as unknown as ReorderRuleDraft;
    expect(codeOf(() => validateReorderRule(unknown, context))).toBe(
      'reorder-rule-trigger-unknown',
    );
    expect(codeOf(() => validateReorderRule({ ...draft, snoozedUntil: NOW }, context))).toBe(
      'reorder-rule-snooze-auto',
    );
    expect(
      codeOf(() =>
        validateReorderRule({ ...draft, trigger: 'manual', snoozedUntil: NaN }, context),
      ),
    ).toBe('reorder-rule-snooze-invalid');
  });

  it('ROR3 refuses lead days that are not a whole number of days, 0 or more', () => {
    for (const leadDays of [-1, 1.5, Number.POSITIVE_INFINITY]) {
      expect(codeOf(() => validateReorderRule({ ...draft, leadDays }, context))).toBe(
        'reorder-rule-lead-days-invalid',
      );
    }
  });
});

describe('reorder lead days', () => {
  const bought = productFixture('screws', {
    vendors: [vendor('slow', { leadDays: 5 }), vendor('fast', { leadDays: 1 })],
  });

  it("ROR4 adds the preferred vendor's lead days to the rule's own for a bought product", () => {
    expect(reorderLeadDays(rule({ leadDays: 2 }), bought)).toBe(7);
    expect(reorderHorizon(rule({ leadDays: 2 }), bought, NOW)).toBe(NOW + 7 * DAY);
  });

  it("ROR4 counts only the rule's own lead days for a product that is not bought", () => {
    const made = { ...bought, buy: false, manufacture: true };

    expect(reorderLeadDays(rule({ leadDays: 2 }), made)).toBe(2);
    expect(reorderLeadDays(rule({ leadDays: 2 }), { ...bought, vendors: [] })).toBe(2);
  });

  it('ROR4 keeps the lead days and the instant the forecast looked ahead to', () => {
    const proposal = reorderProposal(rule({ leadDays: 2 }), inputs('8', { product: bought }));

    expect(proposal?.inputs).toMatchObject({ leadDays: 7, at: NOW + 7 * DAY });
    expect(proposal?.explanation).toMatch(/^The forecast 8 in 7 days is below the minimum 10/);
  });
});

describe('reorderProposal', () => {
  it('ROR5 orders 36 when the forecast 8 is below the minimum 10 (maximum 40, multiple 6)', () => {
    const proposal = reorderProposal(rule(), inputs('8'));

    expect(proposal).toEqual({
      id: 'proposal:r1:0',
      ruleId: 'r1',
      productId: 'screws',
      locationId: 'wh/stock',
      quantity: '36',
      purchaseQuantity: '36',
      purchaseUnitId: 'unit',
      vendorId: 'acme',
      inputs: {
        forecast: '8',
        ordered: '0',
        minimum: '10',
        maximum: '40',
        multiple: '6',
        leadDays: 0,
        at: NOW,
      },
      explanation:
        'The forecast 8 today is below the minimum 10: order 40 − 8 = 32, rounded up to 36 by ' +
        'the multiple 6.',
    });
  });

  it('ROR5 orders nothing when the forecast is at the minimum', () => {
    expect(reorderProposal(rule(), inputs('10'))).toBeUndefined();
    expect(reorderProposal(rule(), inputs('25'))).toBeUndefined();
  });

  it('ROR5 orders 30 at the minimum when the rule triggers at the minimum', () => {
    const proposal = reorderProposal(rule({ triggerAtMinimum: true }), inputs('10'));

    expect(proposal?.quantity).toBe('30');
    expect(proposal?.explanation).toBe(
      'The forecast 10 today is at the minimum 10, and this rule orders at the minimum: ' +
        'order 40 − 10 = 30.',
    );
  });

  it('ROR5 compares at the precision of the unit, so noise below it never triggers', () => {
    const flour = productFixture('flour', { unitId: 'kg', vendors: [vendor('mill')] });
    const kilos = rule({ productId: 'flour', minimum: '10', maximum: '20', multiple: '0' });

    expect(reorderProposal(kilos, inputs('9.9996', { product: flour }))).toBeUndefined();
    expect(reorderProposal(kilos, inputs('9.999', { product: flour }))?.quantity).toBe('10.001');
  });

  it('ROR5 counts what is already being ordered for the rule next to the forecast', () => {
    expect(reorderProposal(rule(), inputs('8', { ordered: '5' }))).toBeUndefined();

    const proposal = reorderProposal(rule(), inputs('4', { ordered: '5' }));

    expect(proposal?.quantity).toBe('36');
    expect(proposal?.inputs).toMatchObject({ forecast: '4', ordered: '5' });
    expect(proposal?.explanation).toBe(
      'The forecast 4 today plus 5 already ordered, 9, is below the minimum 10: order ' +
        '40 − 9 = 31, rounded up to 36 by the multiple 6.',
    );
  });

  it('ROR5 fills a negative forecast up to the maximum', () => {
    expect(reorderProposal(rule(), inputs('-5'))?.quantity).toBe('48');
  });

  it('ROR6 rounds up to the purchase unit: 32 units bought in dozens are 3 dozen, 36 units', () => {
    const dozens = productFixture('screws', { purchaseUnitId: 'dozen', vendors: [vendor('acme')] });
    const proposal = reorderProposal(rule({ multiple: '0' }), inputs('8', { product: dozens }));

    expect(proposal).toMatchObject({
      quantity: '36',
      purchaseQuantity: '3',
      purchaseUnitId: 'dozen',
    });
    expect(proposal?.explanation).toBe(
      'The forecast 8 today is below the minimum 10: order 40 − 8 = 32, bought as 3 Dozens ' +
        '(36 Units).',
    );
  });

  it('ROR6 rounds to the multiple before the purchase unit', () => {
    const dozens = productFixture('screws', { purchaseUnitId: 'dozen', vendors: [vendor('acme')] });
    const proposal = reorderProposal(rule({ multiple: '5' }), inputs('8', { product: dozens }));

    // 32 rounds up to 35 by the multiple, then to 3 dozen.
    expect(proposal).toMatchObject({ quantity: '36', purchaseQuantity: '3' });
  });

  it('ROR6 rounds a product that is not bought up to its unit, with no purchase quantity', () => {
    const dough = productFixture('dough', { unitId: 'kg', buy: false, manufacture: true });
    const kilos = rule({ productId: 'dough', minimum: '1', maximum: '2.0004', multiple: '0' });
    const proposal = reorderProposal(kilos, inputs('0', { product: dough }));

    expect(proposal?.quantity).toBe('2.001');
    expect(proposal).not.toHaveProperty('purchaseQuantity');
    expect(proposal).not.toHaveProperty('vendorId');
    expect(proposal?.explanation).toMatch(
      /2\.0004, rounded up to 2\.001 by the precision of kg\.$/,
    );
  });

  it('ROR6 fills up to the minimum when the minimum is above the maximum', () => {
    const proposal = reorderProposal(rule({ minimum: '50', maximum: '40' }), inputs('8'));

    expect(proposal?.quantity).toBe('42');
  });

  it('ROR6 orders from the first vendor whose minimum the purchase quantity reaches', () => {
    const product = productFixture('screws', {
      vendors: [vendor('bulk', { minQuantity: '40' }), vendor('shop')],
    });

    expect(reorderProposal(rule(), inputs('8', { product }))?.vendorId).toBe('shop');
    expect(reorderProposal(rule(), inputs('-8', { product }))?.vendorId).toBe('bulk');
    const picky = productFixture('screws', { vendors: [vendor('bulk', { minQuantity: '100' })] });
    expect(reorderProposal(rule(), inputs('8', { product: picky }))).not.toHaveProperty('vendorId');
  });

  it('ROR6 keeps the preferred route of the rule', () => {
    expect(reorderProposal(rule({ routeId: 'wh/buy' }), inputs('8'))?.routeId).toBe('wh/buy');
  });

  it('ROR7 proposes nothing for a manual rule while it is snoozed, and again afterwards', () => {
    const snoozed = rule({ trigger: 'manual', snoozedUntil: NOW + DAY });

    expect(isReorderRuleSnoozed(snoozed, NOW)).toBe(true);
    expect(reorderProposal(snoozed, inputs('8'))).toBeUndefined();
    expect(reorderProposal(snoozed, inputs('8', { now: NOW + DAY }))?.quantity).toBe('36');
    expect(reorderProposal(rule({ trigger: 'manual' }), inputs('8'))?.quantity).toBe('36');
  });

  it('ROR8 gives two replicas computing one rule in one cycle the same proposal and id', () => {
    const first = reorderProposal(rule(), inputs('8'));
    const second = reorderProposal({ ...rule() }, { ...inputs('8.0'), product: { ...screws } });

    expect(first).toEqual(second);
    expect(first?.id).toBe(proposalId('r1', 0));
  });

  it('ROR8 starts a new id once a proposal of the rule is ordered', () => {
    const next = reorderProposal(rule(), inputs('8', { cycle: 1 }));

    expect(next?.id).toBe('proposal:r1:1');
    expect(next?.id).not.toBe(reorderProposal(rule(), inputs('8'))?.id);
    expect(proposalId('r2', 0)).not.toBe(proposalId('r1', 0));
    for (const cycle of [-1, 0.5, Number.NaN]) {
      expect(codeOf(() => proposalId('r1', cycle))).toBe('reorder-cycle-invalid');
    }
  });

  it('ROR8 refuses inputs that do not belong to the rule or are not quantities', () => {
    const other = productFixture('nails');
    const inches = productFixture('screws', { purchaseUnitId: 'kg' });

    expect(codeOf(() => reorderProposal(rule(), inputs('8', { product: other })))).toBe(
      'reorder-product-mismatch',
    );
    expect(codeOf(() => reorderProposal(rule(), inputs('eight')))).toBe('decimal-invalid');
    expect(codeOf(() => reorderProposal(rule(), inputs('8', { ordered: '-1' })))).toBe(
      'reorder-ordered-invalid',
    );
    expect(codeOf(() => reorderProposal(rule(), inputs('8', { cycle: -1 })))).toBe(
      'reorder-cycle-invalid',
    );
    expect(codeOf(() => reorderProposal(rule(), inputs('8', { product: inches })))).toBe(
      'product-purchase-unit-category',
    );
  });
});

describe('replenishmentExceptions', () => {
  const partners: PartnerAddressBook = new Map([
    ['acme', { name: 'Acme', address: '1 Main Street' }],
    ['nowhere', { name: 'Nowhere Ltd' }],
  ]);

  function context(fields: Partial<ReplenishmentContext> = {}): ReplenishmentContext {
    return {
      products: [screws],
      units: STANDARD_UNITS,
      rules: [rule()],
      billsOfMaterials: new Set(),
      partners,
      reachable: () => true,
      shortages: [],
      ...fields,
    };
  }

  const causesOf = (data: ReplenishmentContext) =>
    replenishmentExceptions(data).map((exception) => exception.cause);

  it('RPX1 lists nothing when every product can be replenished', () => {
    expect(replenishmentExceptions(context())).toEqual([]);
  });

  it('RPX1 flags a manufactured product without a bill of materials until it has one', () => {
    const cake = productFixture('cake', { buy: false, manufacture: true });
    const [exception, ...rest] = replenishmentExceptions(context({ products: [cake] }));

    expect(rest).toEqual([]);
    expect(exception).toMatchObject({
      id: 'replenishment:missing-bill-of-materials:cake',
      cause: 'missing-bill-of-materials',
      productId: 'cake',
      fixes: [{ kind: 'create-bom' }, { kind: 'make-purchasable' }],
    });
    expect(exception?.message).toContain('"cake" is manufactured but has no bill of materials');
    const fixed = context({ products: [cake], billsOfMaterials: new Set(['cake']) });
    expect(replenishmentExceptions(fixed)).toEqual([]);
  });

  it('RPX1 offers only a bill of materials to a product that is already bought', () => {
    const bread = productFixture('bread', { manufacture: true, vendors: [vendor('acme')] });
    const [exception] = replenishmentExceptions(context({ products: [bread] }));

    expect(exception?.fixes).toEqual([{ kind: 'create-bom' }]);
  });

  it('RPX2 flags a bought product without a vendor until it has one', () => {
    const bare = productFixture('bare');

    expect(replenishmentExceptions(context({ products: [bare] }))).toMatchObject([
      { id: 'replenishment:missing-vendor:bare', fixes: [{ kind: 'add-vendor' }] },
    ]);
    const fixed = { ...bare, vendors: [vendor('acme')] };
    expect(replenishmentExceptions(context({ products: [fixed] }))).toEqual([]);
  });

  it('RPX3 flags vendors without an address, one fix per vendor, until they have one', () => {
    const product = productFixture('bolts', {
      vendors: [vendor('nowhere'), vendor('acme'), vendor('stranger')],
    });
    const [exception, ...rest] = replenishmentExceptions(context({ products: [product] }));

    expect(rest).toEqual([]);
    expect(exception).toMatchObject({
      id: 'replenishment:vendor-without-address:bolts',
      cause: 'vendor-without-address',
      fixes: [
        { kind: 'set-vendor-address', partnerId: 'nowhere' },
        { kind: 'set-vendor-address', partnerId: 'stranger' },
      ],
    });
    expect(exception?.message).toContain('"Nowhere Ltd", "stranger"');
    const addressed: PartnerAddressBook = new Map([
      ...partners,
      ['nowhere', { name: 'Nowhere Ltd', address: 'Dock 4' }],
      ['stranger', { name: 'Stranger', address: 'Hill 2' }],
    ]);
    expect(replenishmentExceptions(context({ products: [product], partners: addressed }))).toEqual(
      [],
    );
  });

  it('RPX4 flags a shortage no rule replenishes, offering a rule or a purchase by hand', () => {
    const shortages = [{ productId: 'screws', locationId: 'wh/output', missing: '4' }];
    const [exception, ...rest] = replenishmentExceptions(context({ shortages }));

    expect(rest).toEqual([]);
    expect(exception).toMatchObject({
      id: 'replenishment:unreplenished-shortage:screws:wh/output',
      cause: 'unreplenished-shortage',
      productId: 'screws',
      locationId: 'wh/output',
      fixes: [
        { kind: 'add-reorder-rule', locationId: 'wh/output' },
        { kind: 'buy-by-hand', locationId: 'wh/output', quantity: '4' },
      ],
    });
    const covered = [rule(), rule({ id: 'r2', locationId: 'wh/output' })];
    expect(replenishmentExceptions(context({ shortages, rules: covered }))).toEqual([]);
  });

  it('RPX4 reports a shortage listed twice once, with the larger quantity', () => {
    const shortages = [
      { productId: 'screws', locationId: 'wh/output', missing: '4' },
      { productId: 'screws', locationId: 'wh/output', missing: '7' },
      { productId: 'screws', locationId: 'wh/packing', missing: '0' },
    ];

    const exceptions = replenishmentExceptions(context({ shortages }));

    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]?.fixes[1]).toEqual({
      kind: 'buy-by-hand',
      locationId: 'wh/output',
      quantity: '7',
    });
  });

  it('RPX5 flags a rule at a location no route reaches until a route does', () => {
    const reachable = (_productId: string, locationId: string) => locationId !== 'wh/stock';

    expect(replenishmentExceptions(context({ reachable }))).toMatchObject([
      {
        id: 'replenishment:unreachable-location:screws:r1',
        cause: 'unreachable-location',
        ruleId: 'r1',
        locationId: 'wh/stock',
        fixes: [{ kind: 'check-routes', locationId: 'wh/stock' }],
      },
    ]);
    expect(causesOf(context({ reachable: () => true }))).toEqual([]);
  });

  it('RPX6 flags a purchase unit of another category until one of the same is picked', () => {
    const product = productFixture('screws', { purchaseUnitId: 'kg', vendors: [vendor('acme')] });
    const [exception] = replenishmentExceptions(context({ products: [product] }));

    expect(exception).toMatchObject({
      id: 'replenishment:purchase-unit-category:screws',
      fixes: [{ kind: 'pick-purchase-unit' }],
    });
    expect(exception?.message).toContain('Pick a purchase unit of the unit category');
    const fixed = { ...product, purchaseUnitId: 'dozen' };
    expect(replenishmentExceptions(context({ products: [fixed] }))).toEqual([]);
  });

  it('RPX7 flags a rule whose minimum is above its maximum until the rule is fixed', () => {
    const broken = rule({ minimum: '50', maximum: '40' });

    expect(replenishmentExceptions(context({ rules: [broken] }))).toMatchObject([
      {
        id: 'replenishment:minimum-above-maximum:screws:r1',
        ruleId: 'r1',
        fixes: [{ kind: 'fix-rule', ruleId: 'r1' }],
      },
    ]);
    expect(causesOf(context({ rules: [rule({ minimum: '40', maximum: '40' })] }))).toEqual([]);
  });

  it('RPX8 lists no exception for a service', () => {
    const service = productFixture('advice', { type: 'service', manufacture: true });

    expect(replenishmentExceptions(context({ products: [service] }))).toEqual([]);
  });

  it('RPX8 lists the same exceptions sorted by id whatever order the data comes in', () => {
    const products = [
      productFixture('cake', { buy: false, manufacture: true }),
      productFixture('bare'),
      productFixture('bolts', { vendors: [vendor('nowhere')], purchaseUnitId: 'kg' }),
      screws,
    ];
    const rules = [
      rule({ minimum: '50', maximum: '40' }),
      rule({ id: 'r2', productId: 'bolts', locationId: 'wh/output' }),
    ];
    const shortages = [
      { productId: 'bare', locationId: 'wh/stock', missing: '2' },
      { productId: 'cake', locationId: 'wh/stock', missing: '1' },
    ];
    const reachable = (productId: string) => productId !== 'bolts';
    const expected = replenishmentExceptions(context({ products, rules, shortages, reachable }));

    const ids = expected.map((exception) => exception.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(expected.map((exception) => exception.cause)).size).toBe(7);
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = seededRandom(seed);
      const shuffle = <T>(items: readonly T[]) => shuffled(items, next);
      const again = context({
        products: shuffle(products),
        rules: shuffle(rules),
        shortages: shuffle(shortages),
        reachable,
      });
      expect(replenishmentExceptions(again), `seed ${seed}`).toEqual(expected);
    }
  });
});
