// `npm run server`: the sync server alone, configured by KURA_* environment variables.
import { join } from 'node:path';

import { ensureInstalled, root, run } from './setup.mjs';

ensureInstalled();
const built = run(join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'server']) === 0;
if (!built) process.exit(1);

await import('@kura/server/cli');
