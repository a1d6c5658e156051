import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

/** What a token lets its holder do with a document: `read` receives, `write` also changes. */
export type Access = 'read' | 'write';

/** Document names, or `*` for every document of the workspace, each with the access granted. */
export type Acl = Readonly<Record<string, Access>>;

/** The checked claims of a token. */
export interface TokenClaims {
  /** The user id. */
  readonly sub: string;
  /** The user's display name; the user id when the token names none. */
  readonly name: string;
  /** The workspace the token opens. */
  readonly ws: string;
  /** The documents of that workspace the token opens, and how. */
  readonly acl: Acl;
  /** When the token expires, in seconds since 1970-01-01 UTC. */
  readonly exp: number;
}

/** What a new token grants; see {@link signToken}. */
export interface TokenGrant {
  sub: string;
  /** Shown to other people; defaults to `sub`. */
  name?: string | undefined;
  ws: string;
  acl: Acl;
}

/** Codes of {@link TokenError}. */
export type TokenErrorCode =
  'token-missing' | 'token-invalid' | 'token-expired' | 'token-lifetime-too-long' | 'grant-invalid';

/** A token the server refuses, or a grant it will not sign. Never carries the token itself. */
export class TokenError extends Error {
  override readonly name = 'TokenError';

  constructor(
    readonly code: TokenErrorCode,
    detail: string,
  ) {
    super(`[kura/server] ${code}: ${detail}`);
  }
}

/** The longest a token may be valid: a day. A longer one is refused. */
export const MAX_TOKEN_SECONDS = 86_400;

/** How long {@link signToken} makes a token valid unless told otherwise: 15 minutes. */
export const DEFAULT_TOKEN_SECONDS = 900;

/** Workspace ids and document names: letters, digits, `-` and `_`, at most 64. */
export const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The subprotocol prefix under which a browser, which cannot set headers, sends its token. */
export const TOKEN_PROTOCOL_PREFIX = 'kura-token.';

/** Issuers' clocks run a little ahead of ours; a token may claim up to this much extra. */
const CLOCK_SKEW_SECONDS = 60;

/**
 * Checks the tokens that connections present: HS256 with a shared secret, EdDSA with an
 * Ed25519 public key, or both. Each algorithm is verified only with its own key, so a token
 * cannot pick the algorithm that suits a forger; `none` is never accepted.
 */
export class TokenVerifier {
  readonly #secret: KeyObject | undefined;
  readonly #publicKey: KeyObject | undefined;
  readonly #algorithms: string[];

  /**
   * @param keys - `secret` for HS256 tokens, `publicKey` (Ed25519) for EdDSA tokens.
   * @throws {TypeError} When neither key is given, or the public key is not Ed25519.
   */
  constructor(keys: { secret?: string | undefined; publicKey?: KeyObject | undefined }) {
    if (keys.publicKey !== undefined && keys.publicKey.asymmetricKeyType !== 'ed25519') {
      throw new TypeError('the public key is not an Ed25519 public key');
    }
    this.#secret = keys.secret === undefined ? undefined : secretKey(keys.secret);
    this.#publicKey = keys.publicKey;
    this.#algorithms = [...(this.#secret ? ['HS256'] : []), ...(this.#publicKey ? ['EdDSA'] : [])];
    if (this.#algorithms.length === 0) throw new TypeError('a verifier needs a secret or a key');
  }

  /**
   * Checks a token's signature, expiry, lifetime and claims.
   *
   * @param token - The token the connection presented, if any.
   * @param now - The current time in milliseconds, for tests.
   * @returns The claims.
   * @throws {TokenError} `token-missing`, `token-invalid`, `token-expired` or
   *   `token-lifetime-too-long`.
   */
  async verify(token: string | undefined, now = Date.now()): Promise<TokenClaims> {
    if (token === undefined || token === '') {
      throw new TokenError('token-missing', 'the connection presents no token');
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(
        token,
        ({ alg }) => (alg === 'HS256' ? this.#secret : this.#publicKey) as KeyObject,
        { algorithms: this.#algorithms, currentDate: new Date(now), requiredClaims: ['exp'] },
      ));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new TokenError('token-expired', 'the token has expired; ask for a new one');
      }
      throw new TokenError('token-invalid', 'the token is malformed or not signed by our key');
    }

    return checkClaims(payload, Math.floor(now / 1000));
  }
}

/**
 * Signs a token: HS256 with a secret string, EdDSA with an Ed25519 private key.
 *
 * @param grant - Who, which workspace, which documents.
 * @param key - The secret (`KURA_SECRET`) or an Ed25519 private key.
 * @param options - `seconds` of validity (15 minutes by default, a day at most); `now` in
 *   milliseconds, for tests.
 * @returns The token.
 * @throws {TokenError} `grant-invalid` for a bad workspace id, document name, access or user id;
 *   `token-lifetime-too-long` past a day.
 *
 * @example
 * ```ts
 * const token = await signToken(
 *   { sub: 'alice', ws: 'acme', acl: { crm: 'write', stock: 'read' } },
 *   process.env.KURA_SECRET!,
 * );
 * ```
 */
export async function signToken(
  grant: TokenGrant,
  key: string | KeyObject,
  options: { seconds?: number | undefined; now?: number | undefined } = {},
): Promise<string> {
  const seconds = options.seconds ?? DEFAULT_TOKEN_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TOKEN_SECONDS) {
    throw new TokenError(
      'token-lifetime-too-long',
      `a token is valid from 1 second to a day, not ${seconds} s`,
    );
  }
  checkGrant(grant);

