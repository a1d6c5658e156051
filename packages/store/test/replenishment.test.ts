import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';

import { VIRTUAL_LOCATION_IDS, type Warehouse } from '@kura/domain';

import type { Workspace } from '../src/index.js';
import { codeOf } from '../../domain/test/support.js';
import { Replicas, syncAll } from './replicas.js';

const replicas = new Replicas();
let alice: Workspace;
let warehouse: Warehouse;
let beans: string;
const NOW = Date.UTC(2026, 11, 3, 12);
const DAY = 86_400_000;

beforeEach(async () => {
  alice = replicas.open('alice');
  await alice.loaded;
  warehouse = alice.catalog.createWarehouse({ code: 'WH', receptionSteps: 1, deliverySteps: 1 });
  beans = alice.catalog.createProduct({ name: 'Arabica coffee beans 1 kg' }).id;
});

afterEach(() => replicas.destroy());

function ruleFor(workspace: Workspace) {
  return workspace.replenishment.createReorderRule({
    productId: beans,
    locationId: warehouse.stockLocationId,
    minimum: 10,
    maximum: 40,
    multiple: 6,
    leadDays: 2,
  });
}

describe('reorder rules in the store', () => {
  it('RPL1 proposes from the forecast at now plus the lead days: 8 on hand orders 36', () => {
    const rule = ruleFor(alice);
    alice.stock.receive({ productId: beans, quantity: 8, locationId: warehouse.stockLocationId });

    const [proposal] = alice.replenishment.proposals(NOW);
    expect(proposal).toMatchObject({ ruleId: rule.id, quantity: '36' });
    expect(proposal?.inputs).toMatchObject({ forecast: '8', minimum: '10', leadDays: 2 });
  });

  it('RPL1 counts open moves planned within the lead days, and not those after', () => {
    ruleFor(alice);
    alice.stock.receive({ productId: beans, quantity: 12, locationId: warehouse.stockLocationId });
    const ship = (days: number) => {
      const move = alice.stock.planMove({
        productId: beans,
        quantity: 4,
        sourceId: warehouse.stockLocationId,
        destinationId: VIRTUAL_LOCATION_IDS.customers,
        date: NOW + days * DAY,
      });
      alice.stock.confirmMove(move.id);
    };

    ship(5);
    expect(alice.replenishment.proposals(NOW)).toEqual([]);
    ship(1);
    expect(alice.replenishment.proposals(NOW)).toMatchObject([{ quantity: '36' }]);
  });

  it('RPL2 gives replicas that compute a proposal at once the same id', () => {
    const bob = replicas.open('bob');
    ruleFor(alice);
    alice.stock.receive({ productId: beans, quantity: 8, locationId: warehouse.stockLocationId });
    syncAll([alice, bob]);

    expect(bob.replenishment.proposals(NOW)).toEqual(alice.replenishment.proposals(NOW));
    expect(alice.replenishment.proposals(NOW)).toHaveLength(1);
  });

  it('RPL4 recomputes only the rules of the products a change touched, same answer', () => {
    const bolts = alice.catalog.createProduct({ name: 'Hex bolt M8' }).id;
    ruleFor(alice);
    alice.replenishment.createReorderRule({
      productId: bolts,
      locationId: warehouse.stockLocationId,
      minimum: 100,
      maximum: 500,
    });
    const all = alice.replenishment.proposals(NOW);
    expect(all.map((proposal) => proposal.productId).sort()).toEqual([beans, bolts].sort());

    expect(alice.replenishment.proposals(NOW, [bolts])).toEqual(
      all.filter((proposal) => proposal.productId === bolts),
    );
    alice.stock.receive({ productId: bolts, quantity: 450, locationId: warehouse.stockLocationId });
    expect(alice.replenishment.proposals(NOW, [bolts, bolts])).toEqual([]);
  });

  it('RPL3 merges rule edits field by field and refuses bad ones without writing', () => {
    const bob = replicas.open('bob');
    const rule = ruleFor(alice);
    syncAll([alice, bob]);
    alice.replenishment.updateReorderRule(rule.id, { minimum: 12 });
    bob.replenishment.updateReorderRule(rule.id, { trigger: 'manual' });
    syncAll([alice, bob]);

    for (const replica of [alice, bob]) {
      expect(replica.replenishment.reorderRules()).toMatchObject([
        { id: rule.id, minimum: '12', maximum: '40', trigger: 'manual', cycle: 0 },
      ]);
    }
    const before = Y.encodeStateVector(alice.document('stock')).join();
    const update = (patch: object) => () => alice.replenishment.updateReorderRule(rule.id, patch);
    expect(codeOf(update({ minimum: -1 }))).toBe('reorder-rule-minimum-invalid');
    expect(codeOf(update({ trigger: 'auto', snoozedUntil: NOW }))).toBe('reorder-rule-snooze-auto');
    expect(codeOf(() => alice.replenishment.updateReorderRule('none', {}))).toBe(
      'reorder-rule-unknown',
    );
    expect(Y.encodeStateVector(alice.document('stock')).join()).toBe(before);
  });
});
