import { readFileSync } from 'node:fs';

import { defaultClientConditions, defaultServerConditions, type Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/** The single-file bundle that a page embeds with one script tag. */
const KURA_BUNDLE = 'packages/elements/dist/kura.js';

/**
 * One config for three jobs. `vite build --mode kura` bundles the elements into one file;
 * `vite build` builds the demo, which embeds that file as any intranet page would; vitest runs
 * the Node tests from the repository root. The `source` condition resolves every workspace
 * package to its TypeScript sources.
 */
export default defineConfig(({ mode }) => ({
  root: process.env['VITEST'] || mode === 'kura' ? '.' : 'demo',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  build:
    mode === 'kura'
      ? {
          lib: {
            entry: 'packages/elements/src/index.ts',
            formats: ['es'],
            fileName: () => 'kura.js',
          },
          outDir: 'packages/elements/dist',
          emptyOutDir: false,
          // One file is the promise of the embedding: lazily loaded parts are inlined.
          rollupOptions: { output: { codeSplitting: false } },
          target: 'es2022',
        }
      : { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  plugins: mode === 'kura' ? [] : [embedKuraBundle()],
  test: {
    projects: [
      nodeProject('domain', ['packages/domain/test/**/*.test.ts']),
      nodeProject('store', ['packages/store/test/**/*.test.ts']),
      nodeProject('server', ['server/test/**/*.test.ts']),
      {
        extends: true as const,
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 60_000 },
      },
    ],
  },
}));

function nodeProject(name: string, include: string[]) {
  const exclude = ['**/node_modules/**', '**/*.browser.test.ts'];
  return { extends: true as const, test: { name, include, exclude, environment: 'node' } };
}

/** Puts the elements bundle at `/kura/kura.js` in the demo build, where its pages load it. */
function embedKuraBundle(): Plugin {
  return {
    name: 'kura-embed-bundle',
    apply: 'build',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'kura/kura.js',
        source: readFileSync(KURA_BUNDLE, 'utf8'),
      });
    },
  };
}
