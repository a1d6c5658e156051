import * as idb from 'lib0/indexeddb';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/**
 * Where a workspace stands with its sync server:
 * - `offline`: no server, or the connection is down or switched off;
 * - `connecting`: a connection is being made, or made but not yet in sync;
 * - `synced`: every open document has exchanged its state with the server.
 */
export type SyncStatus = 'offline' | 'connecting' | 'synced';

/** How the documents of a workspace are kept and synced. */
export interface DocumentSetOptions {
  workspace: string;
  server?: string | undefined;
  token?: string | undefined;
  persist: boolean;
  WebSocketPolyfill?: typeof WebSocket | undefined;
  disableBc?: boolean | undefined;
}

interface Replica {
  readonly doc: Y.Doc;
  readonly loaded: Promise<void>;
  /** Settles with the document's copy in IndexedDB once it is opened, if it is kept there. */
  readonly persistence: Promise<IndexeddbPersistence | undefined>;
  readonly provider: WebsocketProvider | undefined;
}

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
  #status: SyncStatus = 'offline';
  #online = true;

  constructor(options: DocumentSetOptions) {
    this.#options = options;
  }

  /** Where the open documents stand with the server. */
  get status(): SyncStatus {
    return this.#status;
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
    const provider = options.server === undefined ? undefined : this.#connect(name, doc);
    const loaded = persistence.then(async (stored) => {
      await stored?.whenSynced;
    });
    const replica: Replica = { doc, loaded, persistence, provider };
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

  /** Connects every document again. */
  connect(): void {
    this.#online = true;
    for (const { provider } of this.#replicas.values()) provider?.connect();
    this.#updateStatus();
  }

  /** Closes connections and IndexedDB after the pending writes are stored. */
  async destroy(): Promise<void> {
    const replicas = [...this.#replicas.values()];
    for (const { provider } of replicas) provider?.destroy();
    await Promise.all(replicas.map(async (replica) => (await replica.persistence)?.destroy()));
    for (const { doc } of replicas) doc.destroy();
    this.#replicas.clear();
    this.#statusListeners.clear();
  }

  #connect(name: string, doc: Y.Doc): WebsocketProvider {
    const options = this.#options;
    const provider = new WebsocketProvider(
      options.server ?? '',
      `${options.workspace}/${name}`,
      doc,
      {
        connect: this.#online,
        params: options.token === undefined ? {} : { token: options.token },
        ...(options.WebSocketPolyfill && { WebSocketPolyfill: options.WebSocketPolyfill }),
        disableBc: options.disableBc ?? false,
      },
    );
    provider.on('status', () => this.#updateStatus());
    provider.on('sync', () => this.#updateStatus());

    return provider;
  }

  #updateStatus(): void {
    const providers = [...this.#replicas.values()].flatMap(({ provider }) => provider ?? []);
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
