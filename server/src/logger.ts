import { pino } from 'pino';

/** The levels a log line can have, from the most to the least detailed. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the server writes what happens; the caller chooses it. */
export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * A logger that writes one JSON object per line: time, level, event and the given fields.
 *
 * @param write - Receives each line, without its newline.
 * @param minimum - Lines below this level are dropped.
 * @returns The logger.
 */
export function jsonLogger(write: (line: string) => void, minimum: LogLevel = 'info'): Logger {
  const floor = LEVELS.indexOf(minimum);

  return {
    log(level, event, fields = {}) {
      if (LEVELS.indexOf(level) < floor) return;
      write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
    },
  };
}

/**
 * The server's logger in production: pino, one JSON object per line on standard output, with the
 * event and its fields. Tokens are never among the fields the server logs.
 *
 * @param minimum - Lines below this level are dropped.
 * @returns The logger.
 */
export function pinoLogger(minimum: LogLevel = 'info'): Logger {
  const logger = pino({ level: minimum, base: undefined });

  return {
    log(level, event, fields = {}) {
      logger[level]({ event, ...fields });
    },
  };
}

/** A logger that drops everything, for tests and embedding. */
export const silentLogger: Logger = { log() {} };
