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
import type { ApiKeyRecord } from '../functions/core/auth/api-keys.js';
import { parseCommand, runCli, UsageError } from './cli.js';
import { openAdminTarget } from './store-target.js';

const USAGE = `usage: npm run keys -- <command> [options]

commands:
  create --tenant <id> --roles <role,role|all> [--human] [--label <text>]
  list   [--tenant <id>]
  revoke <key-id>

target (default: the local data dir, CONCLAVE_DATA_DIR or .conclave):
  --table <name> [--region <region>]   a deployed stack's table (stack output TableName)
  --json                               machine-readable output`;

function show(record: ApiKeyRecord): string {
  const state = record.revokedAt ? `revoked ${record.revokedAt}` : 'active';
  return `${record.keyId}  tenant=${record.tenantId}  roles=${record.roles.join(',')}  human=${record.human}  ${state}  created=${record.createdAt}${record.label ? `  label="${record.label}"` : ''}`;
}

async function main(argv: string[]): Promise<void> {
  const parsed = parseCommand(argv, USAGE, ['create', 'list', 'revoke'], {
    tenant: { type: 'string' },
    roles: { type: 'string' },
    human: { type: 'boolean', default: false },
    label: { type: 'string' },
  });
  if (!parsed) return;
  const { command, rest, values, print } = parsed;
  if (command === 'create' && (!values.tenant || !values.roles)) throw new UsageError('create needs --tenant and --roles');
  if (command === 'revoke' && rest.length !== 1) throw new UsageError('revoke needs exactly one key id (see `list`)');

  const target = await openAdminTarget({ table: values.table, region: values.region, tool: 'npm run keys' });
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

runCli(USAGE, main);
