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
  /**
   * Development mode: `GET /dev/token` hands a token to anyone who asks, and a random secret is
   * made up when `KURA_SECRET` is unset. `KURA_DEV`, default off; `npm start` turns it on.
   */
  dev: boolean;
  /** The HS256 secret that signs tokens, at least 32 characters. `KURA_SECRET`. */
  secret: string | undefined;
  /** A PEM file with the Ed25519 public key of EdDSA tokens. `KURA_PUBLIC_KEY_FILE`. */
  publicKeyFile: string | undefined;
  /** The page origins that may connect; any when unset. `KURA_ALLOWED_ORIGINS`, comma-separated. */
  allowedOrigins: string[] | undefined;
  /** The largest message a client may send. `KURA_MAX_MESSAGE_BYTES`, default 2 MiB. */
  maxMessageBytes: number;
  /** Messages per second a connection may send, sustained. `KURA_RATE_LIMIT`, default 200. */
  rateLimit: number;
  /** Messages a connection may send at once above that rate. `KURA_RATE_BURST`, default 1000. */
  rateBurst: number;
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

/** HS256 needs a key of 256 bits; a shorter secret can be guessed offline from one token. */
const MIN_SECRET_LENGTH = 32;

/**
 * Reads the server's settings from environment variables, with their defaults.
 *
 * @param env - The environment, usually `process.env`.
 * @returns The settings.
 * @throws {ConfigError} When a variable is set to a value the server cannot use, or when
 *   `KURA_SECRET` is missing outside development mode and no public key file is set.
 */
export function readConfig(env: Record<string, string | undefined>): ServerConfig {
  const dev = readSwitch(env, 'KURA_DEV');
  const secret = readSecret(env);
  const publicKeyFile = env['KURA_PUBLIC_KEY_FILE']
    ? resolve(env['KURA_PUBLIC_KEY_FILE'])
    : undefined;
  if (secret === undefined && publicKeyFile === undefined && !dev) {
    throw new ConfigError(
      'KURA_SECRET',
      `is not set; set it to a random string of at least ${MIN_SECRET_LENGTH} characters that ` +
        'signs the tokens (or set KURA_PUBLIC_KEY_FILE for EdDSA tokens)',
    );
  }

  return {
    host: env['KURA_SYNC_HOST'] || '127.0.0.1',
    port: readPort(env, 'KURA_SYNC_PORT', 1234),
    dataDir: resolve(env['KURA_DATA_DIR'] || '.kura/data'),
    logLevel: readLogLevel(env),
    dev,
    secret,
    publicKeyFile,
    allowedOrigins: readOrigins(env),
    maxMessageBytes: readCount(env, 'KURA_MAX_MESSAGE_BYTES', 2 * 1024 * 1024),
    rateLimit: readCount(env, 'KURA_RATE_LIMIT', 200),
    rateBurst: readCount(env, 'KURA_RATE_BURST', 1000),
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

function readSwitch(env: Record<string, string | undefined>, variable: string): boolean {
  const raw = env[variable];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(variable, `is "${raw}"; use 1 or true to turn it on, 0 or false for off`);
}

/**
 * Reads `KURA_SECRET`. The secret itself never appears in an error message, only its length.
 *
 * @returns The secret, or `undefined` when it is not set.
 * @throws {ConfigError} When it is shorter than 32 characters.
 */
export function readSecret(env: Record<string, string | undefined>): string | undefined {
  const raw = env['KURA_SECRET'];
  if (raw === undefined || raw === '') return undefined;

  if (raw.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      'KURA_SECRET',
      `has ${raw.length} characters; use a random string of at least ${MIN_SECRET_LENGTH}`,
    );
  }
  return raw;
}

function readOrigins(env: Record<string, string | undefined>): string[] | undefined {
  const raw = env['KURA_ALLOWED_ORIGINS'];
  if (raw === undefined || raw.trim() === '') return undefined;

  const origins = raw.split(',').map((origin) => origin.trim());
  for (const origin of origins) {
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    if (parsed !== origin) {
      throw new ConfigError(
        'KURA_ALLOWED_ORIGINS',
        `names "${origin}"; list origins such as https://intranet.example.com, comma-separated`,
      );
    }
  }
  return origins;
}

/** Reads a whole number of at least 1. */
function readCount(
  env: Record<string, string | undefined>,
  variable: string,
  fallback: number,
): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;

  const count = Number(raw);
  if (!/^\d+$/.test(raw) || count < 1 || !Number.isSafeInteger(count)) {
    throw new ConfigError(variable, `is "${raw}"; set it to a whole number of at least 1`);
  }
  return count;
}
