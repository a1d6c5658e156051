import * as idb from 'lib0/indexeddb';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

import { ACK_MESSAGE, ACK_PROTOCOL, PendingChanges, readAck } from './acks.js';

/**
 * Where a workspace stands with its sync server:
 * - `offline`: no server, or the connection is down or switched off;
 * - `connecting`: a connection is being made, or made but not yet in sync;
 * - `synced`: every open document has exchanged its state with the server.
 */
export type SyncStatus = 'offline' | 'connecting' | 'synced';

/**
 * Why the server stopped syncing a document for good: the code it closed the connection with
 * (4401 token refused, 4403 not allowed, 4400 malformed, 4413 message too large) and its
 * reason. A token provider that fails is reported as 4401 too.
 */
export interface SyncRefusal {
  /** The document's name within the workspace, such as `crm`. */
  readonly document: string;
  readonly code: number;
  readonly reason: string;
}

/** How the documents of a workspace are kept and synced. */
export interface DocumentSetOptions {
  workspace: string;
  server?: string | undefined;
  /** The token every connection presents; with a `tokenProvider`, the first one. */
  token?: string | undefined;
  /** Gives a new token: before the current one expires, and once after the server refuses it. */
  tokenProvider?: (() => Promise<string>) | undefined;
  /** Told when the server refuses a document for good; see {@link SyncRefusal}. */
  onRefused?: ((refusal: SyncRefusal) => void) | undefined;
  persist: boolean;
  WebSocketPolyfill?: typeof WebSocket | undefined;
  disableBc?: boolean | undefined;
}

interface Replica {
  readonly doc: Y.Doc;
  /** The local changes the server has not said it stored; absent without a server. */
  readonly pending: PendingChanges | undefined;
  readonly loaded: Promise<void>;
  /** Settles with the document's copy in IndexedDB once it is opened, if it is kept there. */
  readonly persistence: Promise<IndexeddbPersistence | undefined>;
  readonly provider: WebsocketProvider | undefined;
  readonly connection: Connection;
}

/** What a document's connection went through, for the decision after a refusal. */
interface Connection {
  /** The token the last connection presented. */
  sentToken: string | undefined;
  /** The server refused the document for good; it stays offline until a `connect()`. */
  refused: boolean;
}

/** The server sees the token in the WebSocket subprotocol list, which keeps it out of URLs. */
const TOKEN_PROTOCOL_PREFIX = 'kura-token.';

/** How long before a token expires a new one is asked for. */
const RENEW_BEFORE_MS = 60_000;

/** How long to wait before asking again when the token provider failed. */
const RENEW_RETRY_MS = 10_000;

/** The close code of a missing, invalid or expired token. */
const UNAUTHORIZED = 4401;

/** How to open a document. */
export interface OpenSettings {
  /**
   * `false` keeps the content of deleted and replaced values, which Yjs otherwise drops; it
   * applies when the document is first opened.
   */
  readonly gc?: boolean | undefined;
  /**
   * Read IndexedDB only once this settles, so that a large document does not hold up smaller
   * reads that a first screen needs; the document syncs with the server meanwhile.
   */
  readonly readAfter?: Promise<unknown> | undefined;
}

/**
 * The Yjs documents of one workspace, each kept in IndexedDB and synced as the room
 * `<workspace>/<name>`. Documents open on first use, so a start loads only those it needs.
 */
export class DocumentSet {
  readonly #options: DocumentSetOptions;
  readonly #replicas = new Map<string, Replica>();
  readonly #statusListeners = new Set<(status: SyncStatus) => void>();
  readonly #unsavedListeners = new Set<(unsaved: number) => void>();
  readonly #credentials: Credentials;
  #status: SyncStatus = 'offline';
  #online = true;
  /** A new token was asked for after a 4401 since a document last synced: ask only once. */
  #renewedAfterRefusal = false;

