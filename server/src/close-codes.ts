/**
 * The close codes the server sends, in one place. They follow the convention that y-websocket
 * clients apply: 4400-4499 are permanent (the client stops reconnecting), 4500-4599 transient
 * (it retries with backoff).
 */
export const CloseCode = {
  /** A frame that is not a y-websocket message, or a room name that is not `<ws>/<doc>`. */
  malformed: 4400,
  /** No token, or one that is forged, expired, malformed or valid for more than a day. */
  unauthorized: 4401,
  /**
   * The token is fine but does not open this room (another workspace, a document its acl does
   * not name), the page's `Origin` is not allowed, or a read-only connection kept writing.
   */
  forbidden: 4403,
  /** A message larger than `KURA_MAX_MESSAGE_BYTES`. */
  tooLarge: 4413,
  /** The server is stopping; connect again later. */
  shuttingDown: 4503,
  /** The connection stopped answering pings. */
  idleTimeout: 4508,
  /** More messages than `KURA_RATE_LIMIT` allows; connect again after a pause. */
  tooManyMessages: 4529,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
