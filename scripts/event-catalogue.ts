/**
 * Generates docs/events.md, the integrators' event catalogue, from the event
 * contracts and the bus rules, so the catalogue cannot drift from what
 * Conclave publishes and deploys. test/unit/event-catalogue.test.ts runs every
 * pattern in it through the local EventBridge matcher.
 *
 *   tsx scripts/event-catalogue.ts          rewrite docs/events.md
 *   tsx scripts/event-catalogue.ts --check  exit 1 if docs/events.md is stale
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { EVENT_CONTRACTS, EVENT_SOURCE, INTEGRATION_SOURCE, type DetailType, type EventDetail } from '../functions/contracts/events.js';
import { RULES } from '../functions/contracts/rules.js';

export const EVENTS_DOC = fileURLToPath(new URL('../docs/events.md', import.meta.url));

/** The account and region every example event claims (the documentation account). */
const EXAMPLE_ACCOUNT = '111122223333';
const EXAMPLE_REGION = 'eu-west-1';
/** The `time` of examples whose detail has no `occurred_at` (events sent in). */
const EXAMPLE_TIME = '2026-11-21T10:00:00Z';
/** The default stack's bus (`<stack name>-bus`, lib/constructs/bus.ts). */
const DEFAULT_BUS = 'Conclave-bus';

/** An event as EventBridge delivers it to rule targets; a type alias so it is a `Record` for the matcher. */
export type ExampleEvent = {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': DetailType;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
};

/**
 * The contract's example as a full EventBridge event, with `changes` applied to
 * its detail. Deterministic: the id is derived from the detail-type and the
 * changes, the time from `occurred_at`.
 */
export function exampleEvent<T extends DetailType>(detailType: T, changes: Partial<EventDetail<T>> = {}): ExampleEvent {
  const contract = EVENT_CONTRACTS[detailType];
  const detail: Record<string, unknown> = { ...contract.example, ...changes };
  const occurredAt = detail.occurred_at;
  return {
    version: '0',
    id: stableUuid(`${detailType} ${JSON.stringify(changes)}`),
    'detail-type': detailType,
    source: contract.source,
    account: EXAMPLE_ACCOUNT,
    // EventBridge's `time` has whole seconds.
    time: typeof occurredAt === 'string' ? occurredAt.replace(/\.\d+Z$/, 'Z') : EXAMPLE_TIME,
    region: EXAMPLE_REGION,
    resources: [],
    detail,
  };
}

function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An event an example rule is shown to match or not, with how the doc names it. */
export interface ExampleCase {
  readonly label: string;
  readonly event: ExampleEvent;
}

/** A rule an integrator can put on Conclave's bus; the test proves each against its cases. */
export interface ExampleRule {
  /** Rule name in the CLI example. */
  readonly name: string;
  readonly title: string;
  /** What it is for and what to point it at. */
  readonly purpose: string;
  readonly pattern: Readonly<Record<string, unknown>>;
  readonly matches: readonly ExampleCase[];
  readonly doesNotMatch: readonly ExampleCase[];
}

