/**
 * The origins that Kura attaches to the Yjs transactions it makes. Observers tell a user's own
 * command from data that arrived from IndexedDB or the network by comparing with these.
 */
export const Origin = {
  /** A command run by the user of this replica. */
  command: Symbol('kura:command'),
} as const;
