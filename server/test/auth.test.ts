import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

import {
  CloseCode,
  ConfigError,
  runServer,
  signToken,
  tokenCommand,
  TokenVerifier,
  UsageError,
  type Logger,
  type ServerOptions,
} from '../src/index.js';
import {
  cleanupsAfterEach,
  type ClientOptions,
  closeCodeOf,
  connectClient,
  eventually,
  makeDataDir,
  nextCloseCode,
  removeDataDir,
  startTestServer,
  TEST_SECRET,
  testToken,
  whenSynced,
  withToken,
} from './harness.js';

const cleanups = cleanupsAfterEach();

async function testServer(options: Partial<ServerOptions> = {}) {
  const dataDir = makeDataDir();
  const running = await startTestServer(dataDir, options);
  cleanups.push(
    () => removeDataDir(dataDir),
    () => running.stop(),
  );
  return running.server;
}

function client(url: string, room: string, options: ClientOptions = {}) {
  const provider = connectClient(url, room, new Y.Doc(), options);
  cleanups.push(() => provider.destroy());
  return provider;
}

/** Resolves with the code of the close after which the provider gives up for good. */
function finalClose(provider: WebsocketProvider): Promise<number> {
  return new Promise((resolve) => provider.on('closed', ({ code }) => resolve(code)));
}

/** Counts the permission-denied messages that a stock provider receives. */
function countDenials(provider: WebsocketProvider): { count: number } {
  const denials = { count: 0 };
  provider.messageHandlers[2] = () => denials.count++;
  return denials;
}

