import { createContext } from '@lit/context';
import type { Workspace } from '@kura/store';

/** The open workspace that `kura-workspace` provides to the elements inside it. */
export const workspaceContext = createContext<Workspace | undefined>(Symbol.for('kura-workspace'));
