const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 16;

/**
 * Random bytes drawn in blocks: asking the platform for 16 bytes at a time costs more than the
 * rest of booking a move, and a replica books thousands of moves a second on import.
 */
const pool = new Uint8Array(ID_LENGTH * 256);
let next = pool.length;

/**
 * Makes a random record id: 16 characters of base 36 from the platform's cryptographic random
 * source, about 82 bits, so that replicas that create records while offline never collide.
 *
 * @returns A new id such as `k3x9q0v7m2a8c1zd`.
 */
export function randomId(): string {
  if (next === pool.length) {
    crypto.getRandomValues(pool);
    next = 0;
  }
  let id = '';
  for (let i = 0; i < ID_LENGTH; i++) id += ALPHABET[(pool[next++] as number) % 36];

  return id;
}
