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
 * authority check follows. Target: like `npm run keys` (the local data dir,
 * or `--table <name> [--region <region>]` for a deployed stack); with
 * `--event-bus <name>` the Org.ChartChanged.v1 event is published to that
 * EventBridge bus (without it, the change is recorded and audited but no
 * event is sent).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { EventBridgeBus } from '../functions/adapters/aws/eventbridge-bus.js';
import { EVENT_SOURCE } from '../functions/contracts/events.js';
import { AGENT_ROLES } from '../functions/contracts/roles.js';
import type { Deps } from '../functions/core/context.js';
import { ConclaveError } from '../functions/core/errors.js';
import { loadTenantChart, setAuthority, setReportsTo, type ChartChange } from '../functions/core/org/org-chart.js';
import type { Bus } from '../functions/ports/bus.js';
import type { Embedder } from '../functions/ports/embedder.js';
import { ConfigError } from '../functions/runtime/config.js';
import { systemClock, timeOrderedIds } from '../functions/runtime/ids.js';
import { openStoreTarget } from './store-target.js';

const USAGE = `usage: npm run org -- <command> --tenant <id> [options]

commands:
  show            --tenant <id>
  set-authority   --tenant <id> --role <role> --limit <usd>
  set-reports-to  --tenant <id> --role <role> --reports-to <role|board>

options:
  --operator <name>                    recorded in the audit trail (default: your user name)
  --table <name> [--region <region>]   a deployed stack's table (default: the local data dir)
  --event-bus <name>                   publish Org.ChartChanged.v1 to this EventBridge bus
  --json                               machine-readable output`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const unused = (what: string) => () => {
  throw new Error(`npm run org does not use the ${what}`);
};

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      role: { type: 'string' },
      limit: { type: 'string' },
      'reports-to': { type: 'string' },
      operator: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      'event-bus': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    if (!command && !values.help) process.exitCode = 2;
    return;
  }
  if (!['show', 'set-authority', 'set-reports-to'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (!values.tenant) throw new UsageError(`${command} needs --tenant`);
  if (command !== 'show' && !values.role) throw new UsageError(`${command} needs --role`);
  if (command === 'set-authority' && (values.limit === undefined || !/^\d+(\.\d{1,2})?$/.test(values.limit))) throw new UsageError('set-authority needs --limit <usd> (digits, at most 2 decimals)');
  if (command === 'set-reports-to' && !values['reports-to']) throw new UsageError('set-reports-to needs --reports-to <role|board>');

  const target = await openStoreTarget(values.table, values.region);
  const eventBus = values['event-bus'];
  const bus: Bus = eventBus ? new EventBridgeBus(new EventBridgeClient(values.region ? { region: values.region } : {}), eventBus, EVENT_SOURCE) : { publish: async () => undefined };
  const quiet = () => undefined;
  const deps: Deps = {
    store: target.store,
    bus,
    clock: systemClock,
    ids: timeOrderedIds(systemClock),
    log: { debug: quiet, info: quiet, warn: (m, f) => process.stderr.write(`warning: ${m} ${JSON.stringify(f ?? {})}\n`), error: (m, f) => process.stderr.write(`error: ${m} ${JSON.stringify(f ?? {})}\n`) },
    embedder: { modelId: 'none', dimensions: 0, embed: unused('embedder') } as Embedder,
    workflows: { start: unused('workflows'), sendTaskSuccess: unused('workflows'), sendTaskFailure: unused('workflows'), sendTaskHeartbeat: unused('workflows'), describe: unused('workflows') },
    settings: { staleAfterMs: 300_000 },
  };
  const tenantId = values.tenant;
  const by = { kind: 'operator' as const, name: (values.operator ?? userInfo().username).slice(0, 100) };
  const ctx = { correlationId: `org-cli-${deps.ids.next()}` };
  const print = (human: string, machine: unknown) => process.stdout.write(`${values.json ? JSON.stringify(machine) : human}\n`);
  const changed = (c: ChartChange) =>
    print(`Changed in ${target.description}: ${c.role} ${c.field} ${String(c.previous)} → ${String(c.value)} (revision ${c.revision})${eventBus ? '' : '; no --event-bus: no event sent'}`, c);
  try {
    if (command === 'show') {
      const { chart, revision } = await loadTenantChart(deps, tenantId);
      const roles = AGENT_ROLES.map((r) => chart[r]);
      print(
        [`Org chart of ${tenantId} (revision ${revision}) in ${target.description}:`, ...roles.map((r) => `  ${r.id.padEnd(17)} reports to ${r.reportsTo.padEnd(17)} authority ${r.authorityUsd.toLocaleString('en-US')} USD`)].join('\n'),
        { tenant: tenantId, revision, roles },
      );
    } else if (command === 'set-authority') {
      changed(await setAuthority(deps, ctx, { tenantId, role: values.role as string, limit: Number(values.limit), by }));
    } else {
      changed(await setReportsTo(deps, ctx, { tenantId, role: values.role as string, reportsTo: values['reports-to'] as string, by }));
    }
  } finally {
    await target.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof ConclaveError || error instanceof UsageError || error instanceof ConfigError || (error as Error)?.name === 'TypeError';
  process.stderr.write(`error: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