  constructor(options: DocumentSetOptions) {
    this.#options = options;
    this.#credentials = new Credentials(options.token, options.tokenProvider, (token) =>
      this.#useToken(token),
    );
  }

  /** Where the open documents stand with the server. */
  get status(): SyncStatus {
    return this.#status;
  }

  /**
   * The local changes the server has not said it stored yet, over every open document. They are
   * kept in IndexedDB meanwhile; the count is what a person needs before closing the page.
   */
  get unsaved(): number {
    let count = 0;
    for (const { pending } of this.#replicas.values()) count += pending?.count ?? 0;
    return count;
  }

  /**
   * Calls `listener` with the number of unsaved changes each time it changes.
   *
   * @returns A function that stops the calls.
   */
  onUnsaved(listener: (unsaved: number) => void): () => void {
    this.#unsavedListeners.add(listener);
    return () => this.#unsavedListeners.delete(listener);
  }

  /** The names of the documents opened so far. */
  get names(): string[] {
    return [...this.#replicas.keys()];
  }

  /**
   * Opens a document, or returns it when it is open already.
   *
   * @param name - The document's name within the workspace, such as `catalog`.
   * @param settings - How to open it, when it is not open yet.
   * @returns The document; its `loaded` promise settles when IndexedDB has been read.
   */
  open(name: string, settings: OpenSettings = {}): { doc: Y.Doc; loaded: Promise<void> } {
    const open = this.#replicas.get(name);
    if (open !== undefined) return open;

    const options = this.#options;
    const doc = new Y.Doc({ guid: `${options.workspace}/${name}`, gc: settings.gc ?? true });
    const persist = () => new IndexeddbPersistence(`kura/${doc.guid}`, doc);
    let persistence: Promise<IndexeddbPersistence | undefined> = Promise.resolve(undefined);
    if (options.persist) {
      persistence = settings.readAfter
        ? settings.readAfter.then(() => (doc.isDestroyed ? undefined : persist()))
        : Promise.resolve(persist());
    }
    const connection: Connection = { sentToken: undefined, refused: false };
    const provider =
      options.server === undefined ? undefined : this.#connect(name, doc, connection);
    const pending = provider && this.#follow(doc, provider);
    const loaded = persistence.then(async (stored) => {
      await stored?.whenSynced;
    });
    const replica: Replica = { doc, loaded, persistence, provider, connection, pending };
    this.#replicas.set(name, replica);
    this.#updateStatus();

    return replica;
  }

  /**
   * Waits until every change made so far to the open documents is stored in IndexedDB, so that
   * what is derived from them is never persisted ahead of them.
   */
  async stored(): Promise<void> {
    await Promise.all(
      [...this.#replicas.values()].map(async (replica) => {
        const persistence = await replica.persistence;
        if (persistence === undefined) return;
        // A read waits for the writes queued before it on the same store.
        const db = await persistence._db;
        const [updates] = idb.transact(db, ['updates'], 'readonly');
        await idb.count(updates as IDBObjectStore);
      }),
    );
  }

  /**
   * Calls `listener` with the new status each time it changes.
   *
   * @returns A function that stops the calls.
   */
  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.#statusListeners.add(listener);

    return () => this.#statusListeners.delete(listener);
  }

  /** Cuts every connection; documents opened meanwhile stay offline until {@link connect}. */
  disconnect(): void {
    this.#online = false;
    for (const { provider } of this.#replicas.values()) provider?.disconnect();
    this.#updateStatus();
  }

  /** Connects every document again, those that the server refused too. */
  connect(): void {
    this.#online = true;
    this.#renewedAfterRefusal = false;
    for (const [name, { provider, connection }] of this.#replicas) {
      connection.refused = false;
      if (provider !== undefined) this.#start(name, provider, connection);
    }
    this.#updateStatus();
  }

  /** Closes connections and IndexedDB after the pending writes are stored. */
  async destroy(): Promise<void> {
    this.#credentials.stop();
    const replicas = [...this.#replicas.values()];
    for (const { provider } of replicas) provider?.destroy();
    await Promise.all(replicas.map(async (replica) => (await replica.persistence)?.destroy()));
    for (const { doc, pending } of replicas) {
      pending?.destroy();
      doc.destroy();
    }
    this.#replicas.clear();
    this.#unsavedListeners.clear();
    this.#statusListeners.clear();
  }

  /** Counts the document's local changes until the server acknowledges them. */
  #follow(doc: Y.Doc, provider: WebsocketProvider): PendingChanges {
    const pending = new PendingChanges(doc, (origin) => origin === provider);
    provider.messageHandlers[ACK_MESSAGE] = (_encoder, decoder) => {
      pending.acknowledge(readAck(decoder));
    };
    pending.subscribe(() => {
      const unsaved = this.unsaved;
      for (const listener of this.#unsavedListeners) listener(unsaved);
    });
    return pending;
  }

  #connect(name: string, doc: Y.Doc, connection: Connection): WebsocketProvider {
    const options = this.#options;
    const provider = new WebsocketProvider(
      options.server ?? '',
      `${options.workspace}/${name}`,
      doc,
      {
        connect: false,
        protocols: tokenProtocols(this.#credentials.token),
        ...(options.WebSocketPolyfill && { WebSocketPolyfill: options.WebSocketPolyfill }),
        disableBc: options.disableBc ?? false,
      },
    );
    provider.on('status', ({ status }) => {
      if (status === 'connecting') connection.sentToken = this.#credentials.token;
      this.#updateStatus();
    });
    provider.on('sync', (synced) => {
      if (synced) this.#renewedAfterRefusal = false;
      this.#updateStatus();
    });
    provider.on('closed', ({ code, reason }) =>
      this.#onClosed(name, provider, connection, code, reason),
    );
    if (this.#online) this.#start(name, provider, connection);

    return provider;
  }

  /** Connects, once there is a token when a token provider is to give one. */
  #start(name: string, provider: WebsocketProvider, connection: Connection): void {
    if (this.#credentials.token !== undefined || !this.#credentials.renewable) {
      provider.connect();
      return;
    }
    this.#credentials.renew().catch((error: unknown) => {
      this.#refuse(name, connection, UNAUTHORIZED, `token provider failed: ${messageOf(error)}`);
    });
  }

  /**
   * Handles a close after which the provider stops. After a 4401 a newer token is tried at once;
   * otherwise a new one is asked for, once for all documents until one syncs again, and the
   * documents refused meanwhile wait for it. Any other such close is final.
   */
  #onClosed(
    name: string,
    provider: WebsocketProvider,
    connection: Connection,
    code: number,
    reason: string,
  ): void {
    const credentials = this.#credentials;
    if (code === UNAUTHORIZED && credentials.token !== connection.sentToken) {
      if (this.#online) provider.connect();
      return;
    }
    if (
      code === UNAUTHORIZED &&
      credentials.renewable &&
      (credentials.renewing || !this.#renewedAfterRefusal)
    ) {
      this.#renewedAfterRefusal = true;
      // The new token reaches every provider through #useToken, which reconnects this one.
      credentials.renew().catch((error: unknown) => {
        this.#refuse(name, connection, code, `token provider failed: ${messageOf(error)}`);
      });
      return;
    }
    this.#refuse(name, connection, code, reason);
  }

  #refuse(name: string, connection: Connection, code: number, reason: string): void {
    if (connection.refused) return;

    connection.refused = true;
    this.#updateStatus();
    this.#options.onRefused?.({ document: name, code, reason });
  }

  /** Hands a new token to every provider; those waiting for one connect with it. */
  #useToken(token: string): void {
    for (const { provider, connection } of this.#replicas.values()) {
      if (provider === undefined) continue;
      provider.protocols = tokenProtocols(token);
      if (this.#online && !connection.refused && provider.ws === null) provider.connect();
    }
  }

  #updateStatus(): void {
    // A refused document will not sync until connect(); the others may still.
    const providers = [...this.#replicas.values()].flatMap(({ provider, connection }) =>
      provider === undefined || connection.refused ? [] : [provider],
    );
    let status: SyncStatus = 'offline';
    if (providers.length > 0 && this.#online) {
      status = providers.every((provider) => provider.wsconnected && provider.synced)
        ? 'synced'
        : 'connecting';
    }
    if (status === this.#status) return;

    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}

/**
 * The token a workspace connects with. With a provider it asks for a new one a minute before the
 * current one expires (read from the token's `exp`), and on demand after a refusal; calls that
 * overlap share one request, so three documents refused at once cost one new token.
 */
class Credentials {
  readonly #provider: (() => Promise<string>) | undefined;
  readonly #onToken: (token: string) => void;
  #token: string | undefined;
  #pending: Promise<string> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(
    token: string | undefined,
    provider: (() => Promise<string>) | undefined,
    onToken: (token: string) => void,
  ) {
    this.#token = token;
    this.#provider = provider;
    this.#onToken = onToken;
    if (token !== undefined) this.#schedule(token);
  }

  get token(): string | undefined {
    return this.#token;
  }

  /** `true` when a provider can give new tokens. */
  get renewable(): boolean {
    return this.#provider !== undefined;
  }

  /** `true` while the provider is asked for a token. */
  get renewing(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Asks the provider for a new token and hands it on.
   *
   * @returns The new token.
   * @throws What the provider threw, or a `TypeError` without a provider.
   */
  renew(): Promise<string> {
    const provider = this.#provider;
    if (provider === undefined) return Promise.reject(new TypeError('no token provider'));
    if (this.#pending !== undefined) return this.#pending;

    clearTimeout(this.#timer);
    // A provider that throws instead of rejecting is reported the same way.
    this.#pending = Promise.resolve()
      .then(provider)
      .then((token) => {
        if (typeof token !== 'string' || token === '') {
          throw new TypeError('the token provider gave no token');
        }
        if (this.#stopped) return token;
        this.#token = token;
        this.#schedule(token);
        this.#onToken(token);
        return token;
      })
      .finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(token: string): void {
    const expires = expiryOf(token);
    if (this.#provider === undefined || expires === undefined) return;

    const left = expires - Date.now();
    // A token shorter-lived than two minutes is renewed halfway through instead.
    if (left > 0) this.#renewIn(Math.max(left - RENEW_BEFORE_MS, left / 2, 1000), expires);
  }

  /**
   * A failed renewal is tried again while the current token holds; once it has expired, the
   * server's 4401 asks once more and then reports the failure.
   */
  #renewIn(delay: number, expires: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      this.renew().catch(() => {
        if (!this.#stopped && expires - Date.now() > RENEW_RETRY_MS) {
          this.#renewIn(RENEW_RETRY_MS, expires);
        }
      });
    }, delay);
  }
}

/** The subprotocols offered: acknowledgements, and the token when there is one. */
function tokenProtocols(token: string | undefined): string[] {
  return token === undefined ? [ACK_PROTOCOL] : [ACK_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];
}

/** @returns When a JWT expires, in milliseconds, or `undefined` when it does not say. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = (token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(payload), (char) => char.charCodeAt(0));
    const { exp } = JSON.parse(new TextDecoder().decode(bytes)) as { exp?: unknown };
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
