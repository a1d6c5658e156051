import { validateProductDraft, type ProductDraft, type ProductFields } from '@kura/domain';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

import { StoreError } from './errors.js';
import { randomId } from './ids.js';
import { Origin } from './origins.js';

/** The documents of a workspace; each is a room `<workspace>/<document>` on the server. */
export const DOCUMENT_NAMES = ['catalog', 'stock', 'crm'] as const;

/** One of the documents of a workspace. */
export type DocumentName = (typeof DOCUMENT_NAMES)[number];

/**
 * Where a workspace stands with its sync server:
 * - `offline`: no server, or the connection is down or switched off;
 * - `connecting`: a connection is being made, or made but not yet in sync;
 * - `synced`: every document has exchanged its state with the server.
 */
export type SyncStatus = 'offline' | 'connecting' | 'synced';

/** A product as the store hands it out: plain, frozen data. */
export interface Product extends ProductFields {
  readonly id: string;
}

/** How to open a workspace. */
export interface WorkspaceOptions {
  /** The workspace id: letters, digits, `-` and `_`, at most 64 characters. */
  workspace: string;
  /** The sync server's WebSocket URL (`ws://` or `wss://`); without it the workspace stays local. */
  server?: string | undefined;
  /** The token that the server asks for, sent with every connection. */
  token?: string | undefined;
  /** Keep the documents in IndexedDB. Defaults to `true` where IndexedDB exists. */
  persist?: boolean | undefined;
  /** A WebSocket class for runtimes without a global one (Node: the `ws` package). */
  WebSocketPolyfill?: typeof WebSocket | undefined;
  /** Stop documents of the same room in other tabs of this browser from syncing directly. */
  disableBc?: boolean | undefined;
}

/** Codes of the errors that {@link openWorkspace} throws. */
export type WorkspaceErrorCode = 'workspace-id-invalid' | 'server-url-invalid';

const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * An open workspace: its Yjs documents kept in IndexedDB and synced through the server, and the
 * commands and subscriptions that elements use. Elements never touch the Yjs documents.
 */
export class Workspace {
  /** The workspace id, as given when it was opened. */
  readonly id: string;

  /** Settles when every document has been read back from IndexedDB (at once without it). */
  readonly loaded: Promise<void>;

  readonly #docs: Record<DocumentName, Y.Doc>;
  readonly #persistence: IndexeddbPersistence[] = [];
  readonly #providers: WebsocketProvider[] = [];
  readonly #statusListeners = new Set<(status: SyncStatus) => void>();
  readonly #productListeners = new Set<(products: readonly Product[]) => void>();
  readonly #products = new Map<string, Product>();
  #productList: readonly Product[] | undefined;
  #status: SyncStatus = 'offline';

  /** @internal Use {@link openWorkspace}. */
  constructor(options: WorkspaceOptions) {
    this.id = options.workspace;
    this.#docs = {
      catalog: new Y.Doc({ guid: `${this.id}/catalog` }),
      stock: new Y.Doc({ guid: `${this.id}/stock` }),
      crm: new Y.Doc({ guid: `${this.id}/crm` }),
    };

    const persist = options.persist ?? typeof indexedDB !== 'undefined';
    for (const name of DOCUMENT_NAMES) {
      const doc = this.#docs[name];
      if (persist) this.#persistence.push(new IndexeddbPersistence(`kura/${doc.guid}`, doc));
      if (options.server !== undefined) this.#providers.push(this.#connect(options, name));
    }
    this.loaded = Promise.all(this.#persistence.map((store) => store.whenSynced)).then(() => {});

    this.#productsMap.observeDeep((events) => this.#onProductEvents(events));
    this.#updateStatus();
  }

