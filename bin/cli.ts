/**
 * What the admin CLIs (`npm run keys`, `identities`, `memory`, `org`) share:
 * the common options (`--table`, `--region`, `--json`, `--help`), the help
 * and command check, and how they end: a known error is one line (a usage
 * error adds the usage and exits 2), anything else is a bug and shows its
 * stack.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EngineOpenError } from '../functions/adapters/local/dynalite.js';
import { ConclaveError } from '../functions/core/errors.js';
import { ConfigError } from '../functions/runtime/config.js';
import { DataDirError } from '../functions/runtime/data-dir.js';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMON = {
  table: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

/**
 * Parses `<command> [args] [options]`. Prints the usage and returns
 * undefined for `--help` (exit 0) or no command (exit 2); refuses a command
 * not in `commands`.
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(argv: string[], usage: string, commands: readonly string[], options: O) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...COMMON, ...options } });
  const [command, ...rest] = positionals;
  const common = values as { help?: boolean; json?: boolean };
  if (common.help || !command) {
    process.stdout.write(`${usage}\n`);
    if (!command && !common.help) process.exitCode = 2;
    return undefined;
  }
  if (!commands.includes(command)) throw new UsageError(`unknown command "${command}"`);
  /** Prints the human form, or the machine form with `--json`. */
  const print = (human: string, machine: unknown) => process.stdout.write(`${common.json ? JSON.stringify(machine) : human}\n`);
  return { command, rest, values, print };
}

/** Runs a CLI's main: one line for a known error, the stack for a bug. */
export function runCli(usage: string, main: (argv: string[]) => Promise<void>): void {
  // The SDK's advisory about future Node releases is noise for a local tool whose SDK version the lockfile pins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main(process.argv.slice(2)).catch((error: unknown) => {
    const name = (error as Error | undefined)?.name;
    const known =
      error instanceof ConclaveError ||
      error instanceof UsageError ||
      error instanceof ConfigError ||
      error instanceof DataDirError ||
      error instanceof EngineOpenError ||
      name === 'TypeError' ||
      name === 'AdminCommandError';
    process.stderr.write(`error: ${known ? (error as Error).message : String((error as Error | undefined)?.stack ?? error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${usage}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