/** Moves the token to the workspace `acme`, keeping header and signature. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const changed = Buffer.from(JSON.stringify({ ...claims, ws: 'acme' })).toString('base64url');
  return [header, changed, signature].join('.');
}

function unsigned(claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
}

describe('authentication', () => {
  it('AUTH1 lets two clients with tokens converge, by query parameter or subprotocol', async () => {
    const server = await testServer();
    const token = await testToken('acme', { catalog: 'write' });
    const alice = client(server.url, 'acme/catalog', { token });
    const bob = client(server.url, 'acme/catalog', { protocols: [`kura-token.${token}`] });
    await Promise.all([whenSynced(alice), whenSynced(bob)]);

    alice.doc.getMap('notes').set('from-alice', 1);
    bob.doc.getMap('notes').set('from-bob', 2);

    await eventually(
      () => alice.doc.getMap('notes').size === 2 && bob.doc.getMap('notes').size === 2,
      'both writes on both clients',
    );
    expect(bob.ws?.protocol).toBe(`kura-token.${token}`);
  });

  it('AUTH1 closes a connection without a token with 4401, and the client gives up', async () => {
    const server = await testServer();
    const provider = client(server.url, 'acme/catalog', { token: null });

    expect(await finalClose(provider)).toBe(CloseCode.unauthorized);
    expect(await closeCodeOf(`${server.url}/acme/catalog`)).toBe(4401);
    expect(await closeCodeOf(withToken(`${server.url}/acme/catalog`, ''))).toBe(4401);
  });

  it('AUTH1 closes a connection with an expired token with 4401', async () => {
    const server = await testServer();
    const expired = await testToken('acme', undefined, { now: Date.now() - 3_600_000 });

    expect(await finalClose(client(server.url, 'acme/crm', { token: expired }))).toBe(4401);
  });

  it('AUTH1 closes forged tokens with 4401: wrong secret, tampered payload, alg none', async () => {
    const server = await testServer();
    const url = `${server.url}/acme/crm`;
    const grant = { sub: 'mallory', ws: 'acme', acl: { '*': 'write' } } as const;
    const wrongSecret = await signToken(grant, 'another-secret-0123456789abcdefghij');
    const tampered = tamper(await testToken('globex'));
    const exp = Math.floor(Date.now() / 1000) + 600;
    const none = unsigned({ ...grant, exp });
    const nonsense = 'not.a.token';

    const codes = await Promise.all(
      [wrongSecret, tampered, none, nonsense].map((token) => closeCodeOf(withToken(url, token))),
    );

    expect(codes).toEqual([4401, 4401, 4401, 4401]);
  });

  it('AUTH1 refuses a token valid for more than a day with 4401', async () => {
    const server = await testServer();
    const now = Math.floor(Date.now() / 1000);
    const sign = (iat: number, exp: number) =>
      new SignJWT({ ws: 'acme', acl: { '*': 'write' } })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('alice')
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(Buffer.from(TEST_SECRET));
    const twoDays = await sign(now, now + 2 * 86_400);
    const backdated = await sign(now - 86_400, now + 600);
    const url = `${server.url}/acme/crm`;

    expect(await closeCodeOf(withToken(url, twoDays))).toBe(4401);
    expect(await closeCodeOf(withToken(url, backdated))).toBe(4401);
    await expect(signToken({ sub: 'a', ws: 'acme', acl: {} }, TEST_SECRET)).rejects.toThrow(
      /grant-invalid/,
    );
  });

  it('AUTH1 never writes a token into the log', async () => {
    const lines: string[] = [];
    const logger: Logger = { log: (...entry) => lines.push(JSON.stringify(entry)) };
    const server = await testServer({ logger });
    const token = await testToken('acme', { crm: 'read' });
    const synced = client(server.url, 'acme/crm', { token });
    await whenSynced(synced);
    synced.doc.getMap('notes').set('refused', true);

    await closeCodeOf(withToken(`${server.url}/acme/stock`, token));
    await closeCodeOf(withToken(`${server.url}/acme/crm`, tamper(await testToken('globex'))));
    await closeCodeOf(`${server.url}/bad-room?token=${token}`);

    expect(lines.some((line) => line.includes('connection-refused'))).toBe(true);
    const secrets = [token, token.split('.')[2]!, TEST_SECRET];
    expect(lines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
  });

  it('AUTH8 closes a connection with 4401 when its token expires', async () => {
    const server = await testServer();
    const token = await testToken('acme', undefined, { seconds: 2 });
    const provider = client(server.url, 'acme/stock', { token });
    await whenSynced(provider);

    expect(await finalClose(provider)).toBe(CloseCode.unauthorized);
  });
});

describe('authorization', () => {
  it('AUTH2 closes a connection to another workspace with 4403', async () => {
    const server = await testServer();
    const token = await testToken('globex');

    expect(await finalClose(client(server.url, 'acme/stock', { token }))).toBe(4403);
  });

  it('AUTH2 closes a connection to a document the acl does not name with 4403', async () => {
    const server = await testServer();
    const token = await testToken('acme', { crm: 'write', stock: 'read' });

    expect(await closeCodeOf(withToken(`${server.url}/acme/catalog`, token))).toBe(4403);
    const crm = client(server.url, 'acme/crm', { token });
    const stock = client(server.url, 'acme/stock', { token });
    await Promise.all([whenSynced(crm), whenSynced(stock)]);
  });

  it('AUTH3 lets a read-only client receive everything and change nothing', async () => {
    const server = await testServer();
    const writer = client(server.url, 'acme/stock');
    const observer = client(server.url, 'acme/stock');
    const readOnly = await testToken('acme', { stock: 'read', '*': 'write' }, { sub: 'carol' });
    const reader = client(server.url, 'acme/stock', { token: readOnly });
    const denials = countDenials(reader);
    await Promise.all([whenSynced(writer), whenSynced(observer), whenSynced(reader)]);
    // The empty sync step 2 that answered the server's state vector was no write.
    expect(denials.count).toBe(0);

    reader.doc.getMap('notes').set('from-reader', 1);
    reader.awareness.setLocalStateField('user', { name: 'carol' });
    writer.doc.getMap('notes').set('from-writer', 2);

    await eventually(() => reader.doc.getMap('notes').get('from-writer') === 2, 'the relay');
    await eventually(() => denials.count === 1, 'the permission-denied message');
    await eventually(
      () => observer.awareness.getStates().get(reader.doc.clientID)?.['user']?.name === 'carol',
      "the read-only client's presence",
    );
    const late = client(server.url, 'acme/stock');
    await whenSynced(late);
    for (const other of [writer, observer, late]) {
      expect(other.doc.getMap('notes').toJSON()).toEqual({ 'from-writer': 2 });
    }
    reader.doc.getMap('notes').set('again', 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(denials.count).toBe(1);
  });

  it('AUTH3 closes a read-only client that keeps writing with 4403', async () => {
    const server = await testServer();
    const token = await testToken('acme', { stock: 'read' });
    const reader = client(server.url, 'acme/stock', { token });
    await whenSynced(reader);
    const closed = finalClose(reader);

    for (let i = 0; i < 12; i++) reader.doc.getMap('notes').set(`n${i}`, i);

    expect(await closed).toBe(CloseCode.forbidden);
  });

  it('AUTH4 accepts EdDSA tokens checked with the public key in KURA_PUBLIC_KEY_FILE', async () => {
    const dataDir = makeDataDir();
    cleanups.push(() => removeDataDir(dataDir));
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const keyFile = join(dataDir, 'kura-public.pem');
    writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const env = { KURA_SYNC_PORT: '0', KURA_DATA_DIR: dataDir, KURA_PUBLIC_KEY_FILE: keyFile };
    const running = await runServer(env, { log() {} });
    cleanups.push(() => running.stop());
    const url = running.server.url;

    const token = await signToken({ sub: 'alice', ws: 'acme', acl: { '*': 'write' } }, privateKey);
    const alice = client(url, 'acme/crm', { token });
    await whenSynced(alice);

    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({
      alg: 'EdDSA',
    });
    expect(await closeCodeOf(withToken(`${url}/acme/crm`, await testToken('acme')))).toBe(4401);
    const other = generateKeyPairSync('ed25519').privateKey;
    const forged = await signToken({ sub: 'eve', ws: 'acme', acl: { '*': 'write' } }, other);
    expect(await closeCodeOf(withToken(`${url}/acme/crm`, forged))).toBe(4401);
    writeFileSync(keyFile, 'not a key');
    await expect(runServer(env, { log() {} })).rejects.toThrow(/KURA_PUBLIC_KEY_FILE/);
  });

  it('AUTH5 closes a page from an origin not in KURA_ALLOWED_ORIGINS with 4403', async () => {
    const server = await testServer({ allowedOrigins: ['https://intranet.example'] });
    const url = withToken(`${server.url}/acme/crm`, await testToken('acme'));

    expect(await closeCodeOf(url, undefined, { origin: 'https://evil.example' })).toBe(4403);
    const allowed = closeCodeOf(url, (socket) => socket.close(1000), {
      origin: 'https://intranet.example',
    });
    expect(await allowed).toBe(1000);
    // A script sends no Origin; its token is what lets it in.
    await whenSynced(client(server.url, 'acme/crm'));
  });
});

describe('development mode', () => {
  async function run(env: Record<string, string>) {
    const dataDir = makeDataDir();
    cleanups.push(() => removeDataDir(dataDir));
    const running = await runServer(
      { KURA_SYNC_PORT: '0', KURA_DATA_DIR: dataDir, ...env },
      { log() {} },
    );
    cleanups.push(() => running.stop());
    return running;
  }

  it('AUTH6 hands out 15-minute tokens at /dev/token in development mode only', async () => {
    const dev = await run({ KURA_DEV: '1' });
    const base = `http://127.0.0.1:${dev.server.port}/dev/token`;

    const response = await fetch(`${base}?ws=acme&sub=alice&acl=crm%3Dwrite`);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const { token } = (await response.json()) as { token: string };
    const claims = await new TokenVerifier({ secret: dev.secret! }).verify(token);
    expect(claims).toMatchObject({ sub: 'alice', name: 'alice', ws: 'acme' });
    expect(claims.exp * 1000 - Date.now()).toBeGreaterThan(890_000);
    expect(claims.exp * 1000 - Date.now()).toBeLessThanOrEqual(900_000);
    await whenSynced(client(dev.server.url, 'acme/crm', { token }));
    expect(await closeCodeOf(withToken(`${dev.server.url}/acme/stock`, token))).toBe(4403);
    expect((await fetch(`${base}?ws=acme&sub=alice&acl=crm%3Dadmin`)).status).toBe(400);
    expect((await fetch(`${base}?ws=a%20b&sub=alice`)).status).toBe(400);

    const production = await run({ KURA_SECRET: TEST_SECRET });
    const port = production.server.port;
    expect((await fetch(`http://127.0.0.1:${port}/dev/token?ws=acme&sub=a`)).status).toBe(404);
  });

  it('AUTH6 stops at start without KURA_SECRET outside development mode', async () => {
    const start = run({});

    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(/KURA_SECRET is not set/);
  });

  it('AUTH7 prints a token with `kura-server token` that the server accepts', async () => {
    const server = await testServer();
    const args = ['--ws', 'acme', '--acl', 'crm=write,stock=read', '--sub', 'alice'];

    const token = await tokenCommand([...args, '--name', 'Alice', '--ttl', '10m'], {
      KURA_SECRET: TEST_SECRET,
    });

    const claims = await new TokenVerifier({ secret: TEST_SECRET }).verify(token);
    expect(claims).toMatchObject({ name: 'Alice', acl: { crm: 'write', stock: 'read' } });
    expect(claims.exp * 1000 - Date.now()).toBeGreaterThan(590_000);
    await whenSynced(client(server.url, 'acme/crm', { token }));
    await expect(tokenCommand(args.slice(2), { KURA_SECRET: TEST_SECRET })).rejects.toThrow(
      UsageError,
    );
    await expect(tokenCommand(args, {})).rejects.toThrow(/KURA_SECRET/);
    await expect(
      tokenCommand([...args, '--ttl', '2d'], { KURA_SECRET: TEST_SECRET }),
    ).rejects.toThrow(/token-lifetime-too-long/);
  });
});

describe('limits', () => {
  it('LIM1 closes a connection that sends a message over the size limit with 4413', async () => {
    const server = await testServer({ maxMessageBytes: 64 * 1024 });
    const url = withToken(`${server.url}/acme/stock`, await testToken('acme'));
    const huge = new Uint8Array(100 * 1024);

    expect(await closeCodeOf(url, (socket) => socket.send(huge))).toBe(CloseCode.tooLarge);

    const writer = client(server.url, 'acme/stock');
    await whenSynced(writer);
    const closed = finalClose(writer);
    writer.doc.getMap('notes').set('blob', 'x'.repeat(80 * 1024));
    expect(await closed).toBe(CloseCode.tooLarge);
  });

  it('LIM2 closes a connection that floods messages with 4529; the client retries', async () => {
    const server = await testServer({ rateLimit: { perSecond: 20, burst: 30 } });
    const url = withToken(`${server.url}/acme/stock`, await testToken('acme'));
    // A sync step 1 with an empty state vector.
    const syncStep1 = Uint8Array.of(0, 0, 1, 0);

    const flood = (socket: WebSocket) => {
      for (let i = 0; i < 100; i++) socket.send(syncStep1);
    };
    expect(await closeCodeOf(url, flood)).toBe(CloseCode.tooManyMessages);

    const writer = client(server.url, 'acme/stock');
    await whenSynced(writer);
    const closed = nextCloseCode(writer);
    for (let i = 0; i < 100; i++) writer.doc.getMap('notes').set(`n${i}`, i);
    expect(await closed).toBe(CloseCode.tooManyMessages);
    // 4529 is transient: the client comes back and its state syncs in one message.
    await eventually(() => writer.synced, 'the client back in sync');
    const reader = client(server.url, 'acme/stock');
    await eventually(() => reader.doc.getMap('notes').size === 100, 'every write stored');
  });
});
