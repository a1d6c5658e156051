// Installs what the commands need on a machine that has only Node and npm: the pnpm version
// named in package.json, run through npx, and the workspace's dependencies.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));

const stampFile = join(root, 'node_modules', '.kura-install');

/** @returns The pnpm version that package.json asks for, such as `10.34.9`. */
export function pnpmVersion() {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(manifest.packageManager ?? '');
  if (!match?.[1]) throw new Error('package.json names no pnpm version in "packageManager"');
  return match[1];
}

/**
 * Runs a command in the repository, with its output on this terminal.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {number} The exit code.
 */
export function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** Installs the dependencies when the lockfile changed since the last install, or never ran. */
export function ensureInstalled() {
  const lockfile = readFileSync(join(root, 'pnpm-lock.yaml'));
  const stamp = createHash('sha256').update(lockfile).update(pnpmVersion()).digest('hex');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;

  console.log('Installing dependencies (first run only; native modules compile, allow a minute)');
  const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };
  const code = run('npx', ['--yes', `pnpm@${pnpmVersion()}`, 'install', '--frozen-lockfile'], env);
  if (code !== 0) {
    console.error('Installing the dependencies failed; see the messages above.');
    process.exit(code);
  }
  writeFileSync(stampFile, stamp);
}

/**
 * Builds the packages (JavaScript and type declarations), the one-file elements bundle
 * `kura.js` and the demo that embeds it.
 *
 * @returns {boolean} `true` when both builds succeeded.
 */
export function build() {
  const bin = join(root, 'node_modules', '.bin');
  return (
    run(join(bin, 'tsc'), ['-b', 'tsconfig.build.json']) === 0 &&
    run(join(bin, 'vite'), ['build', '--mode', 'kura', '--logLevel', 'warn']) === 0 &&
    run(join(bin, 'vite'), ['build', '--logLevel', 'warn']) === 0
  );
}
