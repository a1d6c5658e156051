// `npm start`: installs what is missing, builds, then runs the sync server and the demo until
// Ctrl-C.
import { build, ensureInstalled } from './setup.mjs';

ensureInstalled();
if (!build()) {
  console.error('The build failed; see the messages above.');
  process.exit(1);
}

const { startStack } = await import('./stack.mjs');
let stack;
try {
  stack = await startStack(process.env);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

console.log(`
  Kura is running, in development mode.
    sync server  ${stack.syncUrl}
    demo         ${stack.demoUrl}
    tokens       ${stack.tokenUrl}?ws=demo&sub=alice (for anyone who asks: development only)
  Open the demo twice with ?user=alice and ?user=bob to see two people work together.
  Press Ctrl-C to stop.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('Stopping...');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
