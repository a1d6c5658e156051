import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import { WebSocket, WebSocketServer } from 'ws';

import {
  accessTo,
  parseAcl,
  signToken,
  TOKEN_PROTOCOL_PREFIX,
  TokenError,
  tokenOf,
  type Access,
  type TokenClaims,
  type TokenVerifier,
} from './auth.js';
import { ACK_PROTOCOL } from './acks.js';
import { CloseCode } from './close-codes.js';
import { ServerMetrics } from './metrics.js';
import { RateLimiter, type RateLimit } from './limits.js';
import { silentLogger, type Logger } from './logger.js';
import { permissionDeniedMessage, ProtocolError, Room, type Peer } from './room.js';
import type { UpdateStorage } from './storage.js';

/** How to run the server; {@link readConfig} reads most of it from the environment. */
export interface ServerOptions {
  host: string;
  /** 0 picks a free port; the running server reports the one it got. */
  port: number;
  storage: UpdateStorage;
  /** Checks the token that every connection presents. */
  verifier: TokenVerifier;
  logger?: Logger | undefined;
  /**
   * The page origins that may connect; any when undefined. A connection without an `Origin`
   * header comes from a script, not a browser, and is let through: its token is what counts.
   */
  allowedOrigins?: readonly string[] | undefined;
  /** The largest message a client may send; a larger one closes with 4413. Default 2 MiB. */
  maxMessageBytes?: number | undefined;
  /** Messages a connection may send; more close it with 4529. Default 200/s, burst 1000. */
  rateLimit?: RateLimit | undefined;
  /**
   * Development mode: `GET /dev/token` signs a 15-minute token with this secret for anyone who
   * asks. Leave it unset in production, where the endpoint then does not exist.
   */
  devSecret?: string | undefined;
  /** How long a room with no connection stays in memory, in milliseconds. Default 30 s. */
  roomIdleMs?: number | undefined;
  /** How often connections are pinged; one that missed the last ping is closed. Default 30 s. */
  pingIntervalMs?: number | undefined;
  /** What the server counts for `GET /metrics`; a registry of its own by default. */
  metrics?: ServerMetrics | undefined;
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

/** Refused updates a read-only connection may send before it is closed with 4403. */
const MAX_REFUSED_UPDATES = 10;

/** How long a token from `GET /dev/token` is valid: 15 minutes, as the issue recommends. */
const DEV_TOKEN_SECONDS = 900;

/** The longest delay `setTimeout` keeps; a token lives a day at most, well below it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A connection that may open its room, or the code and reason it is closed with. */
type Admission =
  | { readonly room: string; readonly claims: TokenClaims; readonly access: Access }
  | { readonly code: CloseCode; readonly reason: string; readonly fields: Record<string, unknown> };

/**
 * ws closes a message over `maxPayload` with 1009, which y-websocket clients take as transient:
 * they reconnect and send the same message again, forever. This socket says 4413 instead, which
 * they take as final.
 */
class KuraSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (code === 1009) super.close(CloseCode.tooLarge, 'message too large');
    else super.close(code, data);
  }
}

/**
 * Starts the sync server: the y-websocket protocol on `ws://host:port/<workspace>/<document>`
 * for connections with a token that opens the room, `GET /healthz` on the same port, and
 * `GET /dev/token` in development mode.
 *
 * @param options - Where to listen, where to store, how to check tokens, and the limits.
 * @returns The running server, once it listens.
 * @throws The listen error, such as `EADDRINUSE` when the port is taken.
 */
