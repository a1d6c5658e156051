import { KuraError } from '../src/errors.js';

/**
 * Runs `run` and returns the code of the Kura error it throws, or `undefined` when it throws
 * nothing. Any other error is a bug and is thrown again.
 */
export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof KuraError) return error.code;
    throw error;
  }
  return undefined;
}
