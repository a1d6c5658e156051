import './workspace/define.js';

export { workspaceContext } from './internal/context.js';
export { KuraStatusEvent, type KuraStatusDetail } from './internal/events.js';
export { KuraSyncErrorEvent, type KuraSyncErrorDetail } from './workspace/sync-error-event.js';
export { KuraWorkspace } from './workspace/workspace.js';
