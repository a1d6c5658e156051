import type { Decimal } from './decimal.js';

// The plain records that the domain reasons about. The store keeps them in Yjs documents and
// hands them to the domain as they are; nothing here knows about Yjs. Instants are milliseconds
// since the Unix epoch (UTC); calendar dates are ISO strings `YYYY-MM-DD`.

/** How far Kura manages a product's stock. */
export type ProductType = 'storable' | 'consumable' | 'service';

/** Whether each unit in stock is told apart: not at all, by lot, or one by one. */
export type Tracking = 'none' | 'lot' | 'serial';

/** How demand for a product is met at a location. */
export type ProcureMethod = 'make-to-stock' | 'make-to-order' | 'mts-else-mto';

/** The order in which stock leaves: first in, first expiring, or last in. */
export type RemovalStrategy = 'fifo' | 'fefo' | 'lifo';

/** A family of units that convert into each other: unit, weight, volume, length, time. */
export interface UnitCategory {
  readonly id: string;
  readonly name: string;
}

/** A unit of measure. */
export interface Unit {
  readonly id: string;
  readonly name: string;
  readonly categoryId: string;
  /** How many reference units of the category one of this unit holds: dozen `'12'`, g `'0.001'`. */
  readonly ratio: Decimal;
  /** The precision its quantities round to: `'1'` for whole pieces, `'0.01'` by default. */
  readonly rounding: Decimal;
}

/** What one vendor sells a product for. */
export interface VendorOffer {
  readonly partnerId: string;
  readonly price: Decimal;
  /** The least quantity, in the product's purchase unit, this offer applies to. */
  readonly minQuantity: Decimal;
  readonly leadDays: number;
}

/** A product of the catalog. */
export interface Product {
  readonly id: string;
  readonly name: string;
  /** Internal reference (SKU). */
  readonly reference?: string | undefined;
  /** GTIN as printed under the bars. */
  readonly barcode?: string | undefined;
  readonly categoryId?: string | undefined;
  readonly type: ProductType;
  readonly tracking: Tracking;
  /** The unit the ledger counts the product in. */
  readonly unitId: string;
  /** The unit it is bought in; the product's unit when absent. Same category as `unitId`. */
  readonly purchaseUnitId?: string | undefined;
  readonly salePrice?: Decimal | undefined;
  readonly cost?: Decimal | undefined;
  readonly buy: boolean;
  readonly manufacture: boolean;
  readonly procureMethod: ProcureMethod;
  /** In order of preference. */
  readonly vendors: readonly VendorOffer[];
  /** Overrides the locations' removal strategy for this product. */
  readonly removal?: RemovalStrategy | undefined;
  /** Where receipts put the product away. */
  readonly putawayLocationId?: string | undefined;
}

/** What a location is for. Only `internal` locations hold the company's stock. */
export type LocationUsage =
  'internal' | 'view' | 'supplier' | 'customer' | 'inventory' | 'production' | 'transit';

/** A place stock can be in; locations form a tree through `parentId`. */
export interface Location {
  readonly id: string;
  readonly name: string;
  readonly usage: LocationUsage;
  readonly parentId?: string | undefined;
  /** The removal strategy of this location and its children, unless a child or product says. */
  readonly removal?: RemovalStrategy | undefined;
}

/** The states a move goes through; {@link MOVE_TRANSITIONS} says which steps are allowed. */
export type MoveState = 'draft' | 'waiting' | 'confirmed' | 'assigned' | 'done' | 'cancelled';

/** Who recorded a fact and on which replica. */
export interface Author {
  readonly user: string;
  /** The Yjs client id of the replica. */
  readonly client: number;
}

/** A part of a move's quantity taken from one place and lot. */
export interface MoveLine {
  readonly locationId: string;
  readonly lotId?: string | undefined;
  /** In the product's unit. */
  readonly quantity: Decimal;
}

/** The stock an open move holds for itself, and when and where it was taken. */
export interface Reservation {
  readonly lines: readonly MoveLine[];
  /** When the reservation was made; the first key of the order merges keep. */
  readonly at: number;
  /** The replica that made it; the second key of that order. */
  readonly client: number;
}

/** A movement of one product between two locations. Once done, it is an immutable fact. */
export interface Move {
  readonly id: string;
  readonly productId: string;
  /** In the product's unit; always positive. */
  readonly quantity: Decimal;
  /** The quantity and unit as the user typed them, when they differ from the product's. */
  readonly entered?: { readonly quantity: Decimal; readonly unitId: string } | undefined;
  readonly sourceId: string;
  readonly destinationId: string;
  /** The lot or serial moved; set on done moves of tracked products. */
  readonly lotId?: string | undefined;
  readonly state: MoveState;
  /** The document that caused it, such as a sale order's reference. */
  readonly origin?: string | undefined;
  /** When it is planned, or when it was done. */
  readonly date: number;
  /** The moves that must be done before this one. */
  readonly chainedFrom?: readonly string[] | undefined;
  readonly reservation?: Reservation | undefined;
  readonly author?: Author | undefined;
}

/** A lot or serial number of a product, with its dates. */
export interface Lot {
  readonly id: string;
  readonly productId: string;
  readonly name: string;
  readonly expiresOn?: string | undefined;
  readonly bestBefore?: string | undefined;
  /** FEFO takes the lot with the earliest removal date first. */
  readonly removeOn?: string | undefined;
  readonly alertOn?: string | undefined;
}

/** What someone counted for one product, location and lot. */
export interface Count {
  readonly id: string;
  readonly productId: string;
  readonly locationId: string;
  readonly lotId?: string | undefined;
  /** The counted quantity, in the product's unit. */
  readonly counted: Decimal;
  /** The quantity on hand the counter's replica showed when the count was taken. */
  readonly expected: Decimal;
  /** When it was counted. */
  readonly at: number;
  readonly author: Author;
}

/** The quantity of one product in one location and lot, as the done moves add up. */
export interface Quant {
  readonly productId: string;
  readonly locationId: string;
  readonly lotId?: string | undefined;
  readonly quantity: Decimal;
  /** When the oldest unit still here arrived, for FIFO and LIFO. */
  readonly inDate: number;
}
