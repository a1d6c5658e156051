// Finds the Chromium that browser tests drive, installing Debian's package where that is
// possible, and the flags it runs with on a machine without a display or outside network.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Flags for a headless Chromium that makes no connection of its own. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * @returns {string} The browser to launch: `CHROME_PATH` when set, else Debian's Chromium.
 * @throws {Error} When neither exists; the message says how to point `CHROME_PATH` at one.
 */
export function chromiumPath() {
  const path = process.env['CHROME_PATH'] || DEBIAN_CHROMIUM;
  if (existsSync(path)) return path;

  throw new Error(
    process.env['CHROME_PATH']
      ? `CHROME_PATH is ${path}, which does not exist; point it at a Chromium or Chrome binary`
      : 'No Chromium found. Install Chromium or Google Chrome and set CHROME_PATH to its ' +
          'binary, for example CHROME_PATH=/usr/bin/google-chrome or ' +
          "CHROME_PATH='/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'",
  );
}

/**
 * Makes sure a Chromium is there: installs Debian's package through apt when it is missing, the
 * machine has apt and we are root.
 *
 * @returns {string} The browser's path.
 * @throws {Error} When no Chromium can be found or installed.
 */
export function ensureChromium() {
  if (process.env['CHROME_PATH'] || existsSync(DEBIAN_CHROMIUM)) return chromiumPath();

  const root = process.getuid?.() === 0;
  if (root && existsSync('/usr/bin/apt-get')) {
    console.log("Installing Debian's Chromium for the browser tests (first run only)");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const options = /** @type {const} */ ({ stdio: 'inherit', env });
    spawnSync('apt-get', ['update', '-qq'], options);
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], options);
  }
  return chromiumPath();
}
