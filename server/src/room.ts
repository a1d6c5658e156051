import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

import type { Access } from './auth.js';
import { ackMessage, storedClocks } from './acks.js';
import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics.js';
import type { UpdateStorage } from './storage.js';

/** The message types of the y-websocket protocol that the server speaks. */
export const MessageType = { sync: 0, awareness: 1, auth: 2 } as const;

/** One end of a connection, as a room sees it. */
export interface Peer {
  /** What the peer's token grants on this room: `read` peers receive and change nothing. */
  readonly access: Access;
  /** Whether the peer asked to be told what is stored (the `kura-ack` subprotocol). */
  readonly acks?: boolean | undefined;
  send(message: Uint8Array): void;
  /**
   * Called for each update with content that a read-only peer sent; the room has dropped it.
   * The connection decides how to tell the peer and when to cut it off.
   */
  updateRefused(): void;
}

/** Thrown for a frame that does not follow the y-websocket protocol. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

const fromStorage = Symbol('kura-server:storage');

/**
 * A document being served: its state in memory, the awareness of the people looking at it, and
 * the peers to relay to. Every update is stored before it is relayed, so no peer ever sees a
 * change that a crash could lose. Updates from read-only peers are dropped; their awareness is
 * relayed like anyone's.
 */
export class Room {
  readonly name: string;
  readonly #doc = new Y.Doc();
  readonly #awareness = new awarenessProtocol.Awareness(this.#doc);
  /** Each peer with the awareness client ids it announced, removed when it leaves. */
  readonly #peers = new Map<Peer, Set<number>>();
  readonly #storage: UpdateStorage;
  readonly #logger: Logger;
  #destroyed = false;
  readonly #metrics: ServerMetrics | undefined;
  /** The whole document as a sync step 2, until the next update changes it. */
  #whole: Uint8Array | undefined;

  constructor(name: string, storage: UpdateStorage, logger: Logger, metrics?: ServerMetrics) {
    this.name = name;
    this.#storage = storage;
    this.#logger = logger;
    this.#metrics = metrics;

    const stored = storage.load(name);
    if (stored.length > 0) Y.applyUpdate(this.#doc, Y.mergeUpdates(stored), fromStorage);
    this.#awareness.setLocalState(null);

    this.#doc.on('update', (update: Uint8Array, origin: unknown) => this.#onUpdate(update, origin));
    this.#awareness.on('update', (change: AwarenessChange, origin: unknown) =>
      this.#onAwareness(change, origin),
    );
  }

  /** How many peers are connected. */
  get size(): number {
    return this.#peers.size;
  }

