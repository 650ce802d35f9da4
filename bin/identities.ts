/**
 * `npm run identities -- <command>`: the table-held mapping from the people
 * of the upstream OpenID Connect provider (the stack's Cognito user pool or a
 * trusted issuer) to a tenant and roles (README "Identity").
 *
 *   map-user  (--email <address> | --subject <sub>) --tenant <id> --roles <r1,r2|all> [--human] [--label <text>]
 *   map-group <group> --tenant <id> --roles <r1,r2|all> [--human] [--label <text>]
 *   list      [--tenant <id>]
 *   remove    <mapping id>   (as `list` shows it: email:…, subject:… or group:…)
 *
 * Target: as `npm run keys` — the local data dir (through the running
 * server's authenticated /admin route when it holds the data dir, else by
 * opening it), or with `--table <name> [--region <region>]` a deployed
 * stack's table with the standard AWS credential chain.
 */
import { parseArgs } from 'node:util';
import { EngineOpenError } from '../functions/adapters/local/dynalite.js';
import { ConclaveError } from '../functions/core/errors.js';
import type { IdentityMapping } from '../functions/core/identity/mappings.js';
import { ConfigError } from '../functions/runtime/config.js';
import { DataDirError } from '../functions/runtime/data-dir.js';
import { openAdminTarget } from './store-target.js';

const USAGE = `usage: npm run identities -- <command> [options]

commands:
  map-user  (--email <address> | --subject <sub>) --tenant <id> --roles <role,role|all> [--human] [--label <text>]
  map-group <group> --tenant <id> --roles <role,role|all> [--human] [--label <text>]
  list      [--tenant <id>]
  remove    <mapping id>          e.g. email:alice@example.com, subject:<sub>, group:engineering

A person who signs in with the provider gets the tenant and roles of their user
mapping (by subject, else by verified email), else of their groups' mappings
(which must name one tenant). The board needs --human. Removing a mapping ends
the OAuth access approved through it within the auth cache window.

target (default: the local data dir, CONCLAVE_DATA_DIR or .conclave):
  --table <name> [--region <region>]   a deployed stack's table (stack output TableName)
  --json                               machine-readable output`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function show(m: IdentityMapping): string {
  return `${m.id}  tenant=${m.tenantId}  roles=${m.roles.join(',')}  human=${m.human}  created=${m.createdAt}${m.label ? `  label="${m.label}"` : ''}`;
}

// The SDK's advisory about future Node releases is noise for a local tool whose SDK version the lockfile pins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      subject: { type: 'string' },
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
  if (!['map-user', 'map-group', 'list', 'remove'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (command === 'map-user' || command === 'map-group') {
    if (!values.tenant || !values.roles) throw new UsageError(`${command} needs --tenant and --roles`);
    if (command === 'map-user' && Boolean(values.email) === Boolean(values.subject)) throw new UsageError('map-user needs exactly one of --email and --subject');
    if (command === 'map-group' && rest.length !== 1) throw new UsageError('map-group needs exactly one group name');
  }
  if (command === 'remove' && rest.length !== 1) throw new UsageError('remove needs exactly one mapping id (see `list`)');

  const target = await openAdminTarget({ table: values.table, region: values.region, tool: 'npm run identities' });
  const print = (human: string, machine: unknown) => process.stdout.write(`${values.json ? JSON.stringify(machine) : human}\n`);
  try {
    if (command === 'map-user' || command === 'map-group') {
      const mapping = (await target.run({
        command: 'identities.map',
        ...(command === 'map-group' ? { kind: 'group' as const, value: rest[0] as string } : values.email ? { kind: 'email' as const, value: values.email } : { kind: 'subject' as const, value: values.subject as string }),
        tenant: values.tenant as string,
        roles: (values.roles as string).split(',').map((r) => r.trim()),
        human: values.human,
        ...(values.label ? { label: values.label } : {}),
      })) as IdentityMapping;
      print(`Mapped in ${target.description}:\n  ${show(mapping)}`, mapping);
    } else if (command === 'list') {
      const mappings = (await target.run({ command: 'identities.list', ...(values.tenant ? { tenant: values.tenant } : {}) })) as IdentityMapping[];
      print(mappings.length ? mappings.map(show).join('\n') : `no identity mappings in ${target.description}`, mappings);
    } else {
      const mapping = (await target.run({ command: 'identities.remove', id: rest[0] as string })) as IdentityMapping;
      print(`Removed: ${show(mapping)}`, mapping);
    }
  } finally {
    await target.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof ConclaveError || error instanceof UsageError || error instanceof ConfigError || error instanceof DataDirError || error instanceof EngineOpenError || (error as Error)?.name === 'TypeError' || (error as Error)?.name === 'AdminCommandError';
  process.stderr.write(`error: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
