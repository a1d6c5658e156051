import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

/** The subprotocol Kura's client offers so that the sync server says what it stored. */
export const ACK_PROTOCOL = 'kura-ack';

/** The message type of the server's acknowledgement. */
export const ACK_MESSAGE = 100;

/**
 * Reads an acknowledgement after its message type: per Yjs client id, the clock up to which the
 * server has stored its writes.
 *
 * @param decoder - Positioned after the message type.
 * @returns The clocks.
 */
export function readAck(decoder: decoding.Decoder): Map<number, number> {
  const clocks = new Map<number, number>();
  const count = decoding.readVarUint(decoder);
  for (let i = 0; i < count; i++) {
    const client = decoding.readVarUint(decoder);
    clocks.set(client, decoding.readVarUint(decoder));
  }
  return clocks;
}

/**
 * Counts the local changes of one document that the server has not said it stored. A change is
 * one local transaction; it is stored once the server acknowledges this replica's clock at or
 * past the clock the transaction ended at. The document keeps every change in IndexedDB anyway,
 * so nothing is lost while a change waits: the count is what a person needs to know before
 * closing the tab.
 */
export class PendingChanges {
  readonly #doc: Y.Doc;
  /** The clocks local transactions ended at, oldest first, not yet acknowledged. */
  #ends: number[] = [];
  #stored = 0;
  readonly #listeners = new Set<() => void>();
  readonly #onUpdate: (update: Uint8Array, origin: unknown, doc: Y.Doc) => void;

  /**
   * @param doc - The document.
   * @param isRemote - Whether an update's origin is the network, such as the provider, rather
   *   than a local change.
   */
  constructor(doc: Y.Doc, isRemote: (origin: unknown) => boolean) {
    this.#doc = doc;
    this.#onUpdate = (_update, origin) => {
      if (isRemote(origin)) return;
      const end = this.#clock();
      if (end <= this.#stored || this.#ends.at(-1) === end) return;
      this.#ends.push(end);
      this.#changed();
    };
    doc.on('update', this.#onUpdate);
  }

  /** The local changes not yet acknowledged. */
  get count(): number {
    return this.#ends.length;
  }

  /**
   * Takes an acknowledgement into account.
   *
   * @param clocks - Per client id, the clock the server stored up to.
   */
  acknowledge(clocks: ReadonlyMap<number, number>): void {
    const stored = clocks.get(this.#doc.clientID);
    if (stored === undefined || stored <= this.#stored) return;
    this.#stored = stored;
    const before = this.#ends.length;
    this.#ends = this.#ends.filter((end) => end > stored);
    if (this.#ends.length !== before) this.#changed();
  }

  /**
   * Calls `listener` when the count changes.
   *
   * @returns A function that stops the calls.
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  destroy(): void {
    this.#doc.off('update', this.#onUpdate);
    this.#listeners.clear();
  }

  #clock(): number {
    return Y.getState(this.#doc.store, this.#doc.clientID);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
