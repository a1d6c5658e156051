// Browser tests for the elements and the scanner, in Chromium with real IndexedDB, next to a
// real sync server that the run starts on a free loopback port and stops at the end.
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { playwrightLauncher } from '@web/test-runner-playwright';

import { CHROMIUM_ARGS, chromiumPath } from './scripts/chromium.mjs';

export default {
  files: [
    'packages/elements/src/**/*.test.ts',
    'packages/scanner/src/**/*.test.ts',
    'packages/store/test/**/*.browser.test.ts',
  ],
  nodeResolve: { exportConditions: ['source', 'browser', 'development'] },
  // esbuild reads the decorator settings from this file; it does not follow `extends`.
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.base.json', target: 'es2022' }),
    dexieModule(),
    syncServer(),
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true },
    }),
  ],
  concurrency: 1,
  testFramework: { config: { timeout: 10_000 } },
  reporters: [
    summaryReporter({ flatten: false }),
    defaultReporter(),
    ...(process.env['KURA_WTR_COUNTS'] ? [countReporter(process.env['KURA_WTR_COUNTS'])] : []),
  ],
};

/**
 * Serves Dexie's ES module build: the file its package exports for `import` wraps the UMD
 * build, which a browser cannot import.
 *
 * @returns {import('@web/test-runner').TestRunnerPlugin}
 */
function dexieModule() {
  const require = createRequire(new URL('./packages/store/package.json', import.meta.url));
  const root = realpathSync(dirname(require.resolve('dexie/package.json')));
  const served = `/${relative(process.cwd(), join(root, 'dist', 'dexie.mjs'))}`;
  return {
    name: 'kura-dexie-module',
    resolveImport({ source }) {
      return source === 'dexie' ? served : undefined;
    },
  };
}

/** The secret the run's sync server checks tokens with; tests get tokens from the plugin. */
const TEST_SECRET = 'kura-wtr-secret-0123456789abcdefgh';

/** Signs the tokens that a forger would bring: right shape, wrong secret. */
const FORGER_SECRET = 'kura-wtr-forger-0123456789abcdefgh';

/**
 * Starts a Kura sync server for the run and serves its address at `/kura-test-config.json`,
 * and tokens for it at `/kura-test-token?ws=W&acl=crm=write` (acl `*=write` by default; with
 * `forged=1` signed with another secret, so that the server refuses them with 4401).
 *
 * @returns {import('@web/test-runner').TestRunnerPlugin}
 */
function syncServer() {
  /** @type {{ stop(): Promise<void> } | undefined} */
  let running;
  let dataDir = '';
  let url = '';

  return {
    name: 'kura-sync-server',
    async serverStart() {
      const { runServer, silentLogger } = await import('@kura/server');
      dataDir = mkdtempSync(join(tmpdir(), 'kura-wtr-'));
      const env = { KURA_SYNC_PORT: '0', KURA_DATA_DIR: dataDir, KURA_SECRET: TEST_SECRET };
      const started = await runServer(env, silentLogger);
      running = started;
      url = started.server.url;
    },
    async serverStop() {
      await running?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async serve(context) {
      if (context.path === '/kura-test-config.json') {
        return { body: JSON.stringify({ server: url }), type: 'json' };
      }
      if (context.path !== '/kura-test-token') return undefined;

      const { parseAcl, signToken } = await import('@kura/server');
      const query = context.URL.searchParams;
      const grant = {
        sub: query.get('sub') || 'tester',
        ws: query.get('ws') ?? '',
        acl: parseAcl(query.get('acl') || '*=write'),
      };
      const secret = query.get('forged') ? FORGER_SECRET : TEST_SECRET;
      return { body: JSON.stringify({ token: await signToken(grant, secret) }), type: 'json' };
    },
  };
}

/**
 * Writes the number of passed and failed tests to `file` when the run ends, for the total line
 * of `npm test`. A test file that fails to load counts as one failure.
 *
 * @param {string} file
 * @returns {import('@web/test-runner').Reporter}
 */
function countReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      /** @param {import('@web/test-runner').TestSuiteResult} suite */
      const walk = (suite) => {
        for (const test of suite.tests) {
          if (test.skipped) continue;
          if (test.passed) passed++;
          else failed++;
        }
        suite.suites.forEach(walk);
      };
      for (const session of sessions) {
        const before = failed;
        if (session.testResults) walk(session.testResults);
        if (!session.passed && failed === before) failed++;
      }
      writeFileSync(file, JSON.stringify({ passed, failed }));
    },
  };
}
