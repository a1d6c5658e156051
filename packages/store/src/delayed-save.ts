/** How long changes wait before derived data is saved, so that a burst of work is saved once. */
const SAVE_DELAY_MS = 300;

/**
 * Runs a save of derived data shortly after changes, one save at a time, at once when asked,
 * and no more once closed.
 */
export class DelayedSave {
  readonly #save: () => Promise<void>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #saving: Promise<void> = Promise.resolve();
  #closed = false;

  /** @param save - Writes what changed; it handles its own failures. */
  constructor(save: () => Promise<void>) {
    this.#save = save;
  }

  /** `true` once {@link close} has run: changes are no longer saved. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Has a save run shortly, unless one is due already. */
  schedule(): void {
    if (this.#closed) return;
    this.#timer ??= setTimeout(() => void this.flush(), SAVE_DELAY_MS);
  }

  /** Saves now rather than after the delay, after any save under way. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#saving = this.#saving.then(this.#save);
    await this.#saving;
  }

  /** Saves what changed and stops saving. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }
}
