import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';

import { ACK_MESSAGE, PendingChanges, readAck } from '../src/acks.js';

describe('acknowledgements', () => {
  it('ACK1 counts local changes until the server stores the clock they ended at', () => {
    const doc = new Y.Doc();
    const remote = Symbol('provider');
    const pending = new PendingChanges(doc, (origin) => origin === remote);
    const entries = doc.getMap('entries');

    entries.set('a', 1);
    doc.transact(() => {
      entries.set('b', 2);
      entries.set('c', 3);
    });
    const afterTwo = Y.getState(doc.store, doc.clientID);
    entries.set('d', 4);
    expect(pending.count).toBe(3);

    // Another replica's change counts for nothing.
    const other = new Y.Doc();
    other.getMap('entries').set('x', 9);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), remote);
    expect(pending.count).toBe(3);

    pending.acknowledge(new Map([[other.clientID, 1]]));
    expect(pending.count).toBe(3);
    pending.acknowledge(new Map([[doc.clientID, afterTwo]]));
    expect(pending.count).toBe(1);
    pending.acknowledge(new Map([[doc.clientID, afterTwo - 1]]));
    expect(pending.count).toBe(1);
    pending.acknowledge(new Map([[doc.clientID, Y.getState(doc.store, doc.clientID)]]));
    expect(pending.count).toBe(0);
  });

  it('ACK1 reads the clocks of an acknowledgement frame', () => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, ACK_MESSAGE);
    encoding.writeVarUint(encoder, 2);
    for (const [client, clock] of [
      [12, 40],
      [3_000_000_000, 7],
    ] as const) {
      encoding.writeVarUint(encoder, client);
      encoding.writeVarUint(encoder, clock);
    }
    const decoder = decoding.createDecoder(encoding.toUint8Array(encoder));
    expect(decoding.readVarUint(decoder)).toBe(ACK_MESSAGE);
    expect(readAck(decoder)).toEqual(
      new Map([
        [12, 40],
        [3_000_000_000, 7],
      ]),
    );
  });
});
