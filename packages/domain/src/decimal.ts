import { DomainError } from './errors.js';

/**
 * An exact decimal number written as a string in canonical form: an optional minus sign, digits
 * without leading zeros, and a fraction without trailing zeros (`'0'`, `'12.5'`, `'-0.001'`).
 * Quantities, prices and unit ratios are decimals so that no chain of additions or conversions
 * drifts the way binary floating point does.
 */
export type Decimal = string;

/** How a value between two steps is brought to one of them. */
export type RoundingMode = 'half-up' | 'up' | 'down';

/** Codes of the errors that the decimal functions throw. */
export type DecimalErrorCode = 'decimal-invalid' | 'decimal-division-by-zero';

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$|^([+-])?\.(\d+)$/;

/** A decimal as an integer and a power of ten: `12.5` is `{ digits: 125n, scale: 1 }`. */
interface Scaled {
  digits: bigint;
  scale: number;
}

function parse(text: string): Scaled {
  const match = DECIMAL.exec(text.trim());
  if (match === null) {
    throw new DomainError<DecimalErrorCode>('decimal-invalid', `"${text}" is not a decimal number`);
  }
  const sign = match[1] ?? match[4] ?? '';
  const whole = match[2] ?? '0';
  const fraction = match[3] ?? match[5] ?? '';

  return {
    digits: BigInt(`${sign === '-' ? '-' : ''}${whole}${fraction}`),
    scale: fraction.length,
  };
}

function format({ digits, scale }: Scaled): Decimal {
  const negative = digits < 0n;
  let text = (negative ? -digits : digits).toString().padStart(scale + 1, '0');
  if (scale > 0) {
    text = `${text.slice(0, -scale)}.${text.slice(-scale)}`.replace(/\.?0+$/, '');
  }
  return negative && text !== '0' ? `-${text}` : text;
}

function rescale(value: Scaled, scale: number): bigint {
  return value.digits * 10n ** BigInt(scale - value.scale);
}

/**
 * Reads a decimal from text, as typed or imported: `'1,5'` is refused, `' 1.50 '` reads as `'1.5'`.
 *
 * @param text - Digits with an optional sign and decimal point.
 * @returns The canonical form.
 * @throws {DomainError} `decimal-invalid` when the text is not a decimal number.
 */
export function decimal(text: string | number): Decimal {
  if (typeof text === 'number') {
    if (!Number.isFinite(text)) {
      throw new DomainError<DecimalErrorCode>('decimal-invalid', `${text} is not a finite number`);
    }
    // Shortest round-trip text of the double: 0.1 reads as '0.1', never 0.1000000000000000055.
    return format(parse(exponentFree(text)));
  }
  return format(parse(text));
}

function exponentFree(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}

/**
 * Reads a quantity that must be above zero, such as the quantity of a move.
 *
 * @param value - The quantity as typed or stored.
 * @returns Its canonical form, or `undefined` when it is not a decimal above zero; the caller
 *   raises the error that names its own rule.
 */
export function positiveDecimal(value: Decimal | number): Decimal | undefined {
  let parsed: Decimal;
  try {
    parsed = decimal(value);
  } catch {
    return undefined;
  }
  return compare(parsed, '0') > 0 ? parsed : undefined;
}

/** @returns `a + b`, exactly. */
export function add(a: Decimal, b: Decimal): Decimal {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  return format({ digits: rescale(x, scale) + rescale(y, scale), scale });
}

/** @returns `a - b`, exactly. */
export function subtract(a: Decimal, b: Decimal): Decimal {
  return add(a, negate(b));
}

/** @returns `a × b`, exactly. */
export function multiply(a: Decimal, b: Decimal): Decimal {
  const x = parse(a);
  const y = parse(b);
  return format({ digits: x.digits * y.digits, scale: x.scale + y.scale });
}

