import { describe, expect, it } from 'vitest';

import { gs1CheckDigit, isValidGtin, toGtin14 } from '../src/index.js';

describe('GTIN', () => {
  it('GTIN1 computes the check digit of GS1 keys of every length', () => {
    expect(gs1CheckDigit('0950600013435')).toBe(2);
    expect(gs1CheckDigit('400638133393')).toBe(1);
    expect(gs1CheckDigit('9638507')).toBe(4);
    expect(gs1CheckDigit('03600029145')).toBe(2);
  });

  it('GTIN1 accepts GTIN-8, -12, -13 and -14 with the right check digit', () => {
    expect(isValidGtin('96385074')).toBe(true);
    expect(isValidGtin('036000291452')).toBe(true);
    expect(isValidGtin('4006381333931')).toBe(true);
    expect(isValidGtin('09506000134352')).toBe(true);
  });

  it('GTIN1 refuses a wrong check digit, a wrong length and non-digits', () => {
    expect(isValidGtin('4006381333932')).toBe(false);
    expect(isValidGtin('40063813339')).toBe(false);
    expect(isValidGtin('400638133393X')).toBe(false);
    expect(isValidGtin('')).toBe(false);
    expect(() => gs1CheckDigit('12a')).toThrow(RangeError);
  });

  it('GTIN2 pads any GTIN to 14 digits so that EAN-13 and GTIN-14 match', () => {
    expect(toGtin14('9506000134352')).toBe('09506000134352');
    expect(toGtin14('96385074')).toBe('00000096385074');
    expect(toGtin14('09506000134352')).toBe('09506000134352');
  });
});
