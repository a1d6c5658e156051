#!/usr/bin/env node
import { ConfigError } from './config.js';
import { runServer, StartError } from './run.js';

try {
  const running = await runServer(process.env);
  const stop = () => void running.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof StartError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
