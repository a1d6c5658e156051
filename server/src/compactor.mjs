// The compaction worker of the SQLite storage: merges a room's updates into one, on its own
// connection, so that the merge never holds up the thread that relays and commits. Plain
// JavaScript, so that the same file runs from the sources and from the build.
import { parentPort, workerData } from 'node:worker_threads';

import Database from 'better-sqlite3';
import * as Y from 'yjs';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');

/** @type {import('better-sqlite3').Statement<[string], { seq: number; data: Buffer }>} */
const select = db.prepare('SELECT seq, data FROM updates WHERE room = ? ORDER BY seq');
const remove = db.prepare('DELETE FROM updates WHERE room = ? AND seq <= ?');
const insert = db.prepare('INSERT INTO updates (seq, room, data) VALUES (?, ?, ?)');

/**
 * Replaces a room's rows by one row holding their merge, under the last row's number, so that
 * rows appended meanwhile still come after it. The rows are read and merged outside any write
 * transaction (rows are never changed, only added), and the swap is one short transaction: the
 * main connection's commits barely wait, and a crash leaves either every row or the merge.
 */
const swap = db.transaction(
  (/** @type {string} */ room, /** @type {number} */ seq, /** @type {Uint8Array} */ merged) => {
    remove.run(room, seq);
    insert.run(seq, room, merged);
  },
);

/** @param {string} room */
function compact(room) {
  const rows = select.all(room);
  const last = rows.at(-1);
  if (rows.length < 2 || last === undefined) return;

  const merged = Y.mergeUpdates(rows.map((row) => new Uint8Array(row.data)));
  swap.immediate(room, last.seq, merged);
}

parentPort?.on('message', (/** @type {{ id: number; room: string }} */ { id, room }) => {
  try {
    compact(room);
    parentPort?.postMessage({ id });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