  const issuedAt = Math.floor((options.now ?? Date.now()) / 1000);
  const token = new SignJWT({ name: grant.name ?? grant.sub, ws: grant.ws, acl: { ...grant.acl } })
    .setSubject(grant.sub)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + seconds);

  if (typeof key === 'string') {
    return token.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secretKey(key));
  }
  return token.setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(key);
}

/**
 * Reads an acl written as `crm=write,stock=read` (`*` names every document).
 *
 * @returns The acl.
 * @throws {TokenError} `grant-invalid`, saying which entry is wrong.
 */
export function parseAcl(text: string): Acl {
  const acl: Record<string, Access> = {};

  for (const entry of text.split(',')) {
    const [document = '', access = '', extra] = entry.trim().split('=');
    if (extra !== undefined || (document !== '*' && !NAME.test(document))) {
      throw new TokenError('grant-invalid', `"${entry.trim()}" is not <document>=<read|write>`);
    }
    if (access !== 'read' && access !== 'write') {
      throw new TokenError('grant-invalid', `"${entry.trim()}" gives neither read nor write`);
    }
    if (document in acl) throw new TokenError('grant-invalid', `"${document}" is named twice`);
    acl[document] = access;
  }

  return acl;
}

/**
 * Reads a duration such as `90s`, `15m`, `8h` or `1d`; a bare number is seconds.
 *
 * @returns The seconds.
 * @throws {TokenError} `grant-invalid` for another form; `token-lifetime-too-long` past a day.
 */
export function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (match === null) {
    throw new TokenError('grant-invalid', `"${text}" is not a duration such as 90s, 15m or 8h`);
  }

  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'] ?? 1;
  const seconds = Number(match[1]) * unit;
  if (seconds < 1 || seconds > MAX_TOKEN_SECONDS) {
    throw new TokenError('token-lifetime-too-long', `${text} is not from 1 second to a day`);
  }
  return seconds;
}

/** @returns The access a token grants to a document: its own entry first, then `*`. */
export function accessTo(claims: TokenClaims, document: string): Access | undefined {
  return Object.hasOwn(claims.acl, document) ? claims.acl[document] : claims.acl['*'];
}

/**
 * Finds the token of an upgrade request: a `kura-token.<jwt>` subprotocol, which browsers can
 * send, else the `token` query parameter, which y-websocket's `params` sends.
 *
 * @returns The token, or `undefined` when the request carries none.
 */
export function tokenOf(request: IncomingMessage): string | undefined {
  const protocols = request.headers['sec-websocket-protocol']?.split(',') ?? [];
  const offered = protocols.map((protocol) => protocol.trim());
  const fromProtocol = offered.find((protocol) => protocol.startsWith(TOKEN_PROTOCOL_PREFIX));
  if (fromProtocol !== undefined) return fromProtocol.slice(TOKEN_PROTOCOL_PREFIX.length);

  return new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
}

/**
 * Reads an Ed25519 public key in PEM (SPKI), as `KURA_PUBLIC_KEY_FILE` holds it.
 *
 * @throws {TypeError} When the text is no PEM public key, or one of another type.
 */
export function publicKeyFromPem(pem: string): KeyObject {
  const key = createPublicKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`it holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  }
  return key;
}

function secretKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

function checkGrant(grant: TokenGrant): void {
  if (typeof grant.sub !== 'string' || grant.sub === '' || grant.sub.length > 256) {
    throw new TokenError('grant-invalid', 'the user id (sub) is 1 to 256 characters');
  }
  if (!NAME.test(grant.ws)) {
    throw new TokenError('grant-invalid', `"${grant.ws}" is not a workspace id`);
  }
  if (!isAcl(grant.acl)) {
    throw new TokenError('grant-invalid', 'the acl maps document names or * to read or write');
  }
}

/** Holds a verified payload to the shape of a Kura token, and its lifetime to a day. */
function checkClaims(payload: JWTPayload, nowSeconds: number): TokenClaims {
  const { sub, name, ws, acl, exp, iat } = payload;
  const invalid = (detail: string) => new TokenError('token-invalid', detail);

  if (typeof sub !== 'string' || sub === '' || sub.length > 256) throw invalid('no user id');
  if (typeof ws !== 'string' || !NAME.test(ws)) throw invalid('no valid workspace id (ws)');
  if (!isAcl(acl)) throw invalid('the acl does not map documents to read or write');
  if (name !== undefined && typeof name !== 'string') throw invalid('the name is not text');

  const expires = exp as number;
  const tooLong =
    expires - nowSeconds > MAX_TOKEN_SECONDS + CLOCK_SKEW_SECONDS ||
    (iat !== undefined && expires - iat > MAX_TOKEN_SECONDS);
  if (tooLong) {
    throw new TokenError('token-lifetime-too-long', 'a token may be valid for a day at most');
  }

  return { sub, name: name ?? sub, ws, acl, exp: expires };
}

function isAcl(value: unknown): value is Acl {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;

  const entries = Object.entries(value);
  return (
    entries.length > 0 &&
    entries.length <= 256 &&
    entries.every(
      ([document, access]) =>
        (document === '*' || NAME.test(document)) && (access === 'read' || access === 'write'),
    )
  );
}
