/**
 * `npm run org -- <command>`: read and change a tenant's org chart as an operator.
 *
 *   show            --tenant <id>
 *   set-authority   --tenant <id> --role <role> --limit <usd>
 *   set-reports-to  --tenant <id> --role <role> --reports-to <role|board>
 *
 * The same use cases as the board's set_authority / set_reports_to tools: the
 * same validation (no cycles; the CEO reports to the board), an audit line
 * with `operator:<name>` as the actor, and a new chart revision that the next
 * authority check follows. Target: like `npm run keys`: the running local
 * server's admin route (which also publishes Org.ChartChanged.v1 on its bus),
 * the local data dir, or `--table <name> [--region <region>]` for a deployed
 * stack (recorded and audited; no event is sent from the command line).
 */
import { userInfo } from 'node:os';
import type { RoleDefinition } from '../functions/core/org/chart.js';
import type { ChartChange } from '../functions/core/org/org-chart.js';
import { parseCommand, runCli, UsageError } from './cli.js';
import { openAdminTarget } from './store-target.js';

const USAGE = `usage: npm run org -- <command> --tenant <id> [options]

commands:
  show            --tenant <id>
  set-authority   --tenant <id> --role <role> --limit <usd>
  set-reports-to  --tenant <id> --role <role> --reports-to <role|board>

options:
  --operator <name>                    recorded in the audit trail (default: your user name)
  --table <name> [--region <region>]   a deployed stack's table (default: the local data dir)
  --json                               machine-readable output`;

async function main(argv: string[]): Promise<void> {
  const parsed = parseCommand(argv, USAGE, ['show', 'set-authority', 'set-reports-to'], {
    tenant: { type: 'string' },
    role: { type: 'string' },
    limit: { type: 'string' },
    'reports-to': { type: 'string' },
    operator: { type: 'string' },
  });
  if (!parsed) return;
  const { command, values, print } = parsed;
  if (!values.tenant) throw new UsageError(`${command} needs --tenant`);
  if (command !== 'show' && !values.role) throw new UsageError(`${command} needs --role`);
  if (command === 'set-authority' && (values.limit === undefined || !/^\d+(\.\d{1,2})?$/.test(values.limit))) throw new UsageError('set-authority needs --limit <usd> (digits, at most 2 decimals)');
  if (command === 'set-reports-to' && !values['reports-to']) throw new UsageError('set-reports-to needs --reports-to <role|board>');

  const target = await openAdminTarget({ table: values.table, region: values.region, tool: 'npm run org' });
  const tenant = values.tenant;
  const operator = (values.operator ?? userInfo().username).slice(0, 100);
  const changed = (c: ChartChange) => print(`Changed in ${target.description}: ${c.role} ${c.field} ${String(c.previous)} → ${String(c.value)} (revision ${c.revision})`, c);
  try {
    if (command === 'show') {
      const shown = (await target.run({ command: 'org.show', tenant })) as { revision: number; roles: RoleDefinition[] };
      print(
        [
          `Org chart of ${tenant} (revision ${shown.revision}) in ${target.description}:`,
          ...shown.roles.map((r) => `  ${r.id.padEnd(17)} reports to ${r.reportsTo.padEnd(17)} authority ${r.authorityUsd.toLocaleString('en-US')} USD`),
        ].join('\n'),
        { tenant, ...shown },
      );
    } else if (command === 'set-authority') {
      changed((await target.run({ command: 'org.set-authority', tenant, role: values.role as string, limit: Number(values.limit), operator })) as ChartChange);
    } else {
      changed((await target.run({ command: 'org.set-reports-to', tenant, role: values.role as string, reportsTo: values['reports-to'] as string, operator })) as ChartChange);
    }
  } finally {
    await target.close();
  }
}

runCli(USAGE, main);
