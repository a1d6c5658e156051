import { KuraWorkspace } from './workspace.js';

if (!customElements.get('kura-workspace')) customElements.define('kura-workspace', KuraWorkspace);

declare global {
  interface HTMLElementTagNameMap {
    'kura-workspace': KuraWorkspace;
  }
}
