/**
 * `npm run keys -- <command>`: create, list and revoke API keys.
 *
 *   create --tenant <id> --roles <r1,r2|all> [--human] [--label <text>]
 *   list   [--tenant <id>]
 *   revoke <key-id>
 *
 * Target: the local data dir (CONCLAVE_DATA_DIR, default .conclave) — through the
 * running `npm start` server's authenticated /admin route when it holds the data
 * dir, else by opening the data dir —
 * or, with `--table <name> [--region <region>]`, a deployed stack's table using the
 * standard AWS credential chain.
 */
import { parseArgs } from 'node:util';
import type { ApiKeyRecord } from '../functions/core/auth/api-keys.js';
import { ConclaveError } from '../functions/core/errors.js';
import { ConfigError } from '../functions/runtime/config.js';
import { DataDirError } from '../functions/runtime/data-dir.js';
import { EngineOpenError } from '../functions/adapters/local/dynalite.js';
import { openAdminTarget } from './store-target.js';

const USAGE = `usage: npm run keys -- <command> [options]

commands:
  create --tenant <id> --roles <role,role|all> [--human] [--label <text>]
  list   [--tenant <id>]
  revoke <key-id>

target (default: the local data dir, CONCLAVE_DATA_DIR or .conclave):
  --table <name> [--region <region>]   a deployed stack's table (stack output TableName)
  --json                               machine-readable output`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function show(record: ApiKeyRecord): string {
  const state = record.revokedAt ? `revoked ${record.revokedAt}` : 'active';
  return `${record.keyId}  tenant=${record.tenantId}  roles=${record.roles.join(',')}  human=${record.human}  ${state}  created=${record.createdAt}${record.label ? `  label="${record.label}"` : ''}`;
}

// The SDK's advisory about future Node releases is noise for a local tool whose SDK version the lockfile pins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      roles: { type: 'string' },
      human: { type: 'boolean', default: false },
      label: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    if (!command && !values.help) process.exitCode = 2;
    return;
  }
  if (!['create', 'list', 'revoke'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (command === 'create' && (!values.tenant || !values.roles)) throw new UsageError('create needs --tenant and --roles');
  if (command === 'revoke' && rest.length !== 1) throw new UsageError('revoke needs exactly one key id (see `list`)');

  const target = await openAdminTarget({ table: values.table, region: values.region, tool: 'npm run keys' });
  const print = (human: string, machine: unknown) => process.stdout.write(`${values.json ? JSON.stringify(machine) : human}\n`);
  try {
    if (command === 'create') {
      const { key, record } = (await target.run({
        command: 'keys.create',
        tenant: values.tenant as string,
        roles: (values.roles as string).split(',').map((r) => r.trim()),
        human: values.human,
        ...(values.label ? { label: values.label } : {}),
      })) as { key: string; record: ApiKeyRecord };
      print(`Created in ${target.description}:\n  ${show(record)}\n\nKey (shown once; only its hash is stored):\n  ${key}`, { key, ...record });
    } else if (command === 'list') {
      const records = (await target.run({ command: 'keys.list', ...(values.tenant ? { tenant: values.tenant } : {}) })) as ApiKeyRecord[];
      print(records.length ? records.map(show).join('\n') : `no keys in ${target.description}`, records);
    } else {
      const record = (await target.run({ command: 'keys.revoke', keyId: rest[0] as string })) as ApiKeyRecord;
      print(`Revoked: ${show(record)}`, record);
    }
  } finally {
    await target.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof ConclaveError || error instanceof UsageError || error instanceof ConfigError || error instanceof DataDirError || error instanceof EngineOpenError || (error as Error)?.name === 'TypeError';
  process.stderr.write(`error: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
