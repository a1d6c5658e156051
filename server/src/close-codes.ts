/**
 * The close codes the server sends, in one place. They follow the convention that y-websocket
 * clients apply: 4400-4499 are permanent (the client stops reconnecting), 4500-4599 transient
 * (it retries with backoff).
 */
export const CloseCode = {
  /** A frame that is not a y-websocket message, or a room name that is not `<ws>/<doc>`. */
  malformed: 4400,
  /** The server is stopping; connect again later. */
  shuttingDown: 4503,
  /** The connection stopped answering pings. */
  idleTimeout: 4508,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
