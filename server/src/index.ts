export { CloseCode } from './close-codes.js';
export { ConfigError, readConfig, readPort, type ServerConfig } from './config.js';
export { jsonLogger, silentLogger, type LogLevel, type Logger } from './logger.js';
export { runServer, StartError, type RunningServer } from './run.js';
export { MessageType, ProtocolError, Room, type Peer } from './room.js';
export { startServer, type ServerOptions, type SyncServer } from './server.js';
export { SqliteStorage, type UpdateStorage } from './storage.js';
