import { parseArgs } from 'node:util';

import { parseAcl, parseDuration, signToken } from './auth.js';
import { ConfigError, readSecret } from './config.js';

/** A command line that `kura-server` cannot run; the message shows the right form. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(detail: string) {
    super(
      `[kura/server] usage: ${detail}\n` +
        "  kura-server token --ws WORKSPACE --acl 'crm=write,stock=read' --sub USER " +
        '[--name NAME] [--ttl 15m]',
    );
  }
}

/**
 * `kura-server token`: signs a token with `KURA_SECRET` for scripts and tests.
 *
 * @param args - The arguments after `token`.
 * @param env - The environment, for `KURA_SECRET`.
 * @returns The token, which the command prints.
 * @throws {UsageError} For a missing or unknown option.
 * @throws {ConfigError} When `KURA_SECRET` is missing or too short.
 * @throws {TokenError} `grant-invalid` or `token-lifetime-too-long` for a bad acl, workspace or
 *   lifetime.
 *
 * @example
 * ```sh
 * KURA_SECRET=... kura-server token --ws acme --acl 'crm=write,stock=read' --sub alice
 * ```
 */
export async function tokenCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<string> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        ws: { type: 'string' },
        acl: { type: 'string' },
        sub: { type: 'string' },
        name: { type: 'string' },
        ttl: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { ws, acl, sub, name, ttl } = values;
  if (ws === undefined || acl === undefined || sub === undefined) {
    const missing = Object.entries({ ws, acl, sub }).filter(([, value]) => value === undefined);
    throw new UsageError(`missing ${missing.map(([option]) => `--${option}`).join(', ')}`);
  }

  const secret = readSecret(env);
  if (secret === undefined) {
    throw new ConfigError('KURA_SECRET', 'is not set; the token command signs with it');
  }

  return signToken({ sub, name, ws, acl: parseAcl(acl) }, secret, {
    seconds: parseDuration(ttl ?? '15m'),
  });
}
