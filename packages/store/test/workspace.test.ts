import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import * as Y from 'yjs';

import { DomainError, type Product } from '@kura/domain';

import {
  Origin,
  openWorkspace,
  StoreError,
  type Workspace,
  type WorkspaceOptions,
} from '../src/index.js';
import { codeOf } from '../../domain/test/support.js';

const open: Workspace[] = [];

function workspace(id = 'acme'): Workspace {
  const opened = openWorkspace({ workspace: id });
  open.push(opened);
  return opened;
}

/** Sends each document's full state to the same document of the other workspace. */
function exchange(from: Workspace, to: Workspace): void {
  for (const name of ['catalog', 'stock', 'crm'] as const) {
    Y.applyUpdate(to.document(name), Y.encodeStateAsUpdate(from.document(name)));
  }
}

const servers: WebSocketServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((opened) => opened.destroy()));
  for (const server of servers.splice(0)) {
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A JWT-shaped token that expires in `seconds`; only the server, not the client, checks it. */
function fakeToken(label: string, seconds = 900): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + seconds;
  return `${encode({ alg: 'HS256' })}.${encode({ sub: label, exp })}.${label}`;
}

/**
 * A stand-in for the sync server that only looks at tokens: it records the token of each
 * connection, and closes with 4401 those that `refuse` picks.
 */
