import * as Y from 'yjs';

import { openWorkspace, type Workspace, type WorkspaceOptions } from '../src/index.js';

/** Workspaces in one process, without a server; tests carry updates between them by hand. */
export class Replicas {
  readonly #open: Workspace[] = [];

  open(
    user = 'tester',
    workspace = 'acme',
    options: Omit<WorkspaceOptions, 'workspace' | 'user'> = {},
  ): Workspace {
    const opened = openWorkspace({ ...options, workspace, user });
    this.#open.push(opened);
    return opened;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((opened) => opened.destroy()));
  }
}

/**
 * Sends every open document of `from` to `to`, catalog first so that products and locations
 * arrive before the moves that name them, as a server would in any order anyway.
 */
export function exchange(from: Workspace, to: Workspace): void {
  const names = from.openDocuments().sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  for (const name of names) sendDocument(from, to, name);
}

/** Sends one document's whole state. */
export function sendDocument(from: Workspace, to: Workspace, name: string): void {
  from.stock.announce();
  const update = Y.encodeStateAsUpdate(from.document(name as 'catalog'));
  Y.applyUpdate(to.document(name as 'catalog'), update, 'remote');
}

/** Exchanges both ways until every replica has everything. */
export function syncAll(replicas: readonly Workspace[]): void {
  for (let round = 0; round < 2; round++) {
    for (const from of replicas) for (const to of replicas) if (from !== to) exchange(from, to);
  }
}

function rank(name: string): number {
  return name === 'catalog' ? 0 : name === 'stock' ? 1 : 2;
}