  /** Where the workspace stands with its sync server. */
  get status(): SyncStatus {
    return this.#status;
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

  /** Cuts the connection to the server; edits go on locally and sync on {@link connect}. */
  disconnect(): void {
    for (const provider of this.#providers) provider.disconnect();
    this.#updateStatus();
  }

  /** Connects to the server again after {@link disconnect}. */
  connect(): void {
    for (const provider of this.#providers) provider.connect();
    this.#updateStatus();
  }

  /**
   * Records a new product in the catalog.
   *
   * @param draft - The product's fields as typed.
   * @returns The stored product.
   * @throws {DomainError} The codes of `validateProductDraft`; nothing is written then.
   */
  createProduct(draft: ProductDraft): Product {
    const fields = validateProductDraft(draft);
    const id = randomId();

    this.#docs.catalog.transact(() => {
      const record = new Y.Map<unknown>(Object.entries(fields));
      this.#productsMap.set(id, record);
    }, Origin.command);

    return this.#products.get(id) ?? Object.freeze({ id, ...fields });
  }

  /** @returns Every product of the catalog, ordered by name. */
  products(): readonly Product[] {
    this.#productList ??= Object.freeze(
      [...this.#products.values()].sort((a, b) => a.name.localeCompare(b.name) || cmp(a.id, b.id)),
    );

    return this.#productList;
  }

  /**
   * Calls `listener` with every product, now and after each change, local or remote.
   *
   * @returns A function that stops the calls.
   */
  subscribeProducts(listener: (products: readonly Product[]) => void): () => void {
    this.#productListeners.add(listener);
    listener(this.products());

    return () => this.#productListeners.delete(listener);
  }

  /**
   * The Yjs document behind a name, for tools and tests that inspect the raw data. Elements use
   * the commands and subscriptions instead.
   */
  document(name: DocumentName): Y.Doc {
    return this.#docs[name];
  }

  /** Closes the connections and IndexedDB, after the pending writes are stored. */
  async destroy(): Promise<void> {
    for (const provider of this.#providers) provider.destroy();
    await Promise.all(this.#persistence.map((store) => store.destroy()));
    for (const doc of Object.values(this.#docs)) doc.destroy();
    this.#statusListeners.clear();
    this.#productListeners.clear();
  }

  get #productsMap(): Y.Map<Y.Map<unknown>> {
    return this.#docs.catalog.getMap('products');
  }

  #connect(options: WorkspaceOptions, name: DocumentName): WebsocketProvider {
    const provider = new WebsocketProvider(
      options.server ?? '',
      `${this.id}/${name}`,
      this.#docs[name],
      {
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
    const providers = this.#providers;
    let status: SyncStatus = 'offline';
    if (providers.length > 0 && providers.every((provider) => provider.shouldConnect)) {
      status = providers.every((provider) => provider.wsconnected && provider.synced)
        ? 'synced'
        : 'connecting';
    }
    if (status === this.#status) return;

    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }

  #onProductEvents(events: Y.YEvent<Y.AbstractType<unknown>>[]): void {
    const changed = new Set<string>();
    for (const event of events) {
      if (event.target === this.#productsMap && event instanceof Y.YMapEvent) {
        for (const key of event.keysChanged) changed.add(key);
      } else if (event.target instanceof Y.Map && event.target.parent === this.#productsMap) {
        const key = event.path[0];
        if (typeof key === 'string') changed.add(key);
      }
    }

    for (const id of changed) {
      const record = this.#productsMap.get(id);
      if (record === undefined) this.#products.delete(id);
      else this.#products.set(id, readProduct(id, record));
    }
    this.#productList = undefined;

    const products = this.products();
    for (const listener of this.#productListeners) listener(products);
  }
}

function readProduct(id: string, record: Y.Map<unknown>): Product {
  const fields = record.toJSON() as ProductFields;

  return Object.freeze({ ...fields, id });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Opens a workspace: its documents, their copy in IndexedDB and their connection to the server.
 *
 * @param options - The workspace id and where to sync it.
 * @returns The open workspace; await its `loaded` promise before reading local data.
 * @throws {StoreError} `workspace-id-invalid` or `server-url-invalid`.
 *
 * @example
 * ```ts
 * const workspace = openWorkspace({ workspace: 'acme', server: 'wss://sync.example/kura' });
 * await workspace.loaded;
 * workspace.createProduct({ name: 'Arabica coffee beans 1 kg', barcode: '09506000134352' });
 * ```
 */
export function openWorkspace(options: WorkspaceOptions): Workspace {
  if (!WORKSPACE_ID.test(options.workspace)) {
    throw new StoreError<WorkspaceErrorCode>(
      'workspace-id-invalid',
      `"${options.workspace}" is not a workspace id: use 1 to 64 letters, digits, "-" or "_"`,
    );
  }
  if (options.server !== undefined && !/^wss?:\/\/[^/\s]+/.test(options.server)) {
    throw new StoreError<WorkspaceErrorCode>(
      'server-url-invalid',
      `"${options.server}" is not a sync server address: it starts with ws:// or wss://`,
    );
  }

  return new Workspace(options);
}