export async function startServer(options: ServerOptions): Promise<SyncServer> {
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? new ServerMetrics();
  const rooms = new Rooms(options.storage, logger, options.roomIdleMs ?? 30_000, metrics);
  const limits: ConnectionLimits = {
    rate: options.rateLimit ?? { perSecond: 200, burst: 1000 },
  };
  const http = createServer((request, response) => {
    answerHttp(request, response, options, metrics).catch((error: unknown) => {
      logger.log('error', 'http-failed', { message: String(error) });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? 2 * 1024 * 1024,
    WebSocket: KuraSocket,
    handleProtocols: chooseProtocol,
  });
  let closing = false;

  // The token is checked before the upgrade completes, so no message arrives before it is known
  // what the connection may do; a refusal still completes the upgrade, so that the client reads
  // the close code (a browser cannot see the HTTP status of a failed upgrade).
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ignore = () => {};
    socket.on('error', ignore);
    admit(request, options)
      .then((admission) => {
        socket.off('error', ignore);
        if (socket.destroyed) return;
        if (closing) {
          socket.destroy();
          return;
        }
        wss.handleUpgrade(request, socket, head, (connection) => {
          if ('code' in admission) {
            logger.log('warn', 'connection-refused', { code: admission.code, ...admission.fields });
            metrics.refused.inc({ reason: String(admission.code) });
            connection.close(admission.code, admission.reason);
            return;
          }
          serveConnection(connection, admission, rooms, logger, limits, {
            acks: asksForAcks(request),
            metrics,
          });
          wss.emit('connection', connection, request);
        });
      })
      .catch((error: unknown) => {
        logger.log('error', 'upgrade-failed', { message: String(error) });
        socket.destroy();
      });
  });

  const alive = new WeakMap<WebSocket, boolean>();
  const pingTimer = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) socket.close(CloseCode.idleTimeout, 'no answer to ping');
      alive.set(socket, false);
      socket.ping();
    }
  }, options.pingIntervalMs ?? 30_000);
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
  logger.log('info', 'listening', { host, port, dev: options.devSecret !== undefined });

  return {
    host,
    port,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async close() {
      closing = true;
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

/**
 * Answers the subprotocols a client offered. A browser fails the handshake unless the server
 * picks one of those it offered, so the token entry is echoed when there is one.
 */
/**
 * Whether the client offered {@link ACK_PROTOCOL}: the server echoes only one subprotocol, the
 * token's when there is one, so the offer itself is what counts.
 */
function asksForAcks(request: IncomingMessage): boolean {
  const offered = request.headers['sec-websocket-protocol'] ?? '';
  return offered.split(',').some((protocol) => protocol.trim() === ACK_PROTOCOL);
}

function chooseProtocol(protocols: Set<string>): string | false {
  for (const protocol of protocols) {
    if (protocol.startsWith(TOKEN_PROTOCOL_PREFIX)) return protocol;
  }
  return protocols.has(ACK_PROTOCOL) ? ACK_PROTOCOL : false;
}

/**
 * Decides whether a connection may open its room: origin, room name, token, then the
 * workspace and the document in the token.
 */
async function admit(request: IncomingMessage, options: ServerOptions): Promise<Admission> {
  const origin = request.headers.origin;
  if (origin !== undefined && options.allowedOrigins?.includes(origin) === false) {
    return refuse(CloseCode.forbidden, 'origin not allowed', { reason: 'origin', origin });
  }

  const room = roomNameOf(request);
  if (room === undefined) {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    return refuse(CloseCode.malformed, 'room name must be <workspace>/<document>', {
      reason: 'room-name',
      path,
    });
  }

  let claims: TokenClaims;
  try {
    claims = await options.verifier.verify(tokenOf(request));
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    return refuse(CloseCode.unauthorized, error.code, { reason: error.code, room });
  }

  const [workspace = '', document = ''] = room.split('/');
  const access = claims.ws === workspace ? accessTo(claims, document) : undefined;
  if (access === undefined) {
    const reason = claims.ws === workspace ? 'document not allowed' : 'workspace not allowed';
    return refuse(CloseCode.forbidden, reason, { reason, room, sub: claims.sub });
  }

  return { room, claims, access };
}

function refuse(code: CloseCode, reason: string, fields: Record<string, unknown>): Admission {
  return { code, reason, fields };
}

/** The rooms in memory, loaded on first connection and unloaded when idle. */
class Rooms {
  readonly #rooms = new Map<string, Room>();
  readonly #unloadTimers = new Map<string, NodeJS.Timeout>();
  readonly #storage: UpdateStorage;
  readonly #metrics: ServerMetrics;
  readonly #logger: Logger;
  readonly #idleMs: number;

  constructor(storage: UpdateStorage, logger: Logger, idleMs: number, metrics: ServerMetrics) {
    this.#storage = storage;
    this.#metrics = metrics;
    this.#logger = logger;
    this.#idleMs = idleMs;
  }

  open(name: string): Room {
    clearTimeout(this.#unloadTimers.get(name));
    this.#unloadTimers.delete(name);

    let room = this.#rooms.get(name);
    if (room === undefined) {
      room = new Room(name, this.#storage, this.#logger, this.#metrics);
      this.#rooms.set(name, room);
      this.#metrics.rooms.set(this.#rooms.size);
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
      this.#metrics.rooms.set(this.#rooms.size);
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
    this.#metrics.rooms.set(0);
  }
}

/** What every connection is held to. */
interface ConnectionLimits {
  readonly rate: RateLimit;
}

function serveConnection(
  socket: WebSocket,
  admitted: Extract<Admission, { room: string }>,
  rooms: Rooms,
  logger: Logger,
  limits: ConnectionLimits,
  { acks, metrics }: { acks: boolean; metrics: ServerMetrics },
): void {
  const room = rooms.open(admitted.room);
  metrics.connections.inc();
  const { sub } = admitted.claims;
  const rate = new RateLimiter(limits.rate);
  const close = (code: CloseCode, reason: string, event: string) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    logger.log('warn', event, { room: room.name, sub, code });
    metrics.refused.inc({ reason: event });
    socket.close(code, reason);
  };

  let refusedUpdates = 0;
  const peer: Peer = {
    access: admitted.access,
    acks,
    send(message) {
      if (socket.readyState === WebSocket.OPEN) socket.send(message);
    },
    updateRefused() {
      refusedUpdates++;
      if (refusedUpdates === 1) {
        peer.send(permissionDeniedMessage(`${room.name} is read-only for this token`));
      } else if (refusedUpdates > MAX_REFUSED_UPDATES) {
        close(CloseCode.forbidden, 'read-only: writes refused', 'read-only-writes');
      }
    },
  };

  // A token opens a room until it expires, not for as long as the connection lasts.
  const expiry = setTimeout(
    () => close(CloseCode.unauthorized, 'token-expired', 'token-expired'),
    Math.min(admitted.claims.exp * 1000 - Date.now(), MAX_TIMER_MS),
  );
  expiry.unref();

  socket.binaryType = 'nodebuffer';
  socket.on('message', (data, isBinary) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (!rate.take()) {
      close(CloseCode.tooManyMessages, 'too many messages', 'rate-limited');
      return;
    }
    if (!isBinary || !Buffer.isBuffer(data)) {
      close(CloseCode.malformed, 'expected a binary frame', 'message-malformed');
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
    metrics.connections.dec();
    clearTimeout(expiry);
    room.leave(peer);
    rooms.release(room);
  });
  socket.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      logger.log('warn', 'message-too-large', { room: room.name, sub, code: CloseCode.tooLarge });
    } else {
      logger.log('warn', 'socket-error', { room: room.name, message: error.message });
    }
  });

  logger.log('debug', 'connection-opened', { room: room.name, sub, access: admitted.access });
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

async function answerHttp(
  request: IncomingMessage,
  response: ServerResponse,
  options: ServerOptions,
  metrics: ServerMetrics,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method === 'GET' && url.pathname === '/healthz') {
    const healthy = options.storage.healthy();
    response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: healthy ? 'ok' : 'storage-unavailable' }));
    return;
  }
  if (request.method === 'GET' && url.pathname === '/metrics') {
    response.writeHead(200, { 'content-type': metrics.registry.contentType });
    response.end(await metrics.text());
    return;
  }
  if (request.method === 'GET' && url.pathname === '/dev/token' && options.devSecret) {
    await answerDevToken(request, response, url.searchParams, options.devSecret, options);
    return;
  }
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end('not found\n');
}

/**
 * `GET /dev/token?ws=W&sub=NAME&acl=crm=write,stock=read&name=N`: a 15-minute token for
 * anyone who asks, so that the demo runs without an identity service. The acl defaults to
 * `*=write`. Pages on other origins (the demo has its own port) may read the answer.
 */
async function answerDevToken(
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams,
  secret: string,
  options: ServerOptions,
): Promise<void> {
  const origin = request.headers.origin;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    vary: 'Origin',
  };
  if (options.allowedOrigins === undefined) headers['access-control-allow-origin'] = '*';
  else if (origin !== undefined && options.allowedOrigins.includes(origin)) {
    headers['access-control-allow-origin'] = origin;
  }

  try {
    const grant = {
      sub: query.get('sub') ?? '',
      name: query.get('name') || undefined,
      ws: query.get('ws') ?? '',
      acl: parseAcl(query.get('acl') || '*=write'),
    };
    const token = await signToken(grant, secret, { seconds: DEV_TOKEN_SECONDS });
    response.writeHead(200, headers);
    response.end(JSON.stringify({ token }));
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    response.writeHead(400, headers);
    response.end(JSON.stringify({ error: error.message }));
  }
}
