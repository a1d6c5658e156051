import { describe, expect, it } from 'vitest';

import { hasAddress, validatePartnerDraft } from '../src/partner.js';
import { codeOf } from './support.js';

describe('partner drafts', () => {
  it('PRT1 trims the name and refuses a name of only spaces', () => {
    expect(validatePartnerDraft({ name: '  Kiyosumi Roastery ' }).name).toBe('Kiyosumi Roastery');
    expect(codeOf(() => validatePartnerDraft({ name: '   ' }))).toBe('partner-name-empty');
    expect(() => validatePartnerDraft({ name: '' })).toThrow(
      /^\[kura\/domain\] partner-name-empty: /,
    );
  });

  it('PRT2 keeps a trimmed email and refuses one without a user, an @ or a dotted domain', () => {
    expect(validatePartnerDraft({ name: 'A', email: ' orders@roastery.example ' }).email).toBe(
      'orders@roastery.example',
    );
    for (const email of ['orders', 'orders@', '@roastery.example', 'orders@roastery', 'a b@c.de']) {
      expect(
        codeOf(() => validatePartnerDraft({ name: 'A', email })),
        email,
      ).toBe('partner-email-invalid');
    }
  });

  it('PRT3 defaults both roles to false, allows both, and drops empty optional fields', () => {
    expect(
      validatePartnerDraft({
        name: 'Shop',
        email: ' ',
        phone: '',
        lang: ' ',
        address: { street: ' ', city: '' },
      }),
    ).toEqual({ name: 'Shop', customer: false, vendor: false });

    expect(
      validatePartnerDraft({
        name: 'Shop',
        customer: true,
        vendor: true,
        phone: ' +81 3 1234 5678 ',
        lang: 'ja-JP',
        address: { street: ' 1-2-3 Kiyosumi ', city: 'Tokyo', zip: '', country: 'JP' },
      }),
    ).toEqual({
      name: 'Shop',
      customer: true,
      vendor: true,
      phone: '+81 3 1234 5678',
      lang: 'ja-JP',
      address: { street: '1-2-3 Kiyosumi', city: 'Tokyo', country: 'JP' },
    });
  });

  it('PRT4 counts an address with a street or a city, not a zip or country alone', () => {
    expect(hasAddress({ address: { city: 'Osaka' } })).toBe(true);
    expect(hasAddress({ address: { street: '2 Harbour Road' } })).toBe(true);
    expect(hasAddress({ address: { zip: '135-0024', country: 'JP' } })).toBe(false);
    expect(hasAddress({ address: { street: ' ', city: '' } })).toBe(false);
    expect(hasAddress({})).toBe(false);
  });
});
