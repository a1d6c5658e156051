import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

/**
 * Where the server keeps each room's updates. The protocol code knows only this interface, so
 * that another backend can take the place of the embedded database.
 */
export interface UpdateStorage {
  /** @returns Every update stored for the room, oldest first. */
  load(room: string): Uint8Array[];
  /** Stores one update durably; when it returns, the update survives a crash. */
  append(room: string, update: Uint8Array): void;
  /** @returns `true` when the storage answers a query. */
  healthy(): boolean;
  close(): void;
}

/**
 * Stores updates in an SQLite database in `dataDir`: one append-only table, one row per update,
 * written ahead (WAL) with a full sync on each commit.
 */
export class SqliteStorage implements UpdateStorage {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, Uint8Array]>;
  readonly #select: Database.Statement<[string], { data: Buffer }>;

  /** @param dataDir - The folder of the database file; created when missing. */
  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.#db = new Database(join(dataDir, 'kura.sqlite3'));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
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
  }

  load(room: string): Uint8Array[] {
    return this.#select.all(room).map((row) => new Uint8Array(row.data));
  }

  append(room: string, update: Uint8Array): void {
    this.#insert.run(room, update);
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
    this.#db.close();
  }
}
