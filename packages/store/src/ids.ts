const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Makes a random record id: 16 characters of base 36 from the platform's cryptographic random
 * source, about 82 bits, so that replicas that create records while offline never collide.
 *
 * @returns A new id such as `k3x9q0v7m2a8c1zd`.
 */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % 36];

  return id;
}
