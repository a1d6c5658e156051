import { describe, expect, it } from 'vitest';

import {
  add,
  compare,
  decimal,
  divide,
  fromScaled,
  multiply,
  round,
  subtract,
  toScaled,
} from '../src/decimal.js';

describe('decimals', () => {
  it('DEC1 reads text and numbers into one canonical form', () => {
    expect(decimal(' 1.50 ')).toBe('1.5');
    expect(decimal('-0.000')).toBe('0');
    expect(decimal('+.5')).toBe('0.5');
    expect(decimal('007')).toBe('7');
    expect(decimal(0.1)).toBe('0.1');
    expect(decimal(1e-7)).toBe('0.0000001');
    expect(() => decimal('1,5')).toThrow(/decimal-invalid/);
    expect(() => decimal(Number.NaN)).toThrow(/decimal-invalid/);
  });

  it('DEC2 adds, subtracts and multiplies exactly: 0.1 + 0.2 is 0.3', () => {
    expect(add('0.1', '0.2')).toBe('0.3');
    expect(compare(add('0.1', '0.2'), '0.3')).toBe(0);
    expect(subtract('1', '0.9')).toBe('0.1');
    expect(multiply('0.45359237', '1000')).toBe('453.59237');
  });

  it('DEC3 rounds half-up away from zero, up and down to any step', () => {
    expect(round('2.345', '0.01')).toBe('2.35');
    expect(round('-2.345', '0.01')).toBe('-2.35');
    expect(round('2.344', '0.01')).toBe('2.34');
    expect(round('2.301', '0.01', 'up')).toBe('2.31');
    expect(round('2.309', '0.01', 'down')).toBe('2.3');
    expect(round('7.3', '0.5')).toBe('7.5');
    expect(round('11', '12', 'up')).toBe('12');
    expect(() => round('1', '0')).toThrow(/decimal-invalid/);
  });

  it('DEC3 divides to a step of precision', () => {
    expect(divide('1', '3', '0.01')).toBe('0.33');
    expect(divide('2', '3', '0.01')).toBe('0.67');
    expect(divide('1', '3', '0.01', 'up')).toBe('0.34');
    expect(divide('-1', '8', '0.01')).toBe('-0.13');
    expect(() => divide('1', '0', '1')).toThrow(/decimal-division-by-zero/);
  });

  it('DEC4 scales to integers and back without loss', () => {
    expect(toScaled('12.5', 2)).toBe(1250);
    expect(toScaled('-0.01', 2)).toBe(-1);
    expect(fromScaled(1250, 2)).toBe('12.5');
    expect(fromScaled(-1, 3)).toBe('-0.001');
    expect(() => toScaled('0.001', 2)).toThrow(RangeError);
  });
});
