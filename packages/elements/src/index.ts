import './workspace/define.js';

export { workspaceContext } from './internal/context.js';
export { KuraStatusEvent, type KuraStatusDetail } from './internal/events.js';
export { KuraWorkspace } from './workspace/workspace.js';
