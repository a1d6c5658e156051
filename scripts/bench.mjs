// `npm run bench [-- NAME...]`: runs the benchmarks under bench/ (all of them without a name),
// prints a table per benchmark and writes bench/results/NAME.json.
import { mkdirSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { build, ensureInstalled, root } from './setup.mjs';

/**
 * @typedef {object} Figure
 * @property {number} value
 * @property {string} unit
 * @property {number} [target] - Left out for a figure shown for information, with no goal.
 * @property {'lower' | 'higher'} better
 */

const benchDir = join(root, 'bench');
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'index.mjs')))
  .map((entry) => entry.name)
  .sort();

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`No benchmark named ${unknown.join(', ')}; there are: ${available.join(', ')}`);
  process.exit(2);
}

ensureInstalled();
if (!build()) process.exit(1);

mkdirSync(join(benchDir, 'results'), { recursive: true });
let missed = 0;
for (const name of requested.length > 0 ? requested : available) {
  console.log(`\n== bench/${name}`);
  const module = await import(pathToFileURL(join(benchDir, name, 'index.mjs')).href);
  /** @type {Record<string, Figure>} */
  const figures = await module.default((/** @type {string} */ line) => console.log(`  ${line}`));

  console.log('');
  console.log(`  ${'figure'.padEnd(34)} ${'value'.padStart(12)}  ${'target'.padStart(12)}  met`);
  for (const [figure, { value, unit, target, better }] of Object.entries(figures)) {
    const shown = `${round(value)} ${unit}`;
    if (target === undefined) {
      console.log(`  ${figure.padEnd(34)} ${shown.padStart(12)}  ${'-'.padStart(12)}  -`);
      continue;
    }
    const met = better === 'lower' ? value <= target : value >= target;
    if (!met) missed++;
    const goal = `${better === 'lower' ? '<=' : '>='} ${round(target)} ${unit}`;
    console.log(
      `  ${figure.padEnd(34)} ${shown.padStart(12)}  ${goal.padStart(12)}  ${met ? 'yes' : 'NO'}`,
    );
  }
  writeFileSync(join(benchDir, 'results', `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}
console.log(missed === 0 ? '\nEvery target met.' : `\n${missed} figure(s) missed their target.`);

/** @param {number} value */
function round(value) {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}
