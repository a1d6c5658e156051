import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import Database from 'better-sqlite3';

/**
 * Where the server keeps each room's updates. The protocol code knows only this interface, so
 * that another backend can take the place of the embedded database.
 */
export interface UpdateStorage {
  /** @returns Every update stored for the room, oldest first. */
  load(room: string): Uint8Array[];
  /** Stores one update durably at once; when it returns, the update survives a crash. */
  append(room: string, update: Uint8Array): void;
  /**
   * Stores one update with the others read in the same turn of the event loop, in one commit.
   *
   * @returns A promise that settles once the update survives a crash; promises settle in the
   *   order their updates were given.
   */
  commit(room: string, update: Uint8Array): Promise<void>;
  /**
   * Merges the room's updates into one, in the background: relays and commits go on meanwhile.
   *
   * @returns A promise that settles when the merge is stored, or was not needed.
   */
  compact(room: string): Promise<void>;
  /** @returns `true` when the storage answers a query. */
  healthy(): boolean;
  /** Commits what is pending, stops compacting and closes. */
  close(): void;
}

/** How {@link SqliteStorage} groups commits and compacts. */
export interface SqliteStorageOptions {
  /**
   * How long a commit waits for others to join it, in milliseconds; 0 by default: only the
   * updates read in the same turn of the event loop join it.
   */
  commitDelayMs?: number | undefined;
  /** How many updates a room collects before it is compacted; 1,000 by default, 0 never. */
  compactAfter?: number | undefined;
}

interface Pending {
  readonly room: string;
  readonly update: Uint8Array;
  resolve(): void;
  reject(error: unknown): void;
}

/** The file of the compaction worker: plain JavaScript, loadable from the sources and dist. */
const COMPACTOR = new URL('../src/compactor.mjs', import.meta.url);

/**
 * Stores updates in an SQLite database in `dataDir`: one append-only table, one row per update,
 * written ahead (WAL) with a full sync on each commit. Updates that arrive together are committed
 * together, and a room's rows are merged into one by a worker thread with its own connection, so
 * that neither a full sync per update nor a large merge holds up the relays.
 */
export class SqliteStorage implements UpdateStorage {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #insert: Database.Statement<[string, Uint8Array]>;
  readonly #select: Database.Statement<[string], { data: Buffer }>;
  readonly #commitDelayMs: number;
  readonly #compactAfter: number;
  #pending: Pending[] = [];
  /** Cancels the scheduled commit of the pending updates, when one is scheduled. */
  #scheduled: (() => void) | undefined;
  readonly #sinceCompaction = new Map<string, number>();
  readonly #compacting = new Map<string, Promise<void>>();
  #worker: Worker | undefined;
  #nextJob = 0;
  readonly #jobs = new Map<number, { resolve(): void; reject(error: unknown): void }>();
  #closed = false;

  /**
   * @param dataDir - The folder of the database file; created when missing.
   * @param options - How commits are grouped and rooms compacted.
   */
  constructor(dataDir: string, options: SqliteStorageOptions = {}) {
    mkdirSync(dataDir, { recursive: true });
    this.#file = join(dataDir, 'kura.sqlite3');
    this.#db = new Database(this.#file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    // The compactor writes through its own connection; each side waits for the other's lock.
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS updates (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        room TEXT NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS updates_by_room ON updates (room, seq);
    `);
    this.#insert = this.#db.prepare('INSERT INTO updates (room, data) VALUES (?, ?)');
    this.#select = this.#db.prepare('SELECT data FROM updates WHERE room = ? ORDER BY seq');
    this.#commitDelayMs = options.commitDelayMs ?? 0;
    this.#compactAfter = options.compactAfter ?? 1_000;
  }

  load(room: string): Uint8Array[] {
    return this.#select.all(room).map((row) => new Uint8Array(row.data));
  }

  append(room: string, update: Uint8Array): void {
    this.#flush();
    this.#insert.run(room, update);
    this.#counted(room, 1);
  }

  commit(room: string, update: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('[kura/server] the storage is closed'));

    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ room, update, resolve, reject });
      this.#scheduled ??= this.#schedule();
    });
  }

  compact(room: string): Promise<void> {
    const running = this.#compacting.get(room);
    if (running !== undefined) return running;
    if (this.#closed) return Promise.resolve();

    this.#sinceCompaction.set(room, 0);
    const id = this.#nextJob++;
    const done = new Promise<void>((resolve, reject) => {
      this.#jobs.set(id, { resolve, reject });
      this.#compactor().postMessage({ id, room });
    }).finally(() => this.#compacting.delete(room));
    this.#compacting.set(room, done);
    return done;
  }

  healthy(): boolean {
    try {
      this.#db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    // A merge cut short rolls back in SQLite: the room keeps its rows.
    void this.#worker?.terminate();
    for (const job of this.#jobs.values()) job.resolve();
    this.#jobs.clear();
    this.#db.close();
  }

  /** Commits every pending update in one transaction, then settles their promises in order. */
  #flush(): void {
    this.#scheduled?.();
    this.#scheduled = undefined;
    const group = this.#pending;
    if (group.length === 0) return;
    this.#pending = [];

    try {
      this.#db.transaction(() => {
        for (const { room, update } of group) this.#insert.run(room, update);
      })();
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    const rooms = new Map<string, number>();
    for (const pending of group) rooms.set(pending.room, (rooms.get(pending.room) ?? 0) + 1);
    for (const [room, count] of rooms) this.#counted(room, count);
    for (const pending of group) pending.resolve();
  }

  /**
   * Schedules the commit of the pending updates. Without a delay it waits only for the messages
   * already read in this turn of the event loop: they join the group, and nobody waits for a
   * clock.
   */
  #schedule(): () => void {
    if (this.#commitDelayMs === 0) {
      const immediate = setImmediate(() => this.#flush());
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(() => this.#flush(), this.#commitDelayMs);
    return () => clearTimeout(timer);
  }

  #counted(room: string, count: number): void {
    const since = (this.#sinceCompaction.get(room) ?? 0) + count;
    this.#sinceCompaction.set(room, since);
    if (this.#compactAfter > 0 && since >= this.#compactAfter) {
      this.compact(room).catch(() => {
        // The rows stay as they are; the next compaction tries again.
      });
    }
  }

  #compactor(): Worker {
    if (this.#worker !== undefined) return this.#worker;

    const worker = new Worker(COMPACTOR, { workerData: { file: this.#file } });
    worker.unref();
    worker.on('message', (message: { id: number; error?: string }) => {
      const job = this.#jobs.get(message.id);
      this.#jobs.delete(message.id);
      if (message.error === undefined) job?.resolve();
      else job?.reject(new Error(`[kura/server] compaction failed: ${message.error}`));
    });
    worker.on('error', (error) => {
      for (const job of this.#jobs.values()) job.reject(error);
      this.#jobs.clear();
      this.#worker = undefined;
    });
    this.#worker = worker;
    return worker;
  }
}
