import type { SyncStatus } from '@kura/store';

/** The detail of {@link KuraStatusEvent}. */
export interface KuraStatusDetail {
  status: SyncStatus;
}

/** Fired by `kura-workspace` each time its sync status changes. Bubbles and is composed. */
export class KuraStatusEvent extends Event {
  static readonly type = 'kura-status';
  readonly detail: KuraStatusDetail;

  constructor(detail: KuraStatusDetail) {
    super(KuraStatusEvent.type, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface HTMLElementEventMap {
    'kura-status': KuraStatusEvent;
  }
}
