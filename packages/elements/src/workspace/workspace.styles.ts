import { css } from 'lit';

export const workspaceStyles = css`
  :host {
    display: block;
  }

  :host([hidden]) {
    display: none;
  }

  [part='error'] {
    margin: 0 0 var(--kura-space-m, 0.75rem);
    padding: var(--kura-space-s, 0.5rem) var(--kura-space-m, 0.75rem);
    border: 1px solid currentColor;
    border-radius: 4px;
    color: var(--kura-color-danger, #a4141b);
  }

  [part='error'][hidden] {
    display: none;
  }

  @media (forced-colors: active) {
    [part='error'] {
      color: CanvasText;
      border-color: CanvasText;
    }
  }
`;