/**
 * Divides and rounds the quotient to a multiple of `step`.
 *
 * @param a - The dividend.
 * @param b - The divisor.
 * @param step - The precision of the result, such as `'0.01'`.
 * @param mode - How to round; half-up by default.
 * @returns `a ÷ b` rounded to `step`.
 * @throws {DomainError} `decimal-division-by-zero` when `b` is zero.
 */
export function divide(a: Decimal, b: Decimal, step: Decimal, mode: RoundingMode = 'half-up') {
  const x = parse(a);
  const y = parse(b);
  if (y.digits === 0n) {
    throw new DomainError<DecimalErrorCode>('decimal-division-by-zero', `${a} divided by zero`);
  }
  // a / b / step as a fraction of integers, then rounded to a whole number of steps.
  const s = parse(step);
  const scale = Math.max(x.scale, y.scale, s.scale);
  const numerator = rescale(x, scale) * 10n ** BigInt(scale);
  const denominator = rescale(y, scale) * rescale(s, scale);
  const steps = roundQuotient(numerator, denominator, mode);
  return format({ digits: steps * s.digits, scale: s.scale });
}

/**
 * Rounds to a multiple of `step`. Half-up rounds halves away from zero, as accountants do.
 *
 * @param value - The number to round.
 * @param step - A positive precision, such as `'1'`, `'0.01'` or `'0.5'`.
 * @param mode - `'half-up'` (default), `'up'` (away from zero) or `'down'` (toward zero).
 * @returns The rounded value.
 * @throws {DomainError} `decimal-invalid` when `step` is not positive.
 */
export function round(value: Decimal, step: Decimal, mode: RoundingMode = 'half-up'): Decimal {
  const x = parse(value);
  const s = parse(step);
  if (s.digits <= 0n) {
    throw new DomainError<DecimalErrorCode>(
      'decimal-invalid',
      `rounding step ${step} is not positive`,
    );
  }
  const scale = Math.max(x.scale, s.scale);
  const steps = roundQuotient(rescale(x, scale), rescale(s, scale), mode);
  return format({ digits: steps * s.digits, scale: s.scale });
}

/** Divides integers and rounds the quotient; `denominator` may be negative. */
function roundQuotient(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator < 0n) return roundQuotient(-numerator, -denominator, mode);

  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  const remainder = magnitude % denominator;
  if (remainder !== 0n) {
    if (mode === 'up' || (mode === 'half-up' && remainder * 2n >= denominator)) quotient += 1n;
  }
  return negative ? -quotient : quotient;
}

/** @returns -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  const difference = rescale(x, scale) - rescale(y, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** @returns `-a`. */
export function negate(a: Decimal): Decimal {
  const x = parse(a);
  return format({ digits: -x.digits, scale: x.scale });
}

/** @returns `true` when `a` is zero. */
export function isZero(a: Decimal): boolean {
  return parse(a).digits === 0n;
}

/** @returns The number of digits after the decimal point of `a`'s canonical form. */
export function decimalPlaces(a: Decimal): number {
  return parse(a).scale;
}

/**
 * Converts a decimal to an integer count of `10^-places`, for sums on a hot path: quantities of
 * one unit all have at most the places of the unit's rounding, so their sums are exact integers.
 *
 * @param a - A decimal with at most `places` digits after the point.
 * @param places - The scale, such as 2 for hundredths.
 * @returns `a × 10^places` as a safe integer.
 * @throws {RangeError} When `a` has more places or the result is not a safe integer.
 */
export function toScaled(a: Decimal, places: number): number {
  const x = parse(a);
  if (x.scale > places) throw new RangeError(`${a} has more than ${places} decimal places`);
  const scaled = Number(rescale(x, places));
  if (!Number.isSafeInteger(scaled)) throw new RangeError(`${a} is too large to count exactly`);
  return scaled;
}

/** The inverse of {@link toScaled}: `fromScaled(125, 1)` is `'12.5'`. */
export function fromScaled(scaled: number, places: number): Decimal {
  return format({ digits: BigInt(scaled), scale: places });
}
