export { StoreError } from './errors.js';
export { randomId } from './ids.js';
export { Origin } from './origins.js';
export {
  DOCUMENT_NAMES,
  Workspace,
  openWorkspace,
  type DocumentName,
  type Product,
  type SyncStatus,
  type WorkspaceErrorCode,
  type WorkspaceOptions,
} from './workspace.js';
