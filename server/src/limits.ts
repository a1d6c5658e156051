/** How many messages a connection may send: a sustained rate and a burst above it. */
export interface RateLimit {
  /** Messages per second, sustained. */
  perSecond: number;
  /** Messages that may arrive at once, such as the edits queued while a tablet was offline. */
  burst: number;
}

/**
 * A token bucket per connection: it holds up to `burst` messages and refills at `perSecond`.
 * A connection that empties it sends faster than any person types and is cut off.
 */
export class RateLimiter {
  readonly #limit: RateLimit;
  #available: number;
  #filledAt: number;

  /** @param now - The current time in milliseconds, for tests. */
  constructor(limit: RateLimit, now = performance.now()) {
    this.#limit = limit;
    this.#available = limit.burst;
    this.#filledAt = now;
  }

  /**
   * Counts one message.
   *
   * @param now - The current time in milliseconds, for tests.
   * @returns `false` when the message is over the limit.
   */
  take(now = performance.now()): boolean {
    const refill = ((now - this.#filledAt) / 1000) * this.#limit.perSecond;
    this.#available = Math.min(this.#limit.burst, this.#available + refill);
    this.#filledAt = now;
    if (this.#available < 1) return false;

    this.#available -= 1;
    return true;
  }
}
