import type { KuraWorkspace } from '@kura/elements';
import type { Product } from '@kura/domain';

/** What the demo server tells the page: where the sync server listens, where tokens come from. */
interface DemoConfig {
  server: string;
  tokenUrl: string;
}

// The elements come from the page's script tag, not from this module; wait until they are there.
await customElements.whenDefined('kura-workspace');
const workspace = required<KuraWorkspace>('kura-workspace');
const status = required<HTMLOutputElement>('#status');
const form = required<HTMLFormElement>('#product-form');
const formError = required<HTMLElement>('#product-error');
const productList = required<HTMLUListElement>('#products');

// Two windows with different ?user= are two people; the name shows whose window it is.
const user = new URLSearchParams(location.search).get('user') || 'guest';
required<HTMLElement>('#user').textContent = user;

workspace.addEventListener('kura-status', (event) => {
  status.textContent = event.detail.status;
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  try {
    workspace.store?.catalog.createProduct({
      name: String(data.get('name') ?? ''),
      barcode: String(data.get('barcode') ?? ''),
    });
    form.reset();
    formError.textContent = '';
  } catch (error) {
    formError.textContent = error instanceof Error ? error.message : String(error);
  }
});

function required<T extends Element>(selector: string): T {
  const element = document.querySelector<T>(selector);
  if (element === null) throw new Error(`the demo page has no ${selector}`);
  return element;
}

function showProducts(products: readonly Product[]): void {
  productList.replaceChildren(
    ...products.map((product) => {
      const item = document.createElement('li');
      item.textContent = product.barcode ? `${product.name} (${product.barcode})` : product.name;
      return item;
    }),
  );
}

/**
 * An intranet page would ask its own sign-in service; the demo asks the sync server's
 * development endpoint for a 15-minute token that writes every document of the workspace.
 */
async function demoToken(tokenUrl: string): Promise<string> {
  const query = new URLSearchParams({ ws: 'demo', sub: user, acl: '*=write' });
  const response = await fetch(`${tokenUrl}?${query}`);
  if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

const config = (await (await fetch('/kura-config.json')).json()) as DemoConfig;
workspace.tokenProvider = () => demoToken(config.tokenUrl);
workspace.server = config.server;
workspace.workspace = 'demo';
await workspace.updateComplete;
workspace.store?.catalog.subscribeProducts(showProducts);
