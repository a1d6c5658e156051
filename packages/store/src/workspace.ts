import type * as Y from 'yjs';

import { Catalog } from './catalog.js';
import { Crm } from './crm.js';
import { DocumentSet, type SyncRefusal, type SyncStatus } from './documents.js';
import { StoreError } from './errors.js';
import { Operations } from './operations.js';
import { ProjectionDatabase } from './projections.js';
import { Replenishment, type SchedulerOptions } from './replenishment.js';
import { Stock } from './stock.js';

/** The documents every workspace opens at start; the ledger's period documents open later. */
export const DOCUMENT_NAMES = ['catalog', 'stock', 'crm'] as const;

/** One of the documents a workspace opens at start. */
export type DocumentName = (typeof DOCUMENT_NAMES)[number];

/** How to open a workspace. */
export interface WorkspaceOptions {
  /** The workspace id: letters, digits, `-` and `_`, at most 64 characters. */
  workspace: string;
  /** The sync server's address (`ws://` or `wss://`); without it the workspace stays local. */
  server?: string | undefined;
  /** The token that the server asks for, sent with every connection. */
  token?: string | undefined;
  /**
   * Gives a new token: at start when `token` is unset, a minute before the current one expires,
   * and once after the server refuses one (close code 4401) before that is reported.
   */
  tokenProvider?: (() => Promise<string>) | undefined;
  /**
   * Told when the server refuses a document for good (4401 token, 4403 not allowed, 4400,
   * 4413); the document then stays offline until {@link Workspace.connect}.
   */
  onRefused?: ((refusal: SyncRefusal) => void) | undefined;
  /** Who works in this replica; recorded with every fact it writes. */
  user?: string | undefined;
  /** Keep the documents in IndexedDB. Defaults to `true` where IndexedDB exists. */
  persist?: boolean | undefined;
  /** A WebSocket class for runtimes without a global one (Node: the `ws` package). */
  WebSocketPolyfill?: typeof WebSocket | undefined;
  /** Stop documents of the same room in other tabs of this browser from syncing directly. */
  disableBc?: boolean | undefined;
  /**
   * How the reorder scheduler runs the automatic rules; `false` leaves them to explicit runs.
   * It runs after each change of stock and every minute by default.
   */
  scheduler?: SchedulerOptions | false | undefined;
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

  /**
   * Settles when the documents opened at start, and the ledger's period documents they list,
   * have been read back from IndexedDB.
   */
  readonly loaded: Promise<void>;

  /** Products, units, locations and warehouses. */
  readonly catalog: Catalog;

  /** The ledger, open moves, lots, counts, quantities and conflicts. */
  readonly stock: Stock;

  /** Sale and purchase orders, pickings, manufacturing orders and the lot trace. */
  readonly operations: Operations;

  /** Reorder rules, what they propose and why products will not be replenished. */
  readonly replenishment: Replenishment;

  /** Pipelines, opportunities, their stage history and the KPIs. */
  readonly crm: Crm;

  readonly #documents: DocumentSet;
  readonly #projections: ProjectionDatabase | undefined;
  readonly #stopScheduler: (() => void) | undefined;

  /** @internal Use {@link openWorkspace}. */
  constructor(options: WorkspaceOptions) {
    this.id = options.workspace;
    const persist = options.persist ?? typeof indexedDB !== 'undefined';
    this.#documents = new DocumentSet({ ...options, persist });
    this.#projections = persist ? new ProjectionDatabase(options.workspace) : undefined;

    // The stock document and the persisted projections are read first: a first screen can then
    // show quantities before the catalog, the larger document, is decoded.
    const stock = this.#documents.open('stock');
    const readAfter = Promise.all([stock.loaded, this.#projections?.savedLedgerVectors()])
      .catch(() => {})
      .then(() => new Promise((resolve) => setTimeout(resolve, 0)));
    const opened = DOCUMENT_NAMES.map((name) =>
      this.#documents.open(name, this.#projections && { readAfter }),
    );
    const documentsLoaded = Promise.all(opened.map(({ loaded }) => loaded)).then(() => {});
    const catalog = this.#documents.open('catalog');
    this.catalog = new Catalog(catalog.doc, catalog.loaded, this.#projections);
    const author = { user: options.user ?? 'anonymous', client: this.document('stock').clientID };
    this.stock = new Stock(
      this.#documents,
      this.catalog,
      author,
      documentsLoaded,
      this.#projections,
    );
    this.operations = new Operations(stock.doc, this.catalog, this.stock);
    this.replenishment = new Replenishment(stock.doc, this.catalog, this.stock, this.operations);
    this.crm = new Crm(this.#documents.open('crm').doc, author.user);
    this.loaded = this.stock.loaded;
    const scheduler = options.scheduler;
    this.#stopScheduler = scheduler === false ? undefined : this.replenishment.schedule(scheduler);
  }

  /** Where the workspace stands with its sync server. */
  get status(): SyncStatus {
    return this.#documents.status;
  }

  /**
   * Calls `listener` with the new status each time it changes.
   *
   * @returns A function that stops the calls.
   */
  onStatus(listener: (status: SyncStatus) => void): () => void {
    return this.#documents.onStatus(listener);
  }

  /**
   * The local changes the sync server has not said it stored yet; they are kept in IndexedDB
   * meanwhile and sent again after a reconnect.
   */
  get unsaved(): number {
    return this.#documents.unsaved;
  }

  /**
   * Calls `listener` with the number of unsaved changes each time it changes.
   *
   * @returns A function that stops the calls.
   */
  onUnsaved(listener: (unsaved: number) => void): () => void {
    return this.#documents.onUnsaved(listener);
  }

  /** Cuts the connection to the server; edits go on locally and sync on {@link connect}. */
  disconnect(): void {
    this.#documents.disconnect();
  }

  /** Connects to the server again after {@link disconnect}. */
  connect(): void {
    this.#documents.connect();
  }

  /**
   * The Yjs document behind a name, for tools and tests that inspect the raw data. Elements use
   * the commands and subscriptions instead.
   */
  document(name: DocumentName | `ledger-${string}`): Y.Doc {
    // The ledger keeps replaced versions readable; see Ledger.
    return this.#documents.open(name, { gc: !name.startsWith('ledger-') }).doc;
  }

  /** @returns The names of the documents open so far, the ledger's periods among them. */
  openDocuments(): string[] {
    return this.#documents.names;
  }

  /**
   * Closes the connections and IndexedDB, after the pending writes and the derived indexes are
   * stored.
   */
  async destroy(): Promise<void> {
    this.#stopScheduler?.();
    await this.loaded.catch(() => {});
    await Promise.all([this.stock.close(), this.catalog.close()]);
    await this.#documents.destroy();
    this.#projections?.close();
  }
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
 * workspace.catalog.createProduct({ name: 'Arabica coffee beans 1 kg' });
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
