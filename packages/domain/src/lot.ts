import { DomainError } from './errors.js';
import type { Lot, Tracking } from './model.js';

/** Codes of the errors that the lot functions throw. */
export type LotErrorCode =
  'lot-name-empty' | 'lot-name-taken' | 'lot-product-untracked' | 'lot-date-invalid';

/** The dates a lot can carry, as ISO calendar dates `YYYY-MM-DD`. */
export interface LotDates {
  readonly expiresOn?: string | undefined;
  readonly bestBefore?: string | undefined;
  /** FEFO takes the lot with the earliest removal date first. */
  readonly removeOn?: string | undefined;
  readonly alertOn?: string | undefined;
}

/** What a user types to create or rename a lot or serial number. */
export interface LotDraft extends LotDates {
  /** The lot being edited, so that keeping its own name is no clash; absent for a new lot. */
  readonly id?: string | undefined;
  readonly productId: string;
  readonly name: string;
}

/** A lot's fields once validated: the name trimmed, empty dates removed. */
export interface LotFields extends LotDates {
  readonly productId: string;
  readonly name: string;
}

const DATE_FIELDS = ['expiresOn', 'bestBefore', 'removeOn', 'alertOn'] as const;

/**
 * Checks a lot or serial number before it is recorded.
 *
 * @param draft - The product, name and dates as typed or scanned.
 * @param existingLots - The lots of the product; the draft's own lot, when edited, is skipped.
 * @param tracking - The product's tracking.
 * @returns The trimmed name and the dates that were given.
 * @throws {DomainError} `lot-product-untracked` when the product is not tracked by lot or
 *   serial, `lot-name-empty` when the name is only spaces, `lot-name-taken` when another lot of
 *   the product has the same name (case-sensitive, after trimming), `lot-date-invalid` when a
 *   date is not a calendar date `YYYY-MM-DD`.
 */
export function validateLotDraft(
  draft: LotDraft,
  existingLots: readonly Lot[],
  tracking: Tracking,
): LotFields {
  if (tracking === 'none') {
    throw new DomainError<LotErrorCode>(
      'lot-product-untracked',
      `product ${draft.productId} is not tracked by lot or serial number; turn tracking on first`,
    );
  }

  const name = draft.name.trim();
  if (name === '') {
    throw new DomainError<LotErrorCode>('lot-name-empty', 'a lot or serial number needs a name');
  }
  const taken = existingLots.some(
    (lot) => lot.productId === draft.productId && lot.id !== draft.id && lot.name.trim() === name,
  );
  if (taken) {
    throw new DomainError<LotErrorCode>(
      'lot-name-taken',
      `product ${draft.productId} already has a lot named "${name}"; pick another name`,
    );
  }

  const dates: Partial<Record<(typeof DATE_FIELDS)[number], string>> = {};
  for (const field of DATE_FIELDS) {
    const value = draft[field]?.trim() ?? '';
    if (value === '') continue;
    requireDate(value, field);
    dates[field] = value;
  }

  return { productId: draft.productId, name, ...dates };
}

/** How long a product keeps, in days, to date its lots from their receipt. */
export interface ShelfLife {
  /** Days from receipt to expiry. */
  readonly expiryDays?: number | undefined;
  /** Days before expiry that the best-before date falls. */
  readonly bestBeforeDays?: number | undefined;
  /** Days before expiry that the lot should leave stock, for FEFO. */
  readonly removalDays?: number | undefined;
  /** Days before expiry that someone should be warned. */
  readonly alertDays?: number | undefined;
}

/**
 * Fills the dates a lot lacks from its product's shelf life: the expiry from the receipt date,
 * the other dates counted back from the expiry. Dates the lot already has are kept, so that a
 * date printed on the label always wins over a computed one.
 *
 * @param lot - The lot's dates so far.
 * @param shelfLife - The product's shelf life; without it the dates are returned as they are.
 * @param receivedOn - The receipt date, needed only to compute a missing expiry.
 * @returns The lot's dates, completed where the shelf life allows.
 * @throws {DomainError} `lot-date-invalid` when a given date is not a calendar date or a number
 *   of days is not a whole number.
 * @example
 * ```ts
 * lotDates({}, { expiryDays: 30, removalDays: 5 }, '2025-01-10');
 * // { expiresOn: '2025-02-09', removeOn: '2025-02-04' }
 * ```
 */
export function lotDates(lot: LotDates, shelfLife?: ShelfLife, receivedOn?: string): LotDates {
  const expiresOn =
    lot.expiresOn ??
    (receivedOn === undefined ? undefined : addDays(receivedOn, shelfLife?.expiryDays));
  const before = (days: number | undefined) =>
    expiresOn === undefined || days === undefined ? undefined : addDays(expiresOn, -days);

  const dates: LotDates = {
    expiresOn,
    bestBefore: lot.bestBefore ?? before(shelfLife?.bestBeforeDays),
    removeOn: lot.removeOn ?? before(shelfLife?.removalDays),
    alertOn: lot.alertOn ?? before(shelfLife?.alertDays),
  };
  return Object.fromEntries(
    Object.entries(dates).filter(([, value]) => value !== undefined),
  ) as LotDates;
}

/**
 * Tells whether a lot is past its expiry. A lot is expired from its expiry date on: a lot that
 * "expires on" the 10th is not sold on the 10th.
 *
 * @param lot - The lot's dates.
 * @param today - Today's date, `YYYY-MM-DD`, in the warehouse's time zone.
 * @returns `true` from the expiry date on; `false` for a lot without one.
 * @throws {DomainError} `lot-date-invalid` when `today` is not a calendar date.
 */
export function isExpired(lot: LotDates, today: string): boolean {
  requireDate(today, 'today');
  return lot.expiresOn !== undefined && today >= lot.expiresOn;
}

/**
 * Tells whether a lot should be brought to someone's attention: its alert date has come, or it
 * expired, which deserves the alert even when no alert date was set.
 *
 * @param lot - The lot's dates.
 * @param today - Today's date, `YYYY-MM-DD`, in the warehouse's time zone.
 * @returns `true` from the alert date or the expiry date on, whichever comes first.
 * @throws {DomainError} `lot-date-invalid` when `today` is not a calendar date.
 */
export function needsAlert(lot: LotDates, today: string): boolean {
  return isExpired(lot, today) || (lot.alertOn !== undefined && today >= lot.alertOn);
}

/**
 * Tells whether a string is a real calendar date written `YYYY-MM-DD`: `2024-02-29` is one,
 * `2023-02-29` and `2024-2-9` are not.
 *
 * @param text - The candidate.
 * @returns `true` for a valid ISO calendar date.
 */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;

  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function requireDate(text: string, field: string): void {
  if (!isCalendarDate(text)) {
    throw new DomainError<LotErrorCode>(
      'lot-date-invalid',
      `${field} "${text}" is not a calendar date; write it as YYYY-MM-DD, such as 2025-03-31`,
    );
  }
}

/** Calendar arithmetic in UTC, where every day has 24 hours. */
function addDays(date: string, days: number | undefined): string | undefined {
  if (days === undefined) return undefined;
  requireDate(date, 'date');
  if (!Number.isInteger(days)) {
    throw new DomainError<LotErrorCode>(
      'lot-date-invalid',
      `a shelf life is a whole number of days, not ${days}`,
    );
  }

  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  // setUTCFullYear, unlike Date.UTC, leaves years 0 to 99 alone.
  const moment = new Date(0);
  moment.setUTCFullYear(year, month - 1, day + days);
  return moment.toISOString().slice(0, 10);
}
