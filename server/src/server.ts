import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { WebSocket, WebSocketServer } from 'ws';

import { CloseCode } from './close-codes.js';
import { silentLogger, type Logger } from './logger.js';
import { ProtocolError, Room, type Peer } from './room.js';
import type { UpdateStorage } from './storage.js';

/** How to run the server; {@link readConfig} reads the first two from the environment. */
export interface ServerOptions {
  host: string;
  /** 0 picks a free port; the running server reports the one it got. */
  port: number;
  storage: UpdateStorage;
  logger?: Logger | undefined;
  /** How long a room with no connection stays in memory, in milliseconds. Default 30 s. */
  roomIdleMs?: number | undefined;
  /** How often connections are pinged; one that missed the last ping is closed. Default 30 s. */
  pingIntervalMs?: number | undefined;
}

/** A running sync server. */
export interface SyncServer {
  readonly host: string;
  readonly port: number;
  /** The address clients connect to, such as `ws://127.0.0.1:1234`. */
  readonly url: string;
  /** Stops accepting, closes every connection with 4503 and frees the rooms. */
  close(): Promise<void>;
}

/** A room is `<workspace>/<document>`, both made of letters, digits, `-` and `_`. */
const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}\/[A-Za-z0-9_-]{1,64}$/;

/**
 * Starts the sync server: the y-websocket protocol on `ws://host:port/<workspace>/<document>`,
 * and `GET /healthz` on the same port.
 *
 * @param options - Where to listen and where to store.
 * @returns The running server, once it listens.
 * @throws The listen error, such as `EADDRINUSE` when the port is taken.
 */
export async function startServer(options: ServerOptions): Promise<SyncServer> {
  const logger = options.logger ?? silentLogger;
  const rooms = new Rooms(options.storage, logger, options.roomIdleMs ?? 30_000);
  const http = createServer((request, response) => answerHttp(request, response, options.storage));
  const wss = new WebSocketServer({ server: http });
  // The listen error reaches the caller through the promise below; ws repeats it as an event.
  wss.on('error', () => {});

  wss.on('connection', (socket, request) => {
    const name = roomNameOf(request);
    if (name === undefined) {
      logger.log('warn', 'room-name-invalid', { path: request.url?.split('?')[0] });
      socket.close(CloseCode.malformed, 'room name must be <workspace>/<document>');
      return;
    }
    serveConnection(socket, rooms.open(name), rooms, logger);
  });

  const pingTimer = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) socket.close(CloseCode.idleTimeout, 'no answer to ping');
      alive.set(socket, false);
      socket.ping();
    }
  }, options.pingIntervalMs ?? 30_000);
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (socket) => socket.on('pong', () => alive.set(socket, true)));

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });

  const { port } = http.address() as AddressInfo;
  const host = options.host;
  logger.log('info', 'listening', { host, port });

  return {
    host,
    port,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async close() {
      clearInterval(pingTimer);
      for (const socket of wss.clients) socket.close(CloseCode.shuttingDown, 'server stopping');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      rooms.unloadAll();
      logger.log('info', 'stopped', {});
    },
  };
}

/** The rooms in memory, loaded on first connection and unloaded when idle. */
class Rooms {
  readonly #rooms = new Map<string, Room>();
  readonly #unloadTimers = new Map<string, NodeJS.Timeout>();
  readonly #storage: UpdateStorage;
  readonly #logger: Logger;
  readonly #idleMs: number;

  constructor(storage: UpdateStorage, logger: Logger, idleMs: number) {
    this.#storage = storage;
    this.#logger = logger;
    this.#idleMs = idleMs;
  }

  open(name: string): Room {
    clearTimeout(this.#unloadTimers.get(name));
    this.#unloadTimers.delete(name);

    let room = this.#rooms.get(name);
    if (room === undefined) {
      room = new Room(name, this.#storage, this.#logger);
      this.#rooms.set(name, room);
      this.#logger.log('debug', 'room-loaded', { room: name });
    }
    return room;
  }

  /** Schedules the room's unloading once its last peer left. */
  release(room: Room): void {
    if (room.size > 0) return;

    const timer = setTimeout(() => {
      this.#unloadTimers.delete(room.name);
      if (room.size > 0) return;
      this.#rooms.delete(room.name);
      room.destroy();
      this.#logger.log('debug', 'room-unloaded', { room: room.name });
    }, this.#idleMs);
    timer.unref();
    this.#unloadTimers.set(room.name, timer);
  }

  unloadAll(): void {
    for (const timer of this.#unloadTimers.values()) clearTimeout(timer);
    for (const room of this.#rooms.values()) room.destroy();
    this.#unloadTimers.clear();
    this.#rooms.clear();
  }
}

function serveConnection(socket: WebSocket, room: Room, rooms: Rooms, logger: Logger): void {
  const peer: Peer = {
    send(message) {
      if (socket.readyState === WebSocket.OPEN) socket.send(message);
    },
  };

  socket.binaryType = 'nodebuffer';
  socket.on('message', (data, isBinary) => {
    if (!isBinary || !Buffer.isBuffer(data)) {
      socket.close(CloseCode.malformed, 'expected a binary frame');
      return;
    }
    try {
      room.receive(peer, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      logger.log('warn', 'message-malformed', { room: room.name, reason: error.message });
      socket.close(CloseCode.malformed, 'malformed message');
    }
  });
  socket.on('close', () => {
    room.leave(peer);
    rooms.release(room);
  });
  socket.on('error', (error) => logger.log('warn', 'socket-error', { message: error.message }));

  room.join(peer);
}

function roomNameOf(request: IncomingMessage): string | undefined {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  let name: string;
  try {
    name = decodeURIComponent(path.slice(1));
  } catch {
    return undefined;
  }
  return ROOM_NAME.test(name) ? name : undefined;
}

function answerHttp(request: IncomingMessage, response: ServerResponse, storage: UpdateStorage) {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method === 'GET' && path === '/healthz') {
    const healthy = storage.healthy();
    response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: healthy ? 'ok' : 'storage-unavailable' }));
    return;
  }
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end('not found\n');
}
