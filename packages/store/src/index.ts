export { Catalog, type Product } from './catalog.js';
export { DocumentSet, type SyncStatus } from './documents.js';
export { StoreError } from './errors.js';
export { randomId } from './ids.js';
export { Origin } from './origins.js';
export {
  DOCUMENT_NAMES,
  Workspace,
  openWorkspace,
  type DocumentName,
  type WorkspaceErrorCode,
  type WorkspaceOptions,
} from './workspace.js';
