import { ContextConsumer } from '@lit/context';
import type { Workspace } from '@kura/store';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { LitElement } from 'lit';

import { workspaceContext } from '../internal/context.js';
import type { KuraStatusEvent } from '../internal/events.js';
import './define.js';
import type { KuraSyncErrorEvent } from './sync-error-event.js';
import type { KuraWorkspace } from './workspace.js';

class WorkspaceReader extends LitElement {
  readonly consumer = new ContextConsumer(this, { context: workspaceContext, subscribe: true });
}
customElements.define('test-workspace-reader', WorkspaceReader);

/** A workspace id of its own for each test, so IndexedDB holds nothing from another. */
function freshId(): string {
  return `test-${Math.random().toString(36).slice(2, 10)}`;
}

async function syncServerUrl(): Promise<string> {
  const config = (await (await fetch('/kura-test-config.json')).json()) as { server: string };
  return config.server;
}

/** A token from the test run's sync server plugin; `forged` ones the server refuses. */
async function testToken(workspace: string, forged = false): Promise<string> {
  const query = new URLSearchParams({ ws: workspace, ...(forged && { forged: '1' }) });
  const response = await fetch(`/kura-test-token?${query}`);
  return ((await response.json()) as { token: string }).token;
}

async function openStore(element: KuraWorkspace): Promise<Workspace> {
  await waitUntil(() => element.store !== undefined, 'the workspace did not open');
  await element.store!.loaded;
  return element.store!;
}

