import { css } from 'lit';

export const workspaceStyles = css`
  :host {
    display: block;
  }

  :host([hidden]) {
    display: none;
  }
`;
