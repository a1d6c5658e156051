import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { publicKeyFromPem, TokenVerifier } from './auth.js';
import { ConfigError, readConfig, type ServerConfig } from './config.js';
import { pinoLogger, type Logger } from './logger.js';
import { startServer, type SyncServer } from './server.js';
import { SqliteStorage } from './storage.js';

/** A server started from the environment, with its storage. */
export interface RunningServer {
  readonly config: ServerConfig;
  readonly server: SyncServer;
  /**
   * The secret that signs HS256 tokens: `KURA_SECRET`, or in development mode without it a
   * random one made up at start. `undefined` when only EdDSA tokens are accepted.
   */
  readonly secret: string | undefined;
  /** Closes the server, then its storage. */
  stop(): Promise<void>;
}

/** The server could not start; the message says why and what to change. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

/**
 * Starts the server with the settings of the environment and the embedded database.
 *
 * @param env - The environment, usually `process.env`.
 * @param logger - Where to log; by default one JSON line per event on standard output.
 * @returns The running server.
 * @throws {ConfigError} When a variable has a bad value, `KURA_SECRET` is missing outside
 *   development mode, or `KURA_PUBLIC_KEY_FILE` holds no Ed25519 public key.
 * @throws {StartError} When the port is taken.
 */
export async function runServer(
  env: Record<string, string | undefined>,
  logger?: Logger,
): Promise<RunningServer> {
  const config = readConfig(env);
  const log = logger ?? pinoLogger(config.logLevel);
  const secret = config.secret ?? (config.dev ? randomBytes(32).toString('base64url') : undefined);
  const verifier = new TokenVerifier({ secret, publicKey: readPublicKey(config.publicKeyFile) });
  if (config.dev) {
    log.log('warn', 'development-mode', {
      detail: 'GET /dev/token gives a token to anyone who asks; never run this in production',
    });
  }
  const storage = new SqliteStorage(config.dataDir);

  let server: SyncServer;
  try {
    server = await startServer({
      host: config.host,
      port: config.port,
      storage,
      verifier,
      logger: log,
      allowedOrigins: config.allowedOrigins,
      maxMessageBytes: config.maxMessageBytes,
      rateLimit: { perSecond: config.rateLimit, burst: config.rateBurst },
      devSecret: config.dev ? secret : undefined,
    });
  } catch (error) {
    storage.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StartError(
        `[kura/server] port-in-use: port ${config.port} on ${config.host} is taken by another ` +
          'program; set KURA_SYNC_PORT to a free port',
      );
    }
    throw error;
  }

  return {
    config,
    server,
    secret,
    async stop() {
      await server.close();
      storage.close();
    },
  };
}

function readPublicKey(file: string | undefined) {
  if (file === undefined) return undefined;

  try {
    return publicKeyFromPem(readFileSync(file, 'utf8'));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      'KURA_PUBLIC_KEY_FILE',
      `is "${file}", which holds no Ed25519 public key in PEM (SPKI): ${detail}`,
    );
  }
}
