import { DomainError } from './errors.js';

/** Where a partner can be visited or sent goods and mail. Every part is optional. */
export interface PartnerAddress {
  readonly street?: string | undefined;
  readonly city?: string | undefined;
  readonly zip?: string | undefined;
  /** A country name or ISO 3166 code, as the user wrote it. */
  readonly country?: string | undefined;
}

/** A company or person the business sells to, buys from, or both. */
export interface Partner {
  readonly id: string;
  readonly name: string;
  /** Sale orders and opportunities may name the partner. */
  readonly customer: boolean;
  /** Purchase orders and product vendor offers may name the partner. */
  readonly vendor: boolean;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly address?: PartnerAddress | undefined;
  /** The language documents for the partner are written in, such as `'en'` or `'ja-JP'`. */
  readonly lang?: string | undefined;
}

/** What a user types to create or edit a partner; everything but the name is optional. */
export interface PartnerDraft {
  name: string;
  /** `false` when absent. */
  customer?: boolean | undefined;
  /** `false` when absent. */
  vendor?: boolean | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  address?: PartnerAddress | undefined;
  lang?: string | undefined;
}

/** A partner's fields once validated: trimmed, defaulted, with empty optional fields removed. */
export type PartnerFields = Omit<Partner, 'id'>;

/** Codes of the errors that {@link validatePartnerDraft} throws. */
export type PartnerErrorCode = 'partner-name-empty' | 'partner-email-invalid';

// One local part, one @, a domain with at least one dot, no spaces anywhere. Deliberately loose:
// the only reliable check of an address is a message that arrives.
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/**
 * Checks a partner draft and returns its normalized fields.
 *
 * @param draft - The fields as typed by a user or read from an import.
 * @returns The trimmed fields, with `customer` and `vendor` defaulting to `false` and empty
 *   optional fields (and an address with no part left) removed.
 * @throws {DomainError} `partner-name-empty` when the name is empty after trimming,
 *   `partner-email-invalid` when an email is given that is not shaped `name@domain.tld`.
 * @example
 * ```ts
 * validatePartnerDraft({ name: ' Roastery ', vendor: true, email: 'orders@roastery.example' });
 * // { name: 'Roastery', customer: false, vendor: true, email: 'orders@roastery.example' }
 * ```
 */
export function validatePartnerDraft(draft: PartnerDraft): PartnerFields {
  const name = draft.name.trim();
  if (name === '') {
    throw new DomainError<PartnerErrorCode>(
      'partner-name-empty',
      'a partner needs a name; write the company or person name',
    );
  }

  const email = trimmed(draft.email);
  if (email !== undefined && !EMAIL.test(email)) {
    throw new DomainError<PartnerErrorCode>(
      'partner-email-invalid',
      `"${email}" is not an email address; write it as name@domain.tld or leave it empty`,
    );
  }

  const phone = trimmed(draft.phone);
  const address = draft.address === undefined ? undefined : trimmedAddress(draft.address);
  const lang = trimmed(draft.lang);

  return {
    name,
    customer: draft.customer ?? false,
    vendor: draft.vendor ?? false,
    ...(email !== undefined && { email }),
    ...(phone !== undefined && { phone }),
    ...(address !== undefined && { address }),
    ...(lang !== undefined && { lang }),
  };
}

/**
 * Tells whether a partner has an address goods and mail can be sent to: a street or a city. A
 * zip or a country alone locates nobody, so purchase orders to such a vendor are flagged.
 *
 * @param partner - The partner, or just its address.
 * @returns `true` when the address names a street or a city that is not blank.
 */
export function hasAddress(partner: Pick<Partner, 'address'>): boolean {
  const address = partner.address;
  if (address === undefined) return false;
  return trimmed(address.street) !== undefined || trimmed(address.city) !== undefined;
}

function trimmed(text: string | undefined): string | undefined {
  const value = text?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function trimmedAddress(address: PartnerAddress): PartnerAddress | undefined {
  const street = trimmed(address.street);
  const city = trimmed(address.city);
  const zip = trimmed(address.zip);
  const country = trimmed(address.country);
  if (street === undefined && city === undefined && zip === undefined && country === undefined) {
    return undefined;
  }

  return {
    ...(street !== undefined && { street }),
    ...(city !== undefined && { city }),
    ...(zip !== undefined && { zip }),
    ...(country !== undefined && { country }),
  };
}
