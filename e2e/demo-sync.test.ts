import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startE2eStack, type E2eStack } from './stack.js';

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function openDemo(user: string) {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.demoUrl}?user=${user}`);
  await page.locator('#status', { hasText: 'synced' }).waitFor();
  return page;
}

describe('demo', () => {
  it('shows a product added by one person in the window of another', async () => {
    const alice = await openDemo('alice');
    const bob = await openDemo('bob');

    await alice.getByLabel('Product name').fill('Arabica coffee beans 1 kg');
    await alice.getByLabel('Barcode (GTIN)').fill('09506000134352');
    await alice.getByRole('button', { name: 'Add product' }).click();

    const item = bob.getByRole('listitem').filter({ hasText: 'Arabica coffee beans 1 kg' });
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toBe('Arabica coffee beans 1 kg (09506000134352)');
    expect(await bob.locator('#user').textContent()).toBe('bob');
  });

  it('refuses a bad barcode with the reason and adds nothing', async () => {
    const page = await openDemo('carol');
    const before = await page.getByRole('listitem').count();

    await page.getByLabel('Product name').fill('Tea');
    await page.getByLabel('Barcode (GTIN)').fill('12345');
    await page.getByRole('button', { name: 'Add product' }).click();

    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/product-barcode-invalid/);
    expect(await page.getByRole('listitem').count()).toBe(before);
  });
});