async function tokenServer(refuse: (token: string) => boolean = () => false) {
  const seen: string[] = [];
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    // Like the sync server: the token's subprotocol when one is offered, else the first.
    handleProtocols: (protocols) =>
      [...protocols].find((protocol) => protocol.startsWith('kura-token.')) ??
      [...protocols][0] ??
      false,
  });
  servers.push(server);
  server.on('connection', (socket) => {
    const token = socket.protocol.startsWith('kura-token.')
      ? socket.protocol.slice('kura-token.'.length)
      : '';
    seen.push(token);
    if (refuse(token)) socket.close(4401, 'token-invalid');
  });
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, seen, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function connected(options: Omit<WorkspaceOptions, 'workspace'>): Workspace {
  const opened = openWorkspace({
    workspace: 'acme',
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    scheduler: false,
    ...options,
  });
  open.push(opened);
  return opened;
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('workspace', () => {
  it('WS1 refuses a bad workspace id or server address before opening anything', () => {
    expect(() => openWorkspace({ workspace: 'a b' })).toThrow(StoreError);
    expect(() => openWorkspace({ workspace: '' })).toThrow(/workspace-id-invalid/);
    expect(() => openWorkspace({ workspace: 'x'.repeat(65) })).toThrow(/workspace-id-invalid/);
    expect(() => openWorkspace({ workspace: 'acme', server: 'http://host' })).toThrow(
      /^\[kura\/store\] server-url-invalid: /,
    );
  });

  it('WS2 names each document after its room on the server', () => {
    const opened = workspace('acme');
    expect(opened.document('catalog').guid).toBe('acme/catalog');
    expect(opened.document('stock').guid).toBe('acme/stock');
    expect(opened.document('crm').guid).toBe('acme/crm');
  });

  it('WS3 stays offline without a server', async () => {
    const opened = workspace();
    await opened.loaded;
    expect(opened.status).toBe('offline');
  });
});

describe('tokens', () => {
  it('AUTH9 asks the token provider first and again before the token expires', async () => {
    const { server, seen, url } = await tokenServer();
    const issued: string[] = [];
    const tokenProvider = async () => {
      const token = fakeToken(`t${issued.length + 1}`, 2);
      issued.push(token);
      return token;
    };

    connected({ server: url, tokenProvider });
    await until(() => seen.length === 3, 'three documents connected');
    expect(new Set(seen)).toEqual(new Set([issued[0]]));
    // A 2-second token is renewed halfway through; the next connections present the new one.
    await until(() => issued.length === 2, 'the renewal', 3000);
    for (const socket of server.clients) socket.close(4508, 'idle');

    await until(() => seen.length === 6, 'the reconnections');
    expect(seen.slice(3)).toEqual([issued[1], issued[1], issued[1]]);
  });

  it('AUTH10 asks for a new token once after a 4401 and reconnects with it', async () => {
    const refused = new Set<string>();
    const { seen, url } = await tokenServer((token) => refused.has(token));
    const stale = fakeToken('stale');
    refused.add(stale);
    let calls = 0;
    const tokenProvider = async () => {
      calls++;
      return fakeToken('fresh');
    };

    connected({ server: url, token: stale, tokenProvider });

    await until(() => seen.filter((token) => !refused.has(token)).length === 3, 'reconnected');
    expect(calls).toBe(1);
  });

  it('AUTH10 reports a 4401 when the new token is refused too, and stays offline', async () => {
    const { seen, url } = await tokenServer(() => true);
    const refusals: { document: string; code: number }[] = [];
    let calls = 0;
    const tokenProvider = async () => fakeToken(`bad-${++calls}`);

    const opened = connected({
      server: url,
      tokenProvider,
      onRefused: ({ document, code }) => refusals.push({ document, code }),
    });

    await until(() => refusals.length === 3, 'a refusal per document');
    expect(calls).toBe(2);
    expect(seen).toHaveLength(6);
    expect(refusals.map((refusal) => refusal.code)).toEqual([4401, 4401, 4401]);
    expect(refusals.map((refusal) => refusal.document).sort()).toEqual(['catalog', 'crm', 'stock']);
    expect(opened.status).toBe('offline');
  });

  it('AUTH10 reports a token provider that fails', async () => {
    const { seen, url } = await tokenServer();
    const refusals: string[] = [];

    connected({
      server: url,
      tokenProvider: () => Promise.reject(new Error('single sign-on is down')),
      onRefused: ({ reason }) => refusals.push(reason),
    });

    await until(() => refusals.length === 3, 'a refusal per document');
    expect(refusals[0]).toMatch(/single sign-on is down/);
    expect(seen).toEqual([]);
  });
});

describe('products', () => {
  it('CMD1 writes nothing when the draft is refused', () => {
    const opened = workspace();
    const before = Y.encodeStateVector(opened.document('catalog'));

    expect(() => opened.catalog.createProduct({ name: ' ' })).toThrow(DomainError);
    expect(() => opened.catalog.createProduct({ name: 'Beans', barcode: '123' })).toThrow(
      /product-barcode-invalid/,
    );
    expect(Y.encodeStateVector(opened.document('catalog'))).toEqual(before);
    expect(opened.catalog.products()).toEqual([]);
  });

  it('CMD2 records a product in one transaction with the command origin', () => {
    const opened = workspace();
    const origins: unknown[] = [];
    opened.document('catalog').on('afterTransaction', (transaction: Y.Transaction) => {
      origins.push(transaction.origin);
    });

    const product = opened.catalog.createProduct({
      name: 'Arabica coffee beans 1 kg',
      reference: 'ARB-1',
    });

    expect(origins).toEqual([Origin.command]);
    expect(product).toMatchObject({ name: 'Arabica coffee beans 1 kg', reference: 'ARB-1' });
    expect(product.id).toMatch(/^[0-9a-z]{16}$/);
    expect(opened.catalog.products()).toEqual([product]);
  });

  it('CMD3 calls subscribers at once, on remote changes, and never after unsubscribing', () => {
    const alice = workspace();
    const bob = workspace();
    const seen: (readonly Product[])[] = [];

    const unsubscribe = bob.catalog.subscribeProducts((products) => seen.push(products));
    alice.catalog.createProduct({ name: 'Gift box' });
    exchange(alice, bob);
    unsubscribe();
    alice.catalog.createProduct({ name: 'Tea' });
    exchange(alice, bob);

    expect(seen.map((products) => products.map((product) => product.name))).toEqual([
      [],
      ['Gift box'],
    ]);
    expect(bob.catalog.products().map((product) => product.name)).toEqual(['Gift box', 'Tea']);
  });

  it('CAT1 merges concurrent edits of one product field by field', () => {
    const alice = workspace();
    const bob = workspace();
    const product = alice.catalog.createProduct({ name: 'Beans' });
    exchange(alice, bob);

    const record = (opened: Workspace) =>
      opened.document('catalog').getMap<Y.Map<unknown>>('products').get(product.id)!;
    record(alice).set('name', 'Arabica beans');
    record(bob).set('reference', 'ARB-1');
    exchange(alice, bob);
    exchange(bob, alice);

    for (const opened of [alice, bob]) {
      expect(opened.catalog.products()).toEqual([
        { ...product, name: 'Arabica beans', reference: 'ARB-1' },
      ]);
    }
  });

  it('CAT2 finds products by the start of name words, reference or barcode', async () => {
    const opened = workspace();
    const catalog = opened.catalog;
    catalog.createProduct({ name: 'Arabica coffee beans 1 kg', barcode: '09506000134352' });
    catalog.createProduct({ name: 'Robusta coffee beans', reference: 'ARA-7' });
    catalog.createProduct({ name: '阿拉比卡咖啡豆', reference: 'CN-1' });
    catalog.createProduct({ name: 'Hex bolt M8', reference: 'HB-M8' });
    const names = async (query: string) =>
      (await catalog.searchProducts(query)).map((hit) => hit.name);

    expect(await names('coff bea')).toEqual(['Arabica coffee beans 1 kg', 'Robusta coffee beans']);
    expect(await names('ara')).toEqual(['Arabica coffee beans 1 kg', 'Robusta coffee beans']);
    expect(await names('ARA-7')).toEqual(['Robusta coffee beans']);
    expect(await names('0950600')).toEqual(['Arabica coffee beans 1 kg']);
    expect(await names('m8')).toEqual(['Hex bolt M8']);
    expect(await names('咖啡')).toEqual(['阿拉比卡咖啡豆']);
    expect(await names('  ')).toEqual([]);
    expect(await catalog.searchProducts('beans', { limit: 1 })).toHaveLength(1);
  });

  it('CAT3 records partners, merges their edits field by field and refuses bad ones', () => {
    const alice = workspace();
    const bob = workspace();
    const roastery = alice.catalog.createPartner({
      name: ' Roastery ',
      vendor: true,
      address: { street: '1 Dock Road', city: 'Rotterdam' },
    });
    exchange(alice, bob);

    alice.catalog.updatePartner(roastery.id, { email: 'orders@roastery.example' });
    bob.catalog.updatePartner(roastery.id, { customer: true });
    exchange(alice, bob);
    exchange(bob, alice);

    for (const opened of [alice, bob]) {
      expect(opened.catalog.partners()).toEqual([
        {
          id: roastery.id,
          name: 'Roastery',
          vendor: true,
          customer: true,
          email: 'orders@roastery.example',
          address: { street: '1 Dock Road', city: 'Rotterdam' },
        },
      ]);
    }
    const before = Y.encodeStateVector(alice.document('catalog')).join();
    expect(codeOf(() => alice.catalog.createPartner({ name: '  ' }))).toBe('partner-name-empty');
    expect(codeOf(() => alice.catalog.updatePartner(roastery.id, { email: 'no at sign' }))).toBe(
      'partner-email-invalid',
    );
    expect(codeOf(() => alice.catalog.updatePartner('nobody', { name: 'X' }))).toBe(
      'partner-unknown',
    );
    expect(Y.encodeStateVector(alice.document('catalog')).join()).toBe(before);
  });
});
