import type { Warehouse } from '@kura/domain';

import type { Workspace } from '../src/index.js';

/** The catalog the operations tests share: a warehouse, a vendor, a customer and products. */
export interface Shop {
  readonly warehouse: Warehouse;
  readonly vendor: string;
  readonly customer: string;
  /** Lot-tracked beans, bought from the vendor. */
  readonly beans: string;
  /** A lot-tracked gift box made of 2 bags of beans. */
  readonly giftBox: string;
  /** An untracked product bought from the vendor. */
  readonly cups: string;
  /** A serial-tracked grinder. */
  readonly grinder: string;
  readonly bom: string;
}

/**
 * Sets up a shop in a workspace.
 *
 * @param steps - The warehouse's receipt and delivery steps.
 */
export function openShop(
  workspace: Workspace,
  steps: { receipt: 1 | 2 | 3; delivery: 1 | 2 | 3 } = { receipt: 1, delivery: 1 },
): Shop {
  const { catalog } = workspace;
  const warehouse = catalog.createWarehouse({
    code: 'WH',
    receptionSteps: steps.receipt,
    deliverySteps: steps.delivery,
  });
  const vendor = catalog.createPartner({
    name: 'Highland Growers',
    vendor: true,
    address: { street: '1 Estate Road', city: 'Nairobi' },
  }).id;
  const customer = catalog.createPartner({ name: 'Corner Café', customer: true }).id;
  const bought = {
    buy: true,
    vendors: [{ partnerId: vendor, price: '5', minQuantity: '0', leadDays: 1 }],
  };
  const beans = catalog.createProduct({ name: 'Arabica beans', tracking: 'lot', ...bought }).id;
  const cups = catalog.createProduct({ name: 'Paper cup', ...bought }).id;
  const grinder = catalog.createProduct({ name: 'Grinder', tracking: 'serial', ...bought }).id;
  const giftBox = catalog.createProduct({
    name: 'Gift box',
    tracking: 'lot',
    manufacture: true,
    salePrice: '30',
  }).id;
  const bom = catalog.createBom({
    productId: giftBox,
    quantity: '1',
    unitId: 'unit',
    components: [{ productId: beans, quantity: '2', unitId: 'unit' }],
  }).id;
  return { warehouse, vendor, customer, beans, giftBox, cups, grinder, bom };
}