export const EXAMPLE_RULES: readonly ExampleRule[] = [
  {
    name: 'conclave-board-escalations',
    title: 'Tell the board about every escalation (Slack or e-mail through SNS)',
    purpose:
      'Target an SNS topic with e-mail subscriptions, or one AWS Chatbot posts to a Slack channel. Escalations to other roles (a CTO escalating to the CEO) stay inside Conclave.',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['Decision.Escalated.v1'], detail: { to: ['board'] } },
    matches: [{ label: 'the `Decision.Escalated.v1` example (CEO to board)', event: exampleEvent('Decision.Escalated.v1') }],
    doesNotMatch: [
      {
        label: 'an escalation from the CTO to the CEO',
        event: exampleEvent('Decision.Escalated.v1', { from: 'cto', to: 'ceo', reason: 'budget 600,000 exceeds the CTO authority of 250,000', amount: 600_000 }),
      },
    ],
  },
  {
    name: 'conclave-sev12-tickets',
    title: 'Open a ticket for severity 1 and 2 alerts',
    purpose:
      'Target an API destination for your ticketing or paging system (or a Lambda that opens the ticket). `numeric` matches JSON numbers only, so send `severity` as a number.',
    pattern: { source: [INTEGRATION_SOURCE], 'detail-type': ['Integration.Alert.v1'], detail: { severity: [{ numeric: ['<=', 2] }] } },
    matches: [
      { label: 'the `Integration.Alert.v1` example (severity 1)', event: exampleEvent('Integration.Alert.v1') },
      { label: 'the same alert at severity 2', event: exampleEvent('Integration.Alert.v1', { severity: 2 }) },
    ],
    doesNotMatch: [{ label: 'the same alert at severity 3', event: exampleEvent('Integration.Alert.v1', { severity: 3 }) }],
  },
  {
    name: 'conclave-tenant-acme',
    title: "Everything Conclave publishes for one tenant",
    purpose:
      "Target a queue or a Firehose stream that keeps a copy of one tenant's activity. Alerts sent in have their own source and are not included; add `conclave.integration` to `source` to include them.",
    pattern: { source: [EVENT_SOURCE], detail: { tenant_id: ['acme'] } },
    matches: [
      { label: 'the `Message.Sent.v1` example (tenant `acme`)', event: exampleEvent('Message.Sent.v1') },
      { label: 'the `Workflow.Started.v1` example (tenant `acme`)', event: exampleEvent('Workflow.Started.v1') },
    ],
    doesNotMatch: [
      { label: 'a message of tenant `globex`', event: exampleEvent('Message.Sent.v1', { tenant_id: 'globex' }) },
      { label: 'an alert sent in for `acme` (source `conclave.integration`)', event: exampleEvent('Integration.Alert.v1') },
    ],
  },
  {
    name: 'conclave-agents-in-error',
    title: 'Page when an agent enters the error status',
    purpose:
      'Target an on-call SNS topic. Matching the previous status too fires once when an agent enters `error`, not on every heartbeat while it stays there; drop `previous_status` to hear every one.',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['Agent.Heartbeat.v1'],
      detail: { status: ['error'], previous_status: [null, 'running', 'idle', 'stale'] },
    },
    matches: [{ label: 'a heartbeat of the CTO going from `running` to `error`', event: exampleEvent('Agent.Heartbeat.v1', { status: 'error', previous_status: 'running' }) }],
    doesNotMatch: [
      { label: 'the `Agent.Heartbeat.v1` example (`idle` to `running`)', event: exampleEvent('Agent.Heartbeat.v1') },
      { label: 'a further heartbeat while still in `error`', event: exampleEvent('Agent.Heartbeat.v1', { status: 'error', previous_status: 'error' }) },
    ],
  },
  {
    name: 'conclave-workflow-failures',
    title: 'Report workflow runs that failed or timed out',
    purpose: 'Target a queue or a Lambda that files the failure (`cause` says why) with the run id.',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['Workflow.Completed.v1'], detail: { status: ['failed', 'timed_out'] } },
    matches: [
      { label: 'a failed run', event: exampleEvent('Workflow.Completed.v1', { status: 'failed', cause: 'implementation: tests failed after 3 attempts' }) },
      { label: 'a timed-out run', event: exampleEvent('Workflow.Completed.v1', { status: 'timed_out', cause: 'architecture_review: no decision within 72 hours' }) },
    ],
    doesNotMatch: [{ label: 'the `Workflow.Completed.v1` example (`succeeded`)', event: exampleEvent('Workflow.Completed.v1') }],
  },
];

/** The detail of the alert in "Sending events in" (the contract's example). */
const SENT_ALERT = EVENT_CONTRACTS['Integration.Alert.v1'].example;

/** The PutEvents entries of the "Sending events in" example, on the named bus. */
function alertEntries(busName: string): Array<{ EventBusName: string; Source: string; DetailType: string; Detail: string }> {
  return [{ EventBusName: busName, Source: INTEGRATION_SOURCE, DetailType: 'Integration.Alert.v1', Detail: JSON.stringify(SENT_ALERT) }];
}

