import { describe, expect, it } from 'vitest';

import {
  cleanupsAfterEach,
  closeCodeOf,
  connectClient,
  serverFor,
  type TestServer,
  whenSynced,
} from './harness.js';

const cleanups = cleanupsAfterEach();

function testServer(): Promise<TestServer> {
  return serverFor(cleanups);
}

/** The value of one sample of the Prometheus text, or `undefined` when it is not there. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function metrics(server: TestServer['server']): Promise<string> {
  const response = await fetch(`${server.url.replace('ws://', 'http://')}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('metrics', () => {
  it('OPS4 counts connections, rooms, updates, commits and refusals for Prometheus', async () => {
    const { server } = await testServer();
    const writer = connectClient(server.url, 'acme/stock');
    cleanups.push(() => writer.destroy());
    await whenSynced(writer);
    writer.doc.getMap('notes').set('a', 1);
    writer.doc.getMap('notes').set('b', 2);
    expect(await closeCodeOf(`${server.url}/acme/stock`)).toBe(4401);

    const deadline = Date.now() + 5000;
    let text = await metrics(server);
    while ((sample(text, 'kura_updates_total') ?? 0) < 2 && Date.now() < deadline) {
      text = await metrics(server);
    }

    expect(sample(text, 'kura_connections')).toBe(1);
    expect(sample(text, 'kura_rooms_loaded')).toBe(1);
    expect(sample(text, 'kura_updates_total')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'kura_update_bytes_total')).toBeGreaterThan(0);
    expect(sample(text, 'kura_commit_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'kura_refused_total{reason="4401"}')).toBe(1);
  });
});