describe('kura-workspace', () => {
  it('passes an accessibility audit', async () => {
    const element = await fixture<KuraWorkspace>(html`
      <kura-workspace workspace=${freshId()}><p>Stock</p></kura-workspace>
    `);

    await expect(element).to.be.accessible();
  });

  it('WS2 writes through the store and reads it back from IndexedDB in new documents', async () => {
    const id = freshId();
    const first = await fixture<KuraWorkspace>(
      html`<kura-workspace workspace=${id}></kura-workspace>`,
    );
    const firstStore = await openStore(first);
    firstStore.catalog.createProduct({
      name: 'Arabica coffee beans 1 kg',
      barcode: '09506000134352',
    });
    first.remove();
    await first.closed;

    const second = await fixture<KuraWorkspace>(
      html`<kura-workspace workspace=${id}></kura-workspace>`,
    );
    const secondStore = await openStore(second);

    expect(secondStore).not.to.equal(firstStore);
    expect(secondStore.document('catalog')).not.to.equal(firstStore.document('catalog'));
    expect(secondStore.catalog.products().map((product) => product.barcode)).to.deep.equal([
      '09506000134352',
    ]);
  });

  it('provides the open workspace to descendants through the context', async () => {
    const element = await fixture<KuraWorkspace>(html`
      <kura-workspace workspace=${freshId()}
        ><test-workspace-reader></test-workspace-reader
      ></kura-workspace>
    `);
    const reader = element.querySelector<WorkspaceReader>('test-workspace-reader')!;

    const store = await openStore(element);

    expect(reader.consumer.value).to.equal(store);
    element.workspace = freshId();
    await element.updateComplete;
    expect(reader.consumer.value).to.equal(element.store);
    expect(reader.consumer.value).not.to.equal(store);
  });

  it('WS3 is offline without a server, with the matching state', async () => {
    const element = await fixture<KuraWorkspace>(
      html`<kura-workspace workspace=${freshId()}></kura-workspace>`,
    );
    await openStore(element);

    expect(element.status).to.equal('offline');
    expect(element.matches(':state(offline)')).to.equal(true);
    expect(element.matches(':state(synced)')).to.equal(false);
  });

  it('WS3 goes from connecting to synced with the sync server and says so in events', async () => {
    const server = await syncServerUrl();
    const element = document.createElement('kura-workspace');
    const statuses: string[] = [];
    element.addEventListener('kura-status', (event: KuraStatusEvent) => {
      statuses.push(event.detail.status);
    });
    const id = freshId();
    element.tokenProvider = () => testToken(id);
    element.workspace = id;
    element.server = server;
    document.body.append(element);

    await waitUntil(() => element.status === 'synced', 'the workspace did not sync', {
      timeout: 5000,
    });

    expect(statuses).to.include('connecting');
    expect(statuses.at(-1)).to.equal('synced');
    expect(element.matches(':state(synced)')).to.equal(true);
    expect(element.matches(':state(connecting)')).to.equal(false);
    const offline = oneEvent(element, 'kura-status');
    element.remove();
    expect((await offline).detail.status).to.equal('offline');
  });

  it('ACK2 shows the changes not yet saved on the server until it stores them', async () => {
    const id = freshId();
    const element = document.createElement('kura-workspace');
    element.tokenProvider = () => testToken(id);
    element.workspace = id;
    element.server = await syncServerUrl();
    document.body.append(element);
    await waitUntil(() => element.status === 'synced', 'the workspace did not sync', {
      timeout: 5000,
    });
    const part = element.shadowRoot!.querySelector<HTMLElement>('[part="unsaved"]')!;
    expect(part.hidden).to.equal(true);

    element.store!.disconnect();
    element.store!.catalog.createProduct({ name: 'Written offline' });
    await waitUntil(() => !part.hidden, 'the unsaved change did not show');
    expect(part.textContent?.trim()).to.equal('1 change not yet saved on the server');
    expect(element.matches(':state(unsaved)')).to.equal(true);

    element.store!.connect();
    await waitUntil(() => part.hidden, 'the change was not acknowledged', { timeout: 5000 });
    expect(element.matches(':state(unsaved)')).to.equal(false);
    element.remove();
  });

  it('AUTH10 asks its tokenProvider again after a 4401 and syncs with the new token', async () => {
    const id = freshId();
    const element = document.createElement('kura-workspace');
    let calls = 0;
    element.tokenProvider = () => testToken(id, ++calls === 1);
    element.workspace = id;
    element.server = await syncServerUrl();
    document.body.append(element);

    await waitUntil(() => element.status === 'synced', 'the workspace did not sync', {
      timeout: 5000,
    });

    expect(calls).to.equal(2);
    expect(element.refusal).to.equal(undefined);
    expect(element.matches(':state(refused)')).to.equal(false);
    element.remove();
  });

  it('AUTH10 shows the error when the new token is refused too', async () => {
    const id = freshId();
    const element = document.createElement('kura-workspace');
    const errors: KuraSyncErrorEvent['detail'][] = [];
    element.addEventListener('kura-sync-error', (event) => errors.push(event.detail));
    let calls = 0;
    element.tokenProvider = () => {
      calls++;
      return testToken(id, true);
    };
    element.workspace = id;
    element.server = await syncServerUrl();
    document.body.append(element);

    await waitUntil(() => errors.length === 3, 'no refusal for each document', { timeout: 5000 });
    await element.updateComplete;

    expect(calls).to.equal(2);
    expect(errors.map((error) => error.code)).to.deep.equal([4401, 4401, 4401]);
    expect(element.matches(':state(refused)')).to.equal(true);
    expect(element.status).to.equal('offline');
    const message = element.shadowRoot!.querySelector<HTMLElement>('[part="error"]')!;
    expect(message.hidden).to.equal(false);
    expect(message.textContent).to.match(/4401/);
    await expect(element).to.be.accessible();
    element.remove();
  });

  it('falls back to no workspace and warns once on a bad workspace id', async () => {
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const element = await fixture<KuraWorkspace>(
        html`<kura-workspace workspace="not valid"></kura-workspace>`,
      );
      expect(element.store).to.equal(undefined);
      expect(element.status).to.equal('offline');
      expect(warnings).to.have.length(1);
      expect(String(warnings[0]![0])).to.match(/^<kura-workspace>: .*workspace-id-invalid/);

      element.workspace = 'not valid!';
      await element.updateComplete;
      element.workspace = 'not valid';
      await element.updateComplete;
      expect(warnings).to.have.length(2);
    } finally {
      console.warn = warn;
    }
  });
});