  /** Adds a peer and starts the sync with it: our state vector, then who else is here. */
  join(peer: Peer): void {
    this.#peers.set(peer, new Set());

    const syncStep1 = encoding.createEncoder();
    encoding.writeVarUint(syncStep1, MessageType.sync);
    syncProtocol.writeSyncStep1(syncStep1, this.#doc);
    peer.send(encoding.toUint8Array(syncStep1));

    const states = [...this.#awareness.getStates().keys()];
    if (states.length > 0) {
      peer.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.#awareness, states)));
    }
  }

  /** Removes a peer and the awareness states it announced. */
  leave(peer: Peer): void {
    const clients = this.#peers.get(peer);
    if (clients === undefined) return;

    this.#peers.delete(peer);
    awarenessProtocol.removeAwarenessStates(this.#awareness, [...clients], null);
  }

  /**
   * Handles one frame from a peer.
   *
   * @throws {ProtocolError} When the frame is not a y-websocket message.
   */
  receive(peer: Peer, message: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(message);
      const type = decoding.readVarUint(decoder);

      if (type === MessageType.sync) {
        this.#receiveSync(peer, decoder);
      } else if (type === MessageType.awareness) {
        const update = decoding.readVarUint8Array(decoder);
        awarenessProtocol.applyAwarenessUpdate(this.#awareness, update, peer);
      } else {
        throw new ProtocolError(`unknown message type ${type}`);
      }
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError(error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Answers a sync step 1 with the missing part of our state, and applies a step 2 or an
   * update. The protocol library would log a bad update and carry on; we refuse the peer.
   */
  #receiveSync(peer: Peer, decoder: decoding.Decoder): void {
    const step = decoding.readVarUint(decoder);

    if (step === syncProtocol.messageYjsSyncStep1) {
      peer.send(this.#syncStep2(decoding.readVarUint8Array(decoder)));
    } else if (
      step === syncProtocol.messageYjsSyncStep2 ||
      step === syncProtocol.messageYjsUpdate
    ) {
      const update = decoding.readVarUint8Array(decoder);
      if (peer.access === 'write') {
        Y.applyUpdate(this.#doc, update, peer);
      } else if (!isEmptyUpdate(update)) {
        // A read-only client answers our sync step 1 with an empty step 2; that is no write.
        peer.updateRefused();
      }
    } else {
      throw new ProtocolError(`unknown sync step ${step}`);
    }
  }

  /**
   * The answer to a peer's state vector: what it lacks. A peer that has nothing, as every new
   * client joining a room, gets the whole document, encoded once until the next update rather
   * than once per client: a join storm on a large document then costs one encoding.
   */
  #syncStep2(stateVector: Uint8Array): Uint8Array {
    const empty = Y.decodeStateVector(stateVector).size === 0;
    if (empty && this.#whole !== undefined) return this.#whole;

    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, MessageType.sync);
    syncProtocol.writeSyncStep2(reply, this.#doc, stateVector);
    const message = encoding.toUint8Array(reply);
    if (empty) this.#whole = message;
    return message;
  }

  /** Frees the document's memory. */
  destroy(): void {
    this.#destroyed = true;
    this.#awareness.destroy();
    this.#doc.destroy();
  }

  /**
   * Stores an update with the others of the same few milliseconds, then relays it and tells the
   * peer that sent it, if it asked, up to where its writes are stored. Commits settle in order,
   * so relays keep the order the room applied the updates in.
   */
  #onUpdate(update: Uint8Array, origin: unknown): void {
    this.#whole = undefined;
    if (origin === fromStorage) return;

    const message = encoding.createEncoder();
    encoding.writeVarUint(message, MessageType.sync);
    syncProtocol.writeUpdate(message, update);
    const relay = encoding.toUint8Array(message);
    const committing = this.#metrics?.commitSeconds.startTimer();
    this.#storage.commit(this.name, update).then(
      () => {
        committing?.();
        this.#metrics?.updates.inc();
        this.#metrics?.updateBytes.inc(update.byteLength);
        if (this.#destroyed) return;
        this.#broadcast(relay);
        const sender = origin as Peer;
        if (sender.acks === true && this.#peers.has(sender)) {
          sender.send(ackMessage(storedClocks(update)));
        }
        this.#logger.log('debug', 'update', { room: this.name, bytes: update.byteLength });
      },
      (error: unknown) => {
        // Not stored: nothing is relayed or acknowledged, and the sender's client keeps the
        // change and sends it again when it reconnects.
        this.#logger.log('error', 'commit-failed', { room: this.name, message: String(error) });
      },
    );
  }

  #onAwareness({ added, updated, removed }: AwarenessChange, origin: unknown): void {
    const clients = this.#peers.get(origin as Peer);
    if (clients !== undefined) {
      for (const id of added) clients.add(id);
      for (const id of removed) clients.delete(id);
    }

    const changed = [...added, ...updated, ...removed];
    const update = awarenessProtocol.encodeAwarenessUpdate(this.#awareness, changed);
    this.#broadcast(awarenessMessage(update));
  }

  /** Sends to every peer, the sender too: y-websocket clients count echoes as signs of life. */
  #broadcast(message: Uint8Array): void {
    for (const peer of this.#peers.keys()) peer.send(message);
  }
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/**
 * The y-protocols message that tells a client it may not write here; a stock `WebsocketProvider`
 * logs it as a warning.
 *
 * @param reason - Shown to the client's developer.
 * @returns The message.
 */
export function permissionDeniedMessage(reason: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.auth);
  authProtocol.writePermissionDenied(encoder, reason);

  return encoding.toUint8Array(encoder);
}

/** @returns `true` for an update with no structs and no deletions. */
function isEmptyUpdate(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);

  return structs.length === 0 && ds.clients.size === 0;
}

function awarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.awareness);
  encoding.writeVarUint8Array(encoder, update);

  return encoding.toUint8Array(encoder);
}
