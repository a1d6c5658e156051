// `npm test`: installs what is missing, then runs every check and every layer of tests, and
// ends with one line that sums them: `tests: N passed, M failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureChromium } from './chromium.mjs';
import { build, ensureInstalled, root } from './setup.mjs';

ensureInstalled();
try {
  process.env['CHROME_PATH'] = ensureChromium();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}

const bin = join(root, 'node_modules', '.bin');
const scratch = mkdtempSync(join(tmpdir(), 'kura-test-'));

/** @typedef {{ name: string, passed: number, failed: number }} Layer */
/** @type {Layer[]} */
const layers = [];

/**
 * Runs one step with its output on this terminal.
 *
 * @param {string} title
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {boolean} `true` when it exited with 0.
 */
function step(title, command, args, env = process.env) {
  console.log(`\n== ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) console.error(result.error.message);
  return result.status === 0;
}

// Static checks count one test each, so that the total line fails when they do.
const checks = [
  step('lint (ESLint)', join(bin, 'eslint'), ['.', '--max-warnings', '0']),
  step('format (Prettier)', join(bin, 'prettier'), ['--check', '.', '--log-level', 'warn']),
  step('types (tsc)', join(bin, 'tsc'), ['-p', 'tsconfig.json']),
];
console.log('\n== build (packages with declarations, kura.js bundle, demo)');
checks.push(build());
layers.push({
  name: 'checks',
  passed: checks.filter(Boolean).length,
  failed: checks.filter((ok) => !ok).length,
});

/**
 * Runs vitest projects and reads their counts from its JSON report. A run that failed without
 * a failing test (a file that did not load) counts one failure.
 *
 * @param {string} name
 * @param {string[]} projects
 */
function vitest(name, projects) {
  const report = join(scratch, `${name}.json`);
  const ok = step(`${name} (vitest: ${projects.join(', ')})`, join(bin, 'vitest'), [
    'run',
    ...projects.flatMap((project) => ['--project', project]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  const counts = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : {};
  const passed = counts.numPassedTests ?? 0;
  const failed = counts.numFailedTests ?? 0;
  layers.push({ name, passed, failed: failed === 0 && !ok ? 1 : failed });
}

vitest('node', ['domain', 'store', 'server']);

const browserCounts = join(scratch, 'browser.json');
const browserOk = step(
  'browser (web-test-runner in Chromium: elements, scanner)',
  join(bin, 'wtr'),
  ['--config', 'web-test-runner.config.mjs'],
  { ...process.env, KURA_WTR_COUNTS: browserCounts },
);
const browser = existsSync(browserCounts)
  ? JSON.parse(readFileSync(browserCounts, 'utf8'))
  : { passed: 0, failed: 0 };
layers.push({
  name: 'browser',
  passed: browser.passed,
  failed: browser.failed === 0 && !browserOk ? 1 : browser.failed,
});

vitest('e2e', ['e2e']);

rmSync(scratch, { recursive: true, force: true });

const passed = layers.reduce((sum, layer) => sum + layer.passed, 0);
const failed = layers.reduce((sum, layer) => sum + layer.failed, 0);
console.log('');
for (const layer of layers) {
  console.log(`  ${layer.name.padEnd(8)} ${layer.passed} passed / ${layer.failed} failed`);
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
