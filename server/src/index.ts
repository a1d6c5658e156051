export {
  accessTo,
  DEFAULT_TOKEN_SECONDS,
  MAX_TOKEN_SECONDS,
  parseAcl,
  parseDuration,
  publicKeyFromPem,
  signToken,
  TokenError,
  TokenVerifier,
  type Access,
  type Acl,
  type TokenClaims,
  type TokenErrorCode,
  type TokenGrant,
} from './auth.js';
export { CloseCode } from './close-codes.js';
export { ConfigError, readConfig, readPort, readSecret, type ServerConfig } from './config.js';
export { RateLimiter, type RateLimit } from './limits.js';
export { jsonLogger, pinoLogger, silentLogger, type LogLevel, type Logger } from './logger.js';
export { ServerMetrics } from './metrics.js';
export { runServer, StartError, type RunningServer } from './run.js';
export { MessageType, permissionDeniedMessage, ProtocolError, Room, type Peer } from './room.js';
export { startServer, type ServerOptions, type SyncServer } from './server.js';
export { SqliteStorage, type UpdateStorage } from './storage.js';
export { tokenCommand, UsageError } from './token-command.js';
