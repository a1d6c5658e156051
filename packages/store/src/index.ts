export {
  Catalog,
  type CatalogErrorCode,
  type LocationDraft,
  type WarehouseDraft,
} from './catalog.js';
export { DocumentSet, type SyncStatus } from './documents.js';
export { StoreError } from './errors.js';
export {
  forEachLedgerMove,
  Ledger,
  ledgerMoves,
  ledgerPeriod,
  type LedgerListener,
  type StateVector,
} from './ledger.js';
export { PROJECTION_VERSION, ProjectionDatabase, type ProductHit } from './projections.js';
export {
  lotId,
  Stock,
  type DoneMoveDraft,
  type InventoryImportResult,
  type PlannedMoveDraft,
  type StockErrorCode,
  type StoredCount,
} from './stock.js';
export { randomId } from './ids.js';
export {
  Replenishment,
  type ReorderRuleInput,
  type ReplenishmentErrorCode,
  type StoredReorderRule,
} from './replenishment.js';
export { Origin } from './origins.js';
export {
  DOCUMENT_NAMES,
  Workspace,
  openWorkspace,
  type DocumentName,
  type WorkspaceErrorCode,
  type WorkspaceOptions,
} from './workspace.js';
