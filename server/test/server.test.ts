import { createServer } from 'node:net';

import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';

import { openWorkspace, type Workspace } from '@kura/store';

import { CloseCode, ConfigError, readConfig, runServer, StartError } from '../src/index.js';
import {
  cleanupsAfterEach,
  closeCodeOf,
  connectClient,
  eventually,
  makeDataDir,
  removeDataDir,
  serverFor,
  startTestServer,
  TEST_SECRET,
  type TestServer,
  testToken,
  whenSynced,
  withToken,
} from './harness.js';

const cleanups = cleanupsAfterEach();

function testServer(dataDir?: string): Promise<TestServer> {
  return serverFor(cleanups, dataDir);
}

function client(url: string, room: string) {
  const provider = connectClient(url, room);
  cleanups.push(() => provider.destroy());
  return provider;
}

describe('protocol', () => {
  it('SYN1 lets two stock y-websocket clients converge through the server', async () => {
    const { server } = await testServer();
    const alice = client(server.url, 'acme/catalog');
    const bob = client(server.url, 'acme/catalog');
    await Promise.all([whenSynced(alice), whenSynced(bob)]);

    alice.doc.getMap('notes').set('from-alice', 1);
    bob.doc.getMap('notes').set('from-bob', 2);

    await eventually(
      () => alice.doc.getMap('notes').size === 2 && bob.doc.getMap('notes').size === 2,
      'both writes on both clients',
    );
    expect(alice.doc.getMap('notes').toJSON()).toEqual(bob.doc.getMap('notes').toJSON());
  });

  it('SYN1 relays awareness between clients of a room', async () => {
    const { server } = await testServer();
    const alice = client(server.url, 'acme/crm');
    const bob = client(server.url, 'acme/crm');
    await Promise.all([whenSynced(alice), whenSynced(bob)]);

    alice.awareness.setLocalStateField('user', { name: 'alice' });

    await eventually(
      () => bob.awareness.getStates().get(alice.doc.clientID)?.['user']?.name === 'alice',
      "alice's presence at bob",
    );
  });

  it('SYN1 keeps rooms apart', async () => {
    const { server } = await testServer();
    const catalog = client(server.url, 'acme/catalog');
    const other = client(server.url, 'globex/catalog');
    await Promise.all([whenSynced(catalog), whenSynced(other)]);

    catalog.doc.getMap('notes').set('secret', 1);
    const probe = client(server.url, 'acme/catalog');
    await eventually(() => probe.doc.getMap('notes').size === 1, 'the write in its room');

    expect(other.doc.getMap('notes').size).toBe(0);
  });

  it('SYN1 syncs Kura workspaces: status reaches synced and products travel', async () => {
    const { server } = await testServer();
    const options = {
      workspace: 'acme',
      server: server.url,
      token: await testToken('acme'),
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    };
    const alice: Workspace = openWorkspace(options);
    const bob: Workspace = openWorkspace(options);
    cleanups.push(
      () => alice.destroy(),
      () => bob.destroy(),
    );
    const statuses: string[] = [];
    alice.onStatus((status) => statuses.push(status));

    await eventually(() => alice.status === 'synced' && bob.status === 'synced', 'synced');
    alice.catalog.createProduct({ name: 'Arabica coffee beans 1 kg', barcode: '09506000134352' });
    await eventually(() => bob.catalog.products().length === 1, 'the product at bob');

    expect(bob.catalog.products()[0]).toMatchObject({ barcode: '09506000134352' });
    expect(statuses.at(-1)).toBe('synced');
    alice.disconnect();
    expect(alice.status).toBe('offline');
  });

  it('SYN1 keeps a connection that answers pings open', async () => {
    const running = await startTestServer(undefined, { pingIntervalMs: 20 });
    cleanups.push(() => running.stop());
    const provider = client(running.server.url, 'acme/crm');
    await whenSynced(provider);
    const closes: number[] = [];
    provider.on('connection-close', (event) => closes.push(event?.code ?? 0));

    await new Promise((resolve) => setTimeout(resolve, 150));

    expect(closes).toEqual([]);
    expect(provider.wsconnected).toBe(true);
  });

  it('SYN2 closes a connection to a malformed room name with 4400', async () => {
    const { server } = await testServer();

    expect(await closeCodeOf(`${server.url}/no-document`)).toBe(CloseCode.malformed);
    expect(await closeCodeOf(`${server.url}/a/b/c`)).toBe(CloseCode.malformed);
    expect(await closeCodeOf(`${server.url}/a%20b/catalog`)).toBe(CloseCode.malformed);
  });

  it('SYN2 closes a connection that sends garbage with 4400 and other rooms go on', async () => {
    const { server } = await testServer();
    const alice = client(server.url, 'acme/stock');
    const bob = client(server.url, 'acme/stock');
    await Promise.all([whenSynced(alice), whenSynced(bob)]);
    const url = withToken(`${server.url}/acme/stock`, await testToken('acme'));

    const unknownType = closeCodeOf(url, (socket) => socket.send(Uint8Array.of(7, 1, 2)));
    const badUpdate = closeCodeOf(url, (socket) =>
      socket.send(Uint8Array.of(0, 2, 5, 1, 2, 3, 4, 5)),
    );
    const text = closeCodeOf(url, (socket) => socket.send('hello'));
    expect(await Promise.all([unknownType, badUpdate, text])).toEqual([4400, 4400, 4400]);

    alice.doc.getMap('notes').set('after', true);
    await eventually(() => bob.doc.getMap('notes').get('after') === true, 'sync after garbage');
  });
});

