import { resolve } from 'node:path';

import type { LogLevel } from './logger.js';

/** The server's settings, read from the environment by {@link readConfig}. */
export interface ServerConfig {
  /** Interface to listen on. `KURA_SYNC_HOST`, default `127.0.0.1`. */
  host: string;
  /** Port to listen on; 0 picks a free one. `KURA_SYNC_PORT`, default 1234. */
  port: number;
  /** Folder of the embedded database. `KURA_DATA_DIR`, default `.kura/data`. */
  dataDir: string;
  /** Least important log lines written. `KURA_LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
}

/** A setting that the server cannot start with; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`[kura/server] config-invalid: ${variable} ${detail}`);
  }
}

/**
 * Reads the server's settings from environment variables, with their defaults.
 *
 * @param env - The environment, usually `process.env`.
 * @returns The settings.
 * @throws {ConfigError} When a variable is set to a value the server cannot use.
 */
export function readConfig(env: Record<string, string | undefined>): ServerConfig {
  return {
    host: env['KURA_SYNC_HOST'] || '127.0.0.1',
    port: readPort(env, 'KURA_SYNC_PORT', 1234),
    dataDir: resolve(env['KURA_DATA_DIR'] || '.kura/data'),
    logLevel: readLogLevel(env),
  };
}

/**
 * Reads a TCP port from the environment.
 *
 * @throws {ConfigError} When the value is not a whole number from 0 to 65535.
 */
export function readPort(
  env: Record<string, string | undefined>,
  variable: string,
  fallback: number,
): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;

  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new ConfigError(variable, `is "${raw}"; set it to a port number from 0 to 65535`);
  }
  return port;
}

function readLogLevel(env: Record<string, string | undefined>): LogLevel {
  const raw = env['KURA_LOG_LEVEL'] || 'info';
  if (raw !== 'debug' && raw !== 'info' && raw !== 'warn' && raw !== 'error') {
    throw new ConfigError('KURA_LOG_LEVEL', `is "${raw}"; use debug, info, warn or error`);
  }
  return raw;
}
