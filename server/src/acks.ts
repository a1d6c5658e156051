import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * The WebSocket subprotocol a client offers to be told what is stored. Stock y-websocket clients
 * never offer it, so they never receive the message below, which they would not understand.
 */
export const ACK_PROTOCOL = 'kura-ack';

/** The message type of an acknowledgement, beside the protocol's sync (0) and awareness (1). */
export const ACK_MESSAGE = 100;

/**
 * The clocks an update carries, per Yjs client: once the update is stored, everything each of
 * those clients wrote up to that clock is stored too, since a room applies updates in order and
 * Yjs never applies a client's update before the ones it follows.
 *
 * @param update - A Yjs update as a peer sent it.
 * @returns Per client id, the clock just after the update's last item; empty for an update that
 *   only deletes.
 */
export function storedClocks(update: Uint8Array): Map<number, number> {
  return Y.parseUpdateMeta(update).to;
}

/**
 * The acknowledgement frame: message type {@link ACK_MESSAGE}, the number of entries, then per
 * entry the client id and the clock up to which its writes are stored.
 *
 * @param clocks - Per client id, the stored clock.
 * @returns The frame to send.
 */
export function ackMessage(clocks: ReadonlyMap<number, number>): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, ACK_MESSAGE);
  encoding.writeVarUint(encoder, clocks.size);
  for (const [client, clock] of clocks) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
  }
  return encoding.toUint8Array(encoder);
}