/** A placeholder bus name the CLI example splices `$BUS` into. */
const BUS_PLACEHOLDER = '@@BUS@@';

/** The `aws events put-events` command of "Sending events in". */
function putEventsCommand(): string {
  const entries = JSON.stringify(alertEntries(BUS_PLACEHOLDER));
  // Single-quoted for the shell: the JSON must not contain a single quote.
  if (entries.includes("'")) throw new Error('the example alert must not contain a single quote');
  return `aws events put-events --entries '${entries.replace(BUS_PLACEHOLDER, `'"$BUS"'`)}'`;
}

// ---------------------------------------------------------------------------
// Fields from the zod schemas

/** The part of JSON Schema `z.toJSONSchema` produces for these contracts. */
interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly default?: unknown;
}

/** One row of a detail-type's field table. */
interface FieldRow {
  readonly field: string;
  readonly type: string;
  readonly required: boolean;
  /** The allowed values when the field is enumerated (`null` included when nullable). */
  readonly values: readonly unknown[] | undefined;
  readonly constraints: readonly string[];
}

interface Shape {
  readonly types: readonly string[];
  readonly values: readonly unknown[] | undefined;
  readonly constraints: readonly string[];
}

/**
 * The fields of a detail-type, from its zod schema. Events sent in are
 * described as the producer writes them (defaulted fields are optional);
 * Conclave's own as consumers receive them.
 */
function fieldRows(detailType: DetailType): FieldRow[] {
  const contract = EVENT_CONTRACTS[detailType];
  const io = contract.source === INTEGRATION_SOURCE ? 'input' : 'output';
  const schema = z.toJSONSchema(contract.schema, { io }) as JsonSchema;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([field, node]) => {
    const shape = shapeOf(node);
    return { field, type: shape.types.join(' | '), required: required.has(field), values: shape.values, constraints: shape.constraints };
  });
}

function shapeOf(node: JsonSchema): Shape {
  if (node.anyOf) {
    const parts = node.anyOf.map(shapeOf);
    const types = unique(parts.flatMap((p) => p.types));
    const nonNull = parts.filter((p) => !(p.types.length === 1 && p.types[0] === 'null'));
    const enumerated = nonNull.every((p) => p.values !== undefined);
    const values = enumerated ? [...nonNull.flatMap((p) => p.values ?? []), ...(types.includes('null') ? [null] : [])] : undefined;
    return { types, values, constraints: [...unique(parts.flatMap((p) => p.constraints)), ...defaultOf(node)] };
  }
  const declared = node.type === undefined ? ['any'] : typeof node.type === 'string' ? [node.type] : node.type;
  const items = node.items ? shapeOf(node.items) : undefined;
  const types = declared.map((t) => {
    if (t === 'array') return `array of ${items?.types.join(' | ') ?? 'any'}`;
    if (t === 'string' && node.format === 'date-time') return 'string (date-time)';
    return t;
  });
  const own = node.enum ?? (node.const !== undefined ? [node.const] : undefined);
  const values = own ?? items?.values;
  const constraints = [...lengthOf(node), ...rangeOf(node), ...(node.minItems ? [`at least ${node.minItems} item${node.minItems > 1 ? 's' : ''}`] : []), ...(items?.constraints ?? []), ...defaultOf(node)];
  return { types, values, constraints };
}

function lengthOf(node: JsonSchema): string[] {
  const { minLength: min, maxLength: max } = node;
  if (min !== undefined && max !== undefined) return [`${min}–${max} characters`];
  if (min === 1) return ['not empty'];
  if (min !== undefined) return [`at least ${min} characters`];
  if (max !== undefined) return [`at most ${max} characters`];
  return [];
}

function rangeOf(node: JsonSchema): string[] {
  const { minimum: min, maximum: max } = node;
  if (min !== undefined && max !== undefined) return [`${min} to ${max}`];
  if (min !== undefined) return [`≥ ${min}`];
  if (max !== undefined) return [`≤ ${max}`];
  return [];
}

