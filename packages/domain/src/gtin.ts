/** The lengths a GTIN can have: GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14. */
export const GTIN_LENGTHS: readonly number[] = [8, 12, 13, 14];

/**
 * Computes the GS1 mod-10 check digit for the digits that precede it.
 *
 * Weights alternate 3 and 1 starting from the rightmost digit, as the GS1 General
 * Specifications define for every GS1 key.
 *
 * @param body - The digits of the key without its check digit.
 * @returns The check digit, 0 to 9.
 * @throws {RangeError} When `body` is empty or holds anything but digits.
 */
export function gs1CheckDigit(body: string): number {
  if (!/^\d+$/.test(body)) throw new RangeError(`expected digits, got "${body}"`);

  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }

  return (10 - (sum % 10)) % 10;
}

/**
 * Tells whether a string is a well-formed GTIN: 8, 12, 13 or 14 digits whose last digit is the
 * GS1 check digit of the others.
 *
 * @param code - The candidate, as printed under the bars.
 * @returns `true` when the length and the check digit are right.
 */
export function isValidGtin(code: string): boolean {
  if (!/^\d+$/.test(code) || !GTIN_LENGTHS.includes(code.length)) return false;

  return gs1CheckDigit(code.slice(0, -1)) === Number(code.at(-1));
}

/**
 * Brings any GTIN to its 14-digit form by padding with leading zeros, so that the EAN-13
 * printed on a box and the GTIN-14 inside a GS1-128 label find the same product.
 *
 * @param code - A valid GTIN of any length.
 * @returns The same key as 14 digits.
 */
export function toGtin14(code: string): string {
  return code.padStart(14, '0');
}
