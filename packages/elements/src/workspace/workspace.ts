import { provide } from '@lit/context';
import { openWorkspace, StoreError, type SyncStatus, type Workspace } from '@kura/store';
import { html, LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import { workspaceContext } from '../internal/context.js';
import { warnOnce } from '../internal/dev.js';
import { KuraStatusEvent } from '../internal/events.js';
import { KuraSyncErrorEvent, type KuraSyncErrorDetail } from './sync-error-event.js';
import { workspaceStyles } from './workspace.styles.js';

const STATUSES: readonly SyncStatus[] = ['offline', 'connecting', 'synced'];

/**
 * @summary Opens a Kura workspace, keeps it in IndexedDB and in sync with the server, and
 * provides it to the Kura elements inside.
 *
 * @slot - The page content, with the Kura elements that use this workspace.
 *
 * @csspart error - Says why the server stopped syncing, above the content; hidden otherwise.
 * @csspart unsaved - Says how many local changes the server has not stored yet; hidden at 0.
 *
 * @cssstate offline - No server, or the connection is down.
 * @cssstate connecting - A connection is being made, or made but not yet in sync.
 * @cssstate synced - Every document is in sync with the server.
 * @cssstate refused - The server refused a document for good; see `refusal`.
 * @cssstate unsaved - Local changes wait for the server to store them; see `unsaved`.
 *
 * @fires kura-status - {@link KuraStatusEvent} each time the status changes; `detail.status`.
 * @fires kura-sync-error - {@link KuraSyncErrorEvent} when the server refuses a document for
 *   good, after a new token was tried; `detail.document`, `detail.code`, `detail.reason`.
 */
export class KuraWorkspace extends LitElement {
  static override styles = workspaceStyles;

  readonly #internals = this.attachInternals();
  #stopStatus: (() => void) | undefined;
  #stopUnsaved: (() => void) | undefined;
  #closing: Promise<void> = Promise.resolve();

  /** The open workspace; `undefined` until `workspace` names a valid one. */
  @provide({ context: workspaceContext })
  @state()
  store: Workspace | undefined;

  /** The sync server's address, such as `wss://sync.example.com`; without it, data stays local. */
  @property() server: string | undefined;

  /** The workspace id: letters, digits, `-` and `_`. */
  @property() workspace: string | undefined;

  /** The token the sync server asks for. */
  @property() token: string | undefined;

  /**
   * Gives a token (the page's own sign-in): at start when `token` is unset, a minute before the
   * current one expires, and once after the server refuses one, before the error shows.
   */
  @property({ attribute: false }) tokenProvider: (() => Promise<string>) | undefined;

  /** Where the workspace stands with the server: `offline`, `connecting` or `synced`. */
  @state() status: SyncStatus = 'offline';

  /**
   * The local changes the server has not said it stored yet, shown in the `unsaved` part: they
   * are kept in this browser meanwhile, and lost only if its data is cleared.
   */
  @state() unsaved = 0;

  /** The server's last refusal since the workspace opened, shown in the `error` part. */
  @state() refusal: KuraSyncErrorDetail | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.#open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#close();
  }

  /** Settles when the workspace that was open before the last change is fully closed. */
  get closed(): Promise<void> {
    return this.#closing;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const connection = ['server', 'workspace', 'token', 'tokenProvider'] as const;
    if (connection.some((name) => changed.has(name))) this.#open();
    if (changed.has('status')) this.#showStatus();
    if (changed.has('unsaved')) {
      if (this.unsaved > 0) this.#internals.states.add('unsaved');
      else this.#internals.states.delete('unsaved');
    }
  }

  #open(): void {
    this.#close();
    if (this.workspace === undefined || this.workspace === '') return;

    let store: Workspace | undefined;
    try {
      store = openWorkspace({
        workspace: this.workspace,
        server: this.server || undefined,
        token: this.token || undefined,
        tokenProvider: this.tokenProvider,
        // A workspace closed meanwhile no longer speaks for this element.
        onRefused: (refusal) => {
          if (store !== undefined && store === this.store) this.#onRefused({ ...refusal });
        },
      });
      this.store = store;
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      warnOnce(this.localName, error.message, 'Fix the attribute to open the workspace.');
      return;
    }

    this.status = this.store.status;
    this.#stopStatus = this.store.onStatus((status) => (this.status = status));
    this.unsaved = this.store.unsaved;
    this.#stopUnsaved = this.store.onUnsaved((unsaved) => (this.unsaved = unsaved));
  }

  #close(): void {
    this.#stopStatus?.();
    this.#stopStatus = undefined;
    this.#stopUnsaved?.();
    this.#stopUnsaved = undefined;
    this.unsaved = 0;
    if (this.store !== undefined) {
      this.#closing = this.store.destroy();
      this.store = undefined;
    }
    this.status = 'offline';
    this.refusal = undefined;
    this.#internals.states.delete('refused');
  }

  #showStatus(): void {
    for (const status of STATUSES) {
      if (status === this.status) this.#internals.states.add(status);
      else this.#internals.states.delete(status);
    }
    this.dispatchEvent(new KuraStatusEvent({ status: this.status }));
  }

  /** One event per refused document; the message shows the last. */
  #onRefused(refusal: KuraSyncErrorDetail): void {
    this.refusal = refusal;
    this.#internals.states.add('refused');
    this.dispatchEvent(new KuraSyncErrorEvent(refusal));
  }

  #refusalMessage(refusal: KuraSyncErrorDetail): string {
    const { code, document, reason } = refusal;
    if (code === 4401) {
      return `Sync stopped: the server did not accept the sign-in (${code}). Sign in again.`;
    }
    if (code === 4403) return `Sync stopped: no access to "${document}" (${code}).`;
    return `Sync stopped for "${document}": ${reason} (${code}).`;
  }

  override render() {
    const refusal = this.refusal;
    return html`
      <p part="error" role="alert" ?hidden=${refusal === undefined}>
        ${refusal && this.#refusalMessage(refusal)}
      </p>
      <p part="unsaved" role="status" ?hidden=${this.unsaved === 0}>
        ${this.unsaved === 1 ? '1 change' : `${this.unsaved} changes`} not yet saved on the server
      </p>
      <slot></slot>
    `;
  }
}
