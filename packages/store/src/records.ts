import * as Y from 'yjs';

/**
 * A map of records keyed by id, each record a `Y.Map` of its fields, so that two replicas that
 * edit different fields of one record both keep their edit (last writer wins per field).
 */
export type RecordMap = Y.Map<Y.Map<unknown>>;

/**
 * Writes a new record. Fields whose value is `undefined` are left out.
 *
 * @param records - The map of records.
 * @param id - The record's id.
 * @param fields - Plain JSON values: strings, numbers, booleans, arrays and objects of them.
 */
export function insertRecord(records: RecordMap, id: string, fields: object): void {
  const record = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && key !== 'id') record.set(key, value);
  }
  records.set(id, record);
}

/**
 * Changes the fields of a record that differ from the patch: only those are written, so a
 * concurrent edit of another field survives. `undefined` removes a field.
 *
 * @param record - The record's map.
 * @param patch - The fields to change.
 */
export function patchRecord(record: Y.Map<unknown>, patch: object): void {
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'id') continue;
    if (value === undefined) {
      if (record.has(key)) record.delete(key);
    } else if (!sameJson(record.get(key), value)) {
      record.set(key, value);
    }
  }
}

/** @returns The record as a frozen plain object with its id. */
export function readRecord<T extends { id: string }>(id: string, record: Y.Map<unknown>): T {
  return Object.freeze({ ...record.toJSON(), id }) as T;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Lists in id order, so that every replica hands out the same list for the same records. */
export function byId<T extends { id: string }>(records: T[]): T[] {
  return records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