describe('storage', () => {
  it('STO1 keeps documents in the data folder across a restart', async () => {
    const dataDir = makeDataDir();
    cleanups.push(() => removeDataDir(dataDir));
    const first = await startTestServer(dataDir);
    const writer = connectClient(first.server.url, 'acme/stock');
    await whenSynced(writer);
    for (let i = 0; i < 50; i++) writer.doc.getMap('moves').set(`m${i}`, i);
    const expected = writer.doc.getMap('moves').toJSON();
    const observer = connectClient(first.server.url, 'acme/stock');
    await eventually(() => observer.doc.getMap('moves').size === 50, 'the relay of every write');
    writer.destroy();
    observer.destroy();
    await first.stop();

    const second = await testServer(dataDir);
    const reader = client(second.server.url, 'acme/stock');
    await whenSynced(reader);

    expect(reader.doc.getMap('moves').toJSON()).toEqual(expected);
  });
});

describe('operations', () => {
  it('OPS1 answers /healthz with 200 while storage answers', async () => {
    const { server } = await testServer();
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${server.port}/nothing`)).status).toBe(404);
  });

  it('OPS2 names the variable that holds a bad setting', () => {
    const secret = { KURA_SECRET: TEST_SECRET };
    expect(() => readConfig({ ...secret, KURA_SYNC_PORT: 'abc' })).toThrow(ConfigError);
    expect(() => readConfig({ ...secret, KURA_SYNC_PORT: '70000' })).toThrow(/KURA_SYNC_PORT/);
    expect(() => readConfig({ ...secret, KURA_LOG_LEVEL: 'loud' })).toThrow(/KURA_LOG_LEVEL/);
    expect(() => readConfig({ ...secret, KURA_DEV: 'yes' })).toThrow(/KURA_DEV/);
    expect(() => readConfig({ KURA_SECRET: 'short' })).toThrow(/KURA_SECRET has 5 characters/);
    expect(() => readConfig({ ...secret, KURA_RATE_LIMIT: '0' })).toThrow(/KURA_RATE_LIMIT/);
    expect(() => readConfig({ ...secret, KURA_RATE_BURST: '-3' })).toThrow(/KURA_RATE_BURST/);
    expect(() => readConfig({ ...secret, KURA_MAX_MESSAGE_BYTES: '2MB' })).toThrow(
      /KURA_MAX_MESSAGE_BYTES/,
    );
    expect(() => readConfig({ ...secret, KURA_ALLOWED_ORIGINS: 'intranet.example' })).toThrow(
      /KURA_ALLOWED_ORIGINS/,
    );
    expect(readConfig(secret)).toMatchObject({
      host: '127.0.0.1',
      port: 1234,
      logLevel: 'info',
      dev: false,
      allowedOrigins: undefined,
      maxMessageBytes: 2 * 1024 * 1024,
      rateLimit: 200,
      rateBurst: 1000,
    });
  });

  it('OPS2 says which port is taken and which variable changes it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = makeDataDir();
    cleanups.push(() => removeDataDir(dataDir));

    const start = runServer(
      { KURA_SYNC_PORT: String(port), KURA_DATA_DIR: dataDir, KURA_SECRET: TEST_SECRET },
      {
        log() {},
      },
    );

    await expect(start).rejects.toThrow(StartError);
    await expect(start).rejects.toThrow(new RegExp(`port ${port} .*KURA_SYNC_PORT`));
  });

  it('OPS3 closes every connection with 4503 when it stops', async () => {
    const running = await startTestServer();
    const provider = connectClient(running.server.url, 'acme/crm');
    cleanups.push(() => provider.destroy());
    await whenSynced(provider);
    const closed = new Promise<number>((resolve) =>
      provider.on('connection-close', (event) => resolve(event?.code ?? 0)),
    );

    await running.stop();

    expect(await closed).toBe(CloseCode.shuttingDown);
  });
});

it('SYN1 stores what a Y.Doc update carries, not a copy per client', async () => {
  const { server } = await testServer();
  const doc = new Y.Doc();
  const writer = connectClient(server.url, 'acme/catalog', doc);
  await whenSynced(writer);
  doc.getArray('lines').push(['a', 'b']);
  const reader = client(server.url, 'acme/catalog');
  await eventually(() => reader.doc.getArray('lines').length === 2, 'the lines at the reader');
  writer.destroy();

  expect(reader.doc.getArray('lines').toArray()).toEqual(['a', 'b']);
});
