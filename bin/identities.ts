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
import type { IdentityMapping } from '../functions/core/identity/mappings.js';
import { parseCommand, runCli, UsageError } from './cli.js';
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

function show(m: IdentityMapping): string {
  return `${m.id}  tenant=${m.tenantId}  roles=${m.roles.join(',')}  human=${m.human}  created=${m.createdAt}${m.label ? `  label="${m.label}"` : ''}`;
}

async function main(argv: string[]): Promise<void> {
  const parsed = parseCommand(argv, USAGE, ['map-user', 'map-group', 'list', 'remove'], {
    email: { type: 'string' },
    subject: { type: 'string' },
    tenant: { type: 'string' },
    roles: { type: 'string' },
    human: { type: 'boolean', default: false },
    label: { type: 'string' },
  });
  if (!parsed) return;
  const { command, rest, values, print } = parsed;
  if (command === 'map-user' || command === 'map-group') {
    if (!values.tenant || !values.roles) throw new UsageError(`${command} needs --tenant and --roles`);
    if (command === 'map-user' && Boolean(values.email) === Boolean(values.subject)) throw new UsageError('map-user needs exactly one of --email and --subject');
    if (command === 'map-group' && rest.length !== 1) throw new UsageError('map-group needs exactly one group name');
  }
  if (command === 'remove' && rest.length !== 1) throw new UsageError('remove needs exactly one mapping id (see `list`)');

  const target = await openAdminTarget({ table: values.table, region: values.region, tool: 'npm run identities' });
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

runCli(USAGE, main);
