#!/usr/bin/env node
// `kura-server` runs the sync server; `kura-server token ...` prints a token for scripts.
import { TokenError } from './auth.js';
import { ConfigError } from './config.js';
import { runServer, StartError } from './run.js';
import { tokenCommand, UsageError } from './token-command.js';

const [command, ...args] = process.argv.slice(2);

try {
  if (command === 'token') {
    process.stdout.write(`${await tokenCommand(args, process.env)}\n`);
  } else if (command === undefined) {
    const running = await runServer(process.env);
    const stop = () => void running.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } else {
    throw new UsageError(`unknown command "${command}"; run kura-server alone to start the server`);
  }
} catch (error) {
  const known = [ConfigError, StartError, TokenError, UsageError];
  if (!known.some((kind) => error instanceof kind)) throw error;
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
