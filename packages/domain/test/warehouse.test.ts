import { describe, expect, it } from 'vitest';

import { LocationTree, VIRTUAL_LOCATIONS } from '../src/location.js';
import {
  deliveryPath,
  planWarehouse,
  receiptPath,
  replanWarehouse,
  WAREHOUSE_CODE_MAX,
  type WarehouseDraft,
} from '../src/warehouse.js';
import { codeOf } from './support.js';

const DRAFT: WarehouseDraft = {
  id: 'wh1',
  code: 'WH',
  name: 'Main warehouse',
  receptionSteps: 1,
  deliverySteps: 1,
};

describe('warehouses', () => {
  it('WH1 trims the code and refuses an empty one or one longer than 5 characters', () => {
    expect(planWarehouse({ ...DRAFT, code: ' WH ' }).warehouse.code).toBe('WH');
    expect(planWarehouse({ ...DRAFT, code: 'x'.repeat(WAREHOUSE_CODE_MAX) }).warehouse.code).toBe(
      'xxxxx',
    );
    expect(codeOf(() => planWarehouse({ ...DRAFT, code: '  ' }))).toBe('warehouse-code-invalid');
    expect(codeOf(() => planWarehouse({ ...DRAFT, code: 'MAIN-1' }))).toBe(
      'warehouse-code-invalid',
    );
  });

  it('WH1 needs an id and names the warehouse after its code when no name is given', () => {
    expect(codeOf(() => planWarehouse({ ...DRAFT, id: ' ' }))).toBe('warehouse-id-required');
    expect(planWarehouse({ ...DRAFT, name: '' }).warehouse.name).toBe('WH');
    expect(planWarehouse({ ...DRAFT, name: ' Main ' }).warehouse.name).toBe('Main');
  });

  it('WH2 refuses receipt or delivery steps outside 1 to 3', () => {
    for (const steps of [0, 4, 1.5, Number.NaN]) {
      const receptionSteps = steps as 1;
      expect(codeOf(() => planWarehouse({ ...DRAFT, receptionSteps }))).toBe(
        'warehouse-steps-invalid',
      );
      expect(codeOf(() => planWarehouse({ ...DRAFT, deliverySteps: receptionSteps }))).toBe(
        'warehouse-steps-invalid',
      );
      expect(
        codeOf(() => replanWarehouse(planWarehouse(DRAFT).warehouse, { receptionSteps })),
      ).toBe('warehouse-steps-invalid');
    }
  });

  it('WH3 derives location ids from the warehouse id, so replicas write the same records', () => {
    const one = planWarehouse({ ...DRAFT, receptionSteps: 3, deliverySteps: 3 });
    const other = planWarehouse({ ...DRAFT, receptionSteps: 3, deliverySteps: 3 });

    expect(other).toEqual(one);
    expect(one.warehouse).toMatchObject({
      viewLocationId: 'wh1/view',
      stockLocationId: 'wh1/stock',
      inputLocationId: 'wh1/input',
      qualityLocationId: 'wh1/quality',
      outputLocationId: 'wh1/output',
      packingLocationId: 'wh1/packing',
    });
  });

  it('WH3 makes a view own the stock location and the step locations the steps need', () => {
    const ids = (receptionSteps: 1 | 2 | 3, deliverySteps: 1 | 2 | 3) =>
      planWarehouse({ ...DRAFT, receptionSteps, deliverySteps }).locations.map(({ id }) => id);

    expect(ids(1, 1)).toEqual(['wh1/view', 'wh1/stock']);
    expect(ids(2, 1)).toEqual(['wh1/view', 'wh1/stock', 'wh1/input']);
    expect(ids(3, 1)).toEqual(['wh1/view', 'wh1/stock', 'wh1/input', 'wh1/quality']);
    expect(ids(1, 2)).toEqual(['wh1/view', 'wh1/stock', 'wh1/output']);
    expect(ids(1, 3)).toEqual(['wh1/view', 'wh1/stock', 'wh1/output', 'wh1/packing']);

    const { warehouse, locations } = planWarehouse({
      ...DRAFT,
      receptionSteps: 3,
      deliverySteps: 3,
    });
    const tree = new LocationTree([...VIRTUAL_LOCATIONS, ...locations]);
    expect(tree.usage(warehouse.viewLocationId)).toBe('view');
    expect(tree.get(warehouse.viewLocationId)?.name).toBe('WH');
    for (const { id } of locations.slice(1)) {
      expect(tree.ancestors(id)).toEqual([warehouse.viewLocationId]);
      expect(tree.internal(id)).toBe(true);
    }
    expect(tree.fullName(warehouse.stockLocationId)).toBe('WH/Stock');
  });

  it('WH3 leaves out the ids of step locations a 1-step warehouse does not have', () => {
    const { warehouse } = planWarehouse(DRAFT);

    expect(Object.keys(warehouse)).not.toContain('inputLocationId');
    expect(Object.keys(warehouse)).not.toContain('packingLocationId');
  });

  it('WH4 receives from the vendors through input and quality control as the steps say', () => {
    const path = (receptionSteps: 1 | 2 | 3) =>
      receiptPath(planWarehouse({ ...DRAFT, receptionSteps }).warehouse);

    expect(path(1)).toEqual(['partners/vendors', 'wh1/stock']);
    expect(path(2)).toEqual(['partners/vendors', 'wh1/input', 'wh1/stock']);
    expect(path(3)).toEqual(['partners/vendors', 'wh1/input', 'wh1/quality', 'wh1/stock']);
  });

  it('WH5 delivers to the customers through packing and output as the steps say', () => {
    const path = (deliverySteps: 1 | 2 | 3) =>
      deliveryPath(planWarehouse({ ...DRAFT, deliverySteps }).warehouse);

    expect(path(1)).toEqual(['wh1/stock', 'partners/customers']);
    expect(path(2)).toEqual(['wh1/stock', 'wh1/output', 'partners/customers']);
    expect(path(3)).toEqual(['wh1/stock', 'wh1/packing', 'wh1/output', 'partners/customers']);
  });

  it('WH6 adds the locations more steps need and returns nothing more when asked again', () => {
    const { warehouse } = planWarehouse(DRAFT);
    const wider = replanWarehouse(warehouse, { receptionSteps: 3, deliverySteps: 2 });

    expect(wider.locations.map(({ id }) => id)).toEqual(['wh1/input', 'wh1/quality', 'wh1/output']);
    expect(wider.warehouse).toEqual(
      planWarehouse({ ...DRAFT, receptionSteps: 3, deliverySteps: 2 }).warehouse,
    );
    expect(replanWarehouse(wider.warehouse, { receptionSteps: 3 }).locations).toEqual([]);
  });

  it('WH6 keeps the locations fewer steps no longer use, since they may hold stock', () => {
    const { warehouse } = planWarehouse({ ...DRAFT, receptionSteps: 3, deliverySteps: 3 });
    const narrower = replanWarehouse(warehouse, { receptionSteps: 1, deliverySteps: 1 });

    expect(narrower.locations).toEqual([]);
    expect(narrower.warehouse.inputLocationId).toBe('wh1/input');
    expect(narrower.warehouse.packingLocationId).toBe('wh1/packing');
    expect(receiptPath(narrower.warehouse)).toEqual(['partners/vendors', 'wh1/stock']);
    expect(deliveryPath(narrower.warehouse)).toEqual(['wh1/stock', 'partners/customers']);

    const again = replanWarehouse(narrower.warehouse, { receptionSteps: 2 });
    expect(again.locations).toEqual([]);
    expect(receiptPath(again.warehouse)).toEqual(['partners/vendors', 'wh1/input', 'wh1/stock']);
  });
});
