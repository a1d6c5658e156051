import * as Y from 'yjs';

import { Origin } from './origins.js';
import { patchRecord, readRecord, type RecordMap } from './records.js';

/**
 * The records of one map as frozen plain objects, kept up to date from Yjs events, local and
 * remote alike: only the records an event touched are read again.
 */
export class RecordProjection<T extends { id: string }> {
  readonly #records: RecordMap;
  readonly #byId = new Map<string, T>();
  readonly #listeners = new Set<(records: ReadonlyMap<string, T>) => void>();
  readonly #onChange: ((changed: ReadonlySet<string>) => void) | undefined;

  /**
   * @param records - The map to follow.
   * @param onChange - Called with the ids that changed, before subscribers hear of it.
   */
  constructor(records: RecordMap, onChange?: (changed: ReadonlySet<string>) => void) {
    this.#records = records;
    this.#onChange = onChange;
    for (const [id, record] of records) this.#byId.set(id, readRecord<T>(id, record));
    records.observeDeep((events) => this.#apply(events));
  }

  /** @returns The record with that id, if there is one. */
  get(id: string): T | undefined {
    return this.#byId.get(id);
  }

  /**
   * Changes the fields a patch names, to the values the validated record gives them, in one
   * transaction of a command; the other fields are left alone, so concurrent edits of them
   * survive.
   *
   * @param validate - Checks the record with the patch applied and returns its fields; it throws
   *   to refuse, and nothing is written then.
   * @returns The record after the change, or `undefined` when there is no record with that id.
   */
  patch(id: string, patch: object, validate: (current: T) => object): T | undefined {
    const current = this.#byId.get(id);
    const record = this.#records.get(id);
    if (current === undefined || record === undefined) return undefined;

    const fields = validate(current) as Record<string, unknown>;
    const changed = Object.fromEntries(Object.keys(patch).map((key) => [key, fields[key]]));
    this.#records.doc?.transact(() => patchRecord(record, changed), Origin.command);

    return this.#byId.get(id) ?? current;
  }

  /** @returns Every record, by id. */
  all(): ReadonlyMap<string, T> {
    return this.#byId;
  }

  /**
   * Calls `listener` with every record now and after each change.
   *
   * @returns A function that stops the calls.
   */
  subscribe(listener: (records: ReadonlyMap<string, T>) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#byId);

    return () => this.#listeners.delete(listener);
  }

  #apply(events: Y.YEvent<Y.AbstractType<unknown>>[]): void {
    const changed = new Set<string>();
    for (const event of events) {
      if (event.target === this.#records && event instanceof Y.YMapEvent) {
        for (const key of event.keysChanged) changed.add(key);
      } else {
        const key = event.path[0];
        if (typeof key === 'string') changed.add(key);
      }
    }

    for (const id of changed) {
      const record = this.#records.get(id);
      if (record === undefined) this.#byId.delete(id);
      else this.#byId.set(id, readRecord<T>(id, record));
    }

    this.#onChange?.(changed);
    for (const listener of this.#listeners) listener(this.#byId);
  }
}
