import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';

import { SqliteStorage } from '../src/index.js';
import { eventually, makeDataDir, removeDataDir } from './harness.js';

const folders: string[] = [];
const storages: SqliteStorage[] = [];

afterEach(() => {
  for (const storage of storages.splice(0)) storage.close();
  for (const folder of folders.splice(0)) removeDataDir(folder);
});

function open(options: ConstructorParameters<typeof SqliteStorage>[1] = {}) {
  const dataDir = makeDataDir();
  folders.push(dataDir);
  const storage = new SqliteStorage(dataDir, options);
  storages.push(storage);
  return { storage, dataDir };
}

/** Updates of a document that counts from 0: each sets one more entry. */
function updates(count: number, start = 0): Uint8Array[] {
  const doc = new Y.Doc();
  const made: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => made.push(update));
  for (let i = start; i < start + count; i++) doc.getMap('entries').set(`e${i}`, i);
  return made;
}

/** The document the stored updates make. */
function replay(stored: readonly Uint8Array[]): Record<string, unknown> {
  const doc = new Y.Doc();
  for (const update of stored) Y.applyUpdate(doc, update);
  return doc.getMap('entries').toJSON();
}

describe('storage', () => {
  it('STO2 commits updates that arrive together as one group, settling each in order', async () => {
    const { storage } = open({ commitDelayMs: 5, compactAfter: 0 });
    const settled: number[] = [];
    const made = updates(300);

    await Promise.all(
      made.map((update, index) =>
        storage.commit('acme/stock', update).then(() => settled.push(index)),
      ),
    );
    expect(settled).toEqual(made.map((_, index) => index));
    expect(storage.load('acme/stock')).toHaveLength(300);
    expect(Object.keys(replay(storage.load('acme/stock')))).toHaveLength(300);
  });

  it('STO2 commits what is pending when it closes, so a reopened database holds it', async () => {
    const { storage, dataDir } = open({ commitDelayMs: 1_000, compactAfter: 0 });
    const pending = updates(5).map((update) => storage.commit('acme/crm', update));
    storage.close();
    await Promise.all(pending);

    const reopened = new SqliteStorage(dataDir);
    storages.push(reopened);
    expect(Object.keys(replay(reopened.load('acme/crm')))).toHaveLength(5);
  });

  it('STO3 merges a room into one update in the background, keeping later updates', async () => {
    const { storage } = open({ compactAfter: 0 });
    for (const update of updates(2_000)) storage.append('acme/stock', update);
    storage.append('other/stock', updates(1)[0] ?? new Uint8Array());

    const merging = storage.compact('acme/stock');
    const meanwhile = updates(50, 2_000).map((update) => storage.commit('acme/stock', update));
    await Promise.all([merging, ...meanwhile]);

    const rows = storage.load('acme/stock');
    expect(rows.length).toBeLessThanOrEqual(51);
    expect(Object.keys(replay(rows))).toHaveLength(2_050);
    expect(storage.load('other/stock')).toHaveLength(1);
  });

  it('STO3 compacts a room by itself once it has collected enough updates', async () => {
    const { storage } = open({ compactAfter: 100, commitDelayMs: 1 });
    await Promise.all(updates(250).map((update) => storage.commit('acme/stock', update)));
    await eventually(() => storage.load('acme/stock').length === 1, 'the compaction');

    expect(Object.keys(replay(storage.load('acme/stock')))).toHaveLength(250);
  });
});
