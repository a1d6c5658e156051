import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';

import { openWorkspace, type Workspace } from '@kura/store';

import { ACK_MESSAGE } from '../src/acks.js';
import {
  cleanupsAfterEach,
  connectClient,
  eventually,
  serverFor,
  type TestServer,
  testToken,
  whenSynced,
} from './harness.js';

const cleanups = cleanupsAfterEach();

function testServer(): Promise<TestServer> {
  return serverFor(cleanups);
}

async function kuraClient(url: string): Promise<Workspace> {
  const workspace = openWorkspace({
    workspace: 'acme',
    server: url,
    token: await testToken('acme'),
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    scheduler: false,
  });
  cleanups.push(() => workspace.destroy());
  return workspace;
}

describe('acknowledgements', () => {
  it('ACK2 tells a Kura client what is stored: its unsaved count falls back to 0', async () => {
    const { server } = await testServer();
    const alice = await kuraClient(server.url);
    await eventually(() => alice.status === 'synced', 'synced');
    const counts: number[] = [];
    alice.onUnsaved((unsaved) => counts.push(unsaved));

    for (let i = 0; i < 5; i++) alice.catalog.createProduct({ name: `Product ${i}` });
    expect(alice.unsaved).toBe(5);
    await eventually(() => alice.unsaved === 0, 'the acknowledgements');
    expect(Math.max(...counts)).toBe(5);
    expect(counts.at(-1)).toBe(0);
  });

  it('ACK2 keeps the count while disconnected and clears it after the reconnect', async () => {
    const { server } = await testServer();
    const alice = await kuraClient(server.url);
    await eventually(() => alice.status === 'synced', 'synced');

    alice.disconnect();
    alice.catalog.createProduct({ name: 'Written offline' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alice.unsaved).toBe(1);
    alice.connect();
    await eventually(() => alice.unsaved === 0, 'the acknowledgement after the reconnect');

    // A second client reading the room sees the change: it was stored and relayed.
    const reader = connectClient(server.url, 'acme/catalog');
    cleanups.push(() => reader.destroy());
    await whenSynced(reader);
    expect(reader.doc.getMap('products').size).toBe(1);
  });

  it('ACK3 never sends an acknowledgement to a stock client', async () => {
    const { server } = await testServer();
    const writer = connectClient(server.url, 'acme/stock', new Y.Doc());
    cleanups.push(() => writer.destroy());
    const types: number[] = [];
    const handlers = writer.messageHandlers;
    for (const [type, handler] of handlers.entries()) {
      if (handler === undefined) continue;
      handlers[type] = (encoder, decoder, provider, emitSynced, messageType) => {
        types.push(messageType);
        handler(encoder, decoder, provider, emitSynced, messageType);
      };
    }
    handlers[ACK_MESSAGE] = (_encoder, decoder: decoding.Decoder) => {
      types.push(ACK_MESSAGE);
      decoding.readVarUint(decoder);
    };
    await whenSynced(writer);

    writer.doc.getMap('notes').set('a', 1);
    const probe = connectClient(server.url, 'acme/stock');
    cleanups.push(() => probe.destroy());
    await eventually(() => probe.doc.getMap('notes').size === 1, 'the relay');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(types).not.toContain(ACK_MESSAGE);
    expect(types.length).toBeGreaterThan(0);
  });
});

describe('joining', () => {
  it('SYN3 gives every joiner the whole document, as it is when each joins', async () => {
    const { server } = await testServer();
    const writer = connectClient(server.url, 'acme/stock');
    cleanups.push(() => writer.destroy());
    await whenSynced(writer);
    writer.doc.getMap('notes').set('first', 1);
    const early = connectClient(server.url, 'acme/stock');
    const early2 = connectClient(server.url, 'acme/stock');
    cleanups.push(
      () => early.destroy(),
      () => early2.destroy(),
    );
    await eventually(
      () => early.doc.getMap('notes').size === 1 && early2.doc.getMap('notes').size === 1,
      'the first write at the early joiners',
    );

    writer.doc.getMap('notes').set('second', 2);
    await eventually(() => early.doc.getMap('notes').size === 2, 'the relay');
    const late = connectClient(server.url, 'acme/stock');
    cleanups.push(() => late.destroy());
    await whenSynced(late);
    expect(late.doc.getMap('notes').toJSON()).toEqual({ first: 1, second: 2 });
  });
});
