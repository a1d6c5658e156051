export {
  Catalog,
  type BomDraft,
  type CatalogErrorCode,
  type RouteDraft,
  type LocationDraft,
  type WarehouseDraft,
} from './catalog.js';
export {
  Crm,
  type Board,
  type BoardColumn,
  type CrmConflict,
  type CrmErrorCode,
  type LostMove,
  type MoveTarget,
  type OpportunityInput,
  type PipelineInput,
  type PipelineTemplateKey,
  type StageInput,
} from './crm.js';
export { DocumentSet, type SyncRefusal, type SyncStatus } from './documents.js';
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
  type MovePart,
  type MoveValidation,
  type PlannedMoveDraft,
  type StockErrorCode,
  type StoredCount,
} from './stock.js';
export { randomId } from './ids.js';
export {
  Operations,
  type ManufacturingInput,
  type OperationsErrorCode,
  type OrderInput,
  type OrderLineInput,
  type OrderWithLines,
  type Picking,
  type PickingOperation,
  type PickingWithMoves,
  type ProcurementResult,
  type StoredManufacturingOrder,
  type StoredOrder,
  type StoredOrderLine,
  type ValidationPick,
} from './operations.js';
export {
  Replenishment,
  type OrderedProposal,
  type SchedulerOptions,
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