function defaultOf(node: JsonSchema): string[] {
  return node.default === undefined ? [] : [`default \`${JSON.stringify(node.default)}\``];
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

// ---------------------------------------------------------------------------
// Rendering

/** The markdown of docs/events.md. */
export function renderEventCatalogue(): string {
  const detailTypes = Object.keys(EVENT_CONTRACTS) as DetailType[];
  const lines: string[] = [
    '# Conclave events',
    '',
    '<!-- Generated by `npm run docs` (scripts/event-catalogue.ts) from functions/contracts/events.ts and functions/contracts/rules.ts; do not edit. -->',
    '',
    'Conclave publishes what happens in the organization (messages, decisions, tasks, workflows, memory, agent health) as',
    'events on an Amazon EventBridge bus, and accepts alerts from your systems on the same bus. This page is the contract',
    'for integrators: what each event carries, the rules Conclave itself deploys, rules you can copy, and how to send events in.',
    '',
    '## The bus',
    '',
    `Conclave's stack creates a custom event bus named \`<stack name>-bus\` (\`${DEFAULT_BUS}\` for the default stack);`,
    'the stack output `EventBusName` carries the name. Put your rules on that bus, in the same account and region.',
    'Conclave archives its own events (source `conclave`) for replay, 30 days by default.',
    '',
    'Sources:',
    '',
    `- \`${EVENT_SOURCE}\` — every event Conclave publishes. Conclave validates each \`detail\` against its schema before publishing.`,
    `- \`${INTEGRATION_SOURCE}\` — events integrators send in (today: \`Integration.Alert.v1\`).`,
    '',
    'Every Conclave `detail` carries `tenant_id` (the organization it concerns), `correlation_id` (shared by the events one',
    'request caused) and `occurred_at` (ISO 8601, UTC). Delivery is at least once and unordered: make targets idempotent on',
    "the ids in `detail` (for example `message_id`, `decision_id` with `status`) and order by `occurred_at`.",
    '',
    '## Versioning',
    '',
    '- Every detail-type carries its major version: `Message.Sent.v1`.',
    '- Additive changes keep the version: a new field, or a new value of an enumerated field. Ignore fields you do not',
    '  know, and match the values you want rather than excluding the ones you know.',
    '- A breaking change (a field removed, renamed, or changing type or meaning) publishes a new detail-type, `.v2`,',
    '  alongside `.v1`; `.v1` keeps being published until consumers have moved to `.v2`.',
    '- Pin `detail-type` to the versions you understand in every rule.',
    '',
    '## Detail-types',
    '',
    '| detail-type | source | when |',
    '|---|---|---|',
    ...detailTypes.map((t) => `| [\`${t}\`](#${anchor(t)}) | \`${EVENT_CONTRACTS[t].source}\` | ${cell(EVENT_CONTRACTS[t].description)} |`),
    '',
    '## Events',
  ];

  for (const detailType of detailTypes) {
    const contract = EVENT_CONTRACTS[detailType];
    const sentIn = contract.source === INTEGRATION_SOURCE;
    lines.push(
      '',
      `### ${detailType}`,
      '',
      contract.description,
      '',
      `Source \`${contract.source}\`. Fields of \`detail\`${sentIn ? ' (as you send it)' : ''}:`,
      '',
      '| field | type | required | values |',
      '|---|---|---|---|',
      ...fieldRows(detailType).map(
        (row) => `| \`${row.field}\` | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} | ${cell(valuesCell(row))} |`,
      ),
      '',
      'Example event, as delivered to a rule target:',
      '',
      '```json',
      prettyJson(exampleEvent(detailType)),
      '```',
    );
  }

  lines.push(
    '',
    '## Rules Conclave deploys',
    '',
    'Conclave routes its own work with these rules on the bus (each targets a Conclave function, with retries and a',
    'dead-letter queue). They are listed so you can see what already happens; you do not need to recreate them.',
  );
  for (const rule of RULES) {
    lines.push('', `### ${rule.id}`, '', `${rule.description} Target: the \`${rule.consumer}\` consumer.`, '', '```json', prettyJson(rule.pattern), '```');
  }

  lines.push(
    '',
    '## Example rules for integrators',
    '',
    'Copy, adapt the target, and create them on the bus. The test suite runs each pattern through an EventBridge matcher:',
    'it matches the events listed after "Matches" and none of those after "Does not match".',
  );
  EXAMPLE_RULES.forEach((rule, i) => {
    lines.push(
      '',
      `### ${i + 1}. ${rule.title}`,
      '',
      rule.purpose,
      '',
      '```json',
      prettyJson(rule.pattern),
      '```',
      '',
      `- Matches: ${rule.matches.map((c) => c.label).join('; ')}.`,
      `- Does not match: ${rule.doesNotMatch.map((c) => c.label).join('; ')}.`,
    );
  });
  const [first] = EXAMPLE_RULES;
  if (first) {
    lines.push(
      '',
      '### Creating a rule',
      '',
      'With the AWS CLI (the first rule above; the topic must allow `events.amazonaws.com` to `sns:Publish`):',
      '',
      '```sh',
      ...busVariable(),
      `aws events put-rule --event-bus-name "$BUS" --name ${first.name} \\`,
      `  --event-pattern '${JSON.stringify(first.pattern)}'`,
      `aws events put-targets --event-bus-name "$BUS" --rule ${first.name} \\`,
      `  --targets 'Id=board-topic,Arn=arn:aws:sns:${EXAMPLE_REGION}:${EXAMPLE_ACCOUNT}:board-escalations'`,
      '```',
    );
  }

  lines.push(
    '',
    '## Sending events in',
    '',
    `Send an alert from your monitoring with \`PutEvents\` on Conclave's bus, with source \`${INTEGRATION_SOURCE}\` and`,
    `detail-type \`Integration.Alert.v1\`; the \`detail\` follows [its field table](#${anchor('Integration.Alert.v1')}). Conclave turns it into an`,
    'escalation message to the operations head (severity 1: the whole leadership), threaded by `alert_id`.',
    '',
    '- The caller needs `events:PutEvents` on the bus ARN.',
    '- `tenant_id` is the tenant whose organization gets the alert; `correlation_id` is optional (the event id is used).',
    '- EventBridge does not check `detail`: an alert that does not match the schema is not delivered, and lands in the',
    "  consumer's dead-letter queue.",
    '- `PutEvents` can fail per entry: check `FailedEntryCount` in the response and resend the entries that carry an `ErrorCode`.',
    '',
    '```sh',
    ...busVariable(),
    putEventsCommand(),
    '```',
    '',
    'A successful call answers `{"FailedEntryCount": 0, "Entries": [{"EventId": "…"}]}`.',
    '',
  );
  return lines.join('\n');
}

/** Shell lines that set `$BUS` from the stack output. */
function busVariable(): string[] {
  return [
    `# The bus name is the stack output EventBusName (${DEFAULT_BUS} for the default stack).`,
    'BUS=$(aws cloudformation describe-stacks --stack-name Conclave \\',
    `  --query "Stacks[0].Outputs[?OutputKey=='EventBusName'].OutputValue" --output text)`,
  ];
}

/** JSON with two-space indentation and arrays of scalars on one line, for readable patterns and events. */
function prettyJson(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function valuesCell(row: FieldRow): string {
  const values = row.values?.map((v) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``).join(', ');
  return [values, ...row.constraints].filter(Boolean).join('; ') || '—';
}

/** GitHub's heading anchor: lower case, punctuation other than `-` dropped, spaces as `-`. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

/** Text safe inside a markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

async function main(): Promise<void> {
  const next = renderEventCatalogue();
  if (process.argv.includes('--check')) {
    const current = await readFile(EVENTS_DOC, 'utf8').catch(() => '');
    if (next !== current) {
      process.stderr.write('docs/events.md is stale: run `npm run docs` (tsx scripts/event-catalogue.ts)\n');
      process.exit(1);
    }
    return;
  }
  await writeFile(EVENTS_DOC, next);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
