import { readConfig, type ServerConfig } from './config.js';
import { jsonLogger, type Logger } from './logger.js';
import { startServer, type SyncServer } from './server.js';
import { SqliteStorage } from './storage.js';

/** A server started from the environment, with its storage. */
export interface RunningServer {
  readonly config: ServerConfig;
  readonly server: SyncServer;
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
 * @throws {ConfigError} When a variable has a bad value.
 * @throws {StartError} When the port is taken.
 */
export async function runServer(
  env: Record<string, string | undefined>,
  logger?: Logger,
): Promise<RunningServer> {
  const config = readConfig(env);
  const log = logger ?? jsonLogger((line) => process.stdout.write(`${line}\n`), config.logLevel);
  const storage = new SqliteStorage(config.dataDir);

  let server: SyncServer;
  try {
    server = await startServer({ ...config, storage, logger: log });
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
    async stop() {
      await server.close();
      storage.close();
    },
  };
}
