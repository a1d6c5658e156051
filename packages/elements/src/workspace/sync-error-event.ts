/** The detail of {@link KuraSyncErrorEvent}: what the server refused and why. */
export interface KuraSyncErrorDetail {
  /** The document of the workspace that stopped syncing, such as `crm`. */
  document: string;
  /** The server's close code: 4401 token refused, 4403 not allowed, 4400 or 4413. */
  code: number;
  /** The server's reason, such as `token-expired`, or why no token could be had. */
  reason: string;
}

/**
 * Fired by `kura-workspace` when the server refuses a document for good, after a new token was
 * tried if the refusal was about the token. Bubbles and is composed.
 */
export class KuraSyncErrorEvent extends Event {
  static readonly type = 'kura-sync-error';
  readonly detail: KuraSyncErrorDetail;

  constructor(detail: KuraSyncErrorDetail) {
    super(KuraSyncErrorEvent.type, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface HTMLElementEventMap {
    'kura-sync-error': KuraSyncErrorEvent;
  }
}
