// What the persistence tests do, shared by the run in Node (over an in-memory IndexedDB) and the
// run in Chromium (over the real one); each run asserts on what these steps report.
import { Dexie } from 'dexie';

import { openWorkspace, ProjectionDatabase, type Workspace } from '../src/index.js';
import { exchange, sendDocument } from './replicas.js';

export const OCTOBER = Date.UTC(2026, 9, 12, 9);
export const NOVEMBER = Date.UTC(2026, 10, 3, 15);

/** The ids that a seeded workspace holds. */
export interface Seeded {
  readonly beans: string;
  readonly bolts: string;
  readonly lot: string;
  readonly shelf: string;
  readonly view: string;
}

/** What a workspace answers about the seeded data. */
export interface Answers {
  readonly onHand: readonly string[];
  readonly lotMoves: readonly string[];
  readonly byName: readonly string[];
  readonly byBarcode: readonly string[];
  readonly byReference: readonly string[];
}

/** Opens a workspace kept in IndexedDB. */
export function open(id: string): Workspace {
  return openWorkspace({ workspace: id, user: 'clerk', persist: true });
}

/**
 * Books receipts and deliveries in two monthly periods, with a lot, and closes the workspace.
 *
 * @returns The ids of what it made and the answers the workspace gave before closing.
 */
export async function seed(id: string): Promise<{ seeded: Seeded; answers: Answers }> {
  const workspace = open(id);
  await workspace.loaded;
  const warehouse = workspace.catalog.createWarehouse({
    code: 'WH',
    receptionSteps: 1,
    deliverySteps: 1,
  });
  const shelf = workspace.catalog.createLocation({
    name: 'Shelf A',
    usage: 'internal',
    parentId: warehouse.stockLocationId,
  }).id;
  const beans = workspace.catalog.createProduct({
    name: 'Arabica coffee beans 1 kg',
    barcode: '09506000134352',
    tracking: 'lot',
  }).id;
  const bolts = workspace.catalog.createProduct({ name: 'Hex bolt M8', reference: 'HB-M8' }).id;
  const lot = workspace.stock.createLot({ productId: beans, name: 'L-2026-10' }).id;

  const stock = workspace.stock;
  stock.receive({ productId: beans, quantity: 40, locationId: shelf, lotId: lot, date: OCTOBER });
  stock.receive({ productId: bolts, quantity: 500, locationId: shelf, date: OCTOBER });
  stock.deliver({ productId: beans, quantity: 15, locationId: shelf, lotId: lot, date: NOVEMBER });
  stock.deliver({ productId: bolts, quantity: 120, locationId: shelf, date: NOVEMBER });

  const seeded = { beans, bolts, lot, shelf, view: warehouse.viewLocationId };
  const answers = await answersOf(workspace, seeded);
  await workspace.destroy();
  return { seeded, answers };
}

/** @returns On hand per product and scope, the lot's moves, and three searches. */
export async function answersOf(workspace: Workspace, seeded: Seeded): Promise<Answers> {
  const names = async (query: string) =>
    (await workspace.catalog.searchProducts(query)).map((hit) => hit.name);
  return {
    onHand: [seeded.beans, seeded.bolts].flatMap((product) =>
      [seeded.shelf, seeded.view].map((scope) => workspace.stock.onHand(product, scope)),
    ),
    lotMoves: (await workspace.stock.lotMoves(seeded.lot)).map(
      (move) => `${move.quantity} ${move.sourceId} > ${move.destinationId}`,
    ),
    byName: await names('arab cof'),
    byBarcode: await names('09506000134352'),
    byReference: await names('hb-m8'),
  };
}

/**
 * Opens the workspace again and asks for one quantity at once, before anything is loaded.
 *
 * @returns The workspace once loaded, that first answer, and the period documents the start
 *   opened.
 */
export async function reopen(
  id: string,
  seeded: Seeded,
): Promise<{ workspace: Workspace; firstAnswer: string; periods: string[] }> {
  const workspace = open(id);
  const firstAnswer = await workspace.stock.readOnHand(seeded.bolts, seeded.view);
  await workspace.loaded;
  const periods = workspace.openDocuments().filter((name) => name.startsWith('ledger-'));
  return { workspace, firstAnswer, periods };
}

/**
 * Has another replica, which has not seen the seeded moves, book a receipt dated in the seeded
 * October while the workspace here is closed, and sends its work over once the workspace opens
 * again.
 *
 * @returns The workspace once it has counted what arrived, and the periods it opened.
 */
export async function receiveLateMove(
  id: string,
  seeded: Seeded,
): Promise<{ workspace: Workspace; firstAnswer: string; periods: string[] }> {
  const here = open(id);
  await here.loaded;
  const there = openWorkspace({ workspace: id, user: 'driver', persist: false });
  await there.loaded;
  exchange(here, there);
  await here.destroy();
  there.stock.receive({
    productId: seeded.bolts,
    quantity: 7,
    locationId: seeded.shelf,
    date: OCTOBER,
  });

  // As a server would: the directory first, then the periods the workspace opens on reading it.
  const reopened = await reopen(id, seeded);
  sendDocument(there, reopened.workspace, 'stock');
  for (const name of reopened.workspace
    .openDocuments()
    .filter((doc) => doc.startsWith('ledger-'))) {
    sendDocument(there, reopened.workspace, name);
  }
  await reopened.workspace.stock.settled();
  await there.destroy();
  const periods = reopened.workspace.openDocuments().filter((name) => name.startsWith('ledger-'));
  return { ...reopened, periods };
}

/** Deletes the persisted projections, as if they had been lost. */
export async function dropProjections(id: string): Promise<void> {
  await Dexie.delete(`kura/${id}/projections`);
}

/** Marks the persisted projections as written by another version. */
export async function outdateProjections(id: string): Promise<void> {
  const db = new ProjectionDatabase(id);
  await db.meta.update('ledger', { version: 0 });
  db.close();
}

/** @returns How many product rows the persisted quants hold. */
export async function persistedQuantRows(id: string): Promise<number> {
  const db = new ProjectionDatabase(id);
  const count = await db.quants.count();
  db.close();
  return count;
}

/** A workspace id of its own for each test, so IndexedDB holds nothing from another. */
export function freshId(): string {
  return `persist-${Math.random().toString(36).slice(2, 10)}`;
}
