import { provide } from '@lit/context';
import { openWorkspace, StoreError, type SyncStatus, type Workspace } from '@kura/store';
import { html, LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';

import { workspaceContext } from '../internal/context.js';
import { warnOnce } from '../internal/dev.js';
import { KuraStatusEvent } from '../internal/events.js';
import { workspaceStyles } from './workspace.styles.js';

const STATUSES: readonly SyncStatus[] = ['offline', 'connecting', 'synced'];

/**
 * @summary Opens a Kura workspace, keeps it in IndexedDB and in sync with the server, and
 * provides it to the Kura elements inside.
 *
 * @slot - The page content, with the Kura elements that use this workspace.
 *
 * @cssstate offline - No server, or the connection is down.
 * @cssstate connecting - A connection is being made, or made but not yet in sync.
 * @cssstate synced - Every document is in sync with the server.
 *
 * @fires kura-status - {@link KuraStatusEvent} each time the status changes; `detail.status`.
 */
export class KuraWorkspace extends LitElement {
  static override styles = workspaceStyles;

  readonly #internals = this.attachInternals();
  #stopStatus: (() => void) | undefined;
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

  /** Where the workspace stands with the server: `offline`, `connecting` or `synced`. */
  @state() status: SyncStatus = 'offline';

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
    if (changed.has('server') || changed.has('workspace') || changed.has('token')) this.#open();
    if (changed.has('status')) this.#showStatus();
  }

  #open(): void {
    this.#close();
    if (this.workspace === undefined || this.workspace === '') return;

    try {
      this.store = openWorkspace({
        workspace: this.workspace,
        server: this.server || undefined,
        token: this.token || undefined,
      });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      warnOnce(this.localName, error.message, 'Fix the attribute to open the workspace.');
      return;
    }

    this.status = this.store.status;
    this.#stopStatus = this.store.onStatus((status) => (this.status = status));
  }

  #close(): void {
    this.#stopStatus?.();
    this.#stopStatus = undefined;
    if (this.store !== undefined) {
      this.#closing = this.store.destroy();
      this.store = undefined;
    }
    this.status = 'offline';
  }

  #showStatus(): void {
    for (const status of STATUSES) {
      if (status === this.status) this.#internals.states.add(status);
      else this.#internals.states.delete(status);
    }
    this.dispatchEvent(new KuraStatusEvent({ status: this.status }));
  }

  override render() {
    return html`<slot></slot>`;
  }
}
