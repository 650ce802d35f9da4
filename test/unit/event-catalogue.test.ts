import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../functions/adapters/local/event-pattern.js';
import { EVENT_CONTRACTS, INTEGRATION_SOURCE, type DetailType } from '../../functions/contracts/events.js';
import { RULES } from '../../functions/contracts/rules.js';
import { EVENTS_DOC, EXAMPLE_RULES, exampleEvent, renderEventCatalogue, type ExampleEvent } from '../../scripts/event-catalogue.js';

const DETAIL_TYPES = Object.keys(EVENT_CONTRACTS) as DetailType[];
const doc = await readFile(EVENTS_DOC, 'utf8');

/** The bodies of the doc's fenced blocks of one language. */
function fenced(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``, 'g'))].map((m) => m[1] ?? '');
}

/** The doc section that starts at a heading, up to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, `docs/events.md has no "${heading}" heading`).toBeGreaterThanOrEqual(0);
  const level = /^#+/.exec(heading)?.[0] ?? '#';
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^#{1,${level.length}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

/** Checks a case event is a real event of its contract: right source, detail valid. */
function expectValidEvent(event: ExampleEvent): void {
  const contract = EVENT_CONTRACTS[event['detail-type']];
  expect(event.source).toBe(contract.source);
  const parsed = contract.schema.safeParse(event.detail);
  expect(parsed.success, `${event['detail-type']} ${JSON.stringify(event.detail)}: ${parsed.error?.message ?? ''}`).toBe(true);
}

describe('docs/events.md', () => {
  it('is what the contracts and rules generate (run `npm run docs` after changing either)', () => {
    expect(doc, 'docs/events.md is stale: run `npm run docs`').toBe(renderEventCatalogue());
  });

  it.each(DETAIL_TYPES)('documents every field of %s and shows its example as a full EventBridge event', (detailType) => {
    const body = section(doc, `### ${detailType}`);
    for (const field of Object.keys(EVENT_CONTRACTS[detailType].schema.shape)) expect(body).toContain(`| \`${field}\` |`);
    const [json] = fenced(body, 'json');
    const event = JSON.parse(json ?? 'null') as Record<string, unknown>;
    expect(Object.keys(event)).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    expect(event).toEqual(exampleEvent(detailType));
    expect(event.detail).toEqual(EVENT_CONTRACTS[detailType].example);
  });

  it('lists every detail-type in the table with its source', () => {
    for (const detailType of DETAIL_TYPES) {
      expect(doc).toContain(`| [\`${detailType}\`](#${detailType.toLowerCase().replace(/\./g, '')}) | \`${EVENT_CONTRACTS[detailType].source}\` |`);
    }
  });

  it('marks a defaulted field of an event sent in as optional, and Conclave fields as required', () => {
    expect(section(doc, '### Integration.Alert.v1')).toMatch(/\| `description` \| string \| no \| .*default `""`/);
    expect(section(doc, '### Integration.Alert.v1')).toMatch(/\| `severity` \| number \| yes \| `1`, `2`, `3`, `4` \|/);
    expect(section(doc, '### Agent.Heartbeat.v1')).toMatch(/\| `previous_status` \| string \\\| null \| yes \| `running`, `idle`, `stale`, `error`, `null` \|/);
  });

  it('shows no pattern that is not a deployed rule or an example rule checked below', () => {
    const known = [...RULES.map((r) => r.pattern), ...EXAMPLE_RULES.map((r) => r.pattern)];
    const blocks = fenced(doc, 'json').map((text) => JSON.parse(text) as Record<string, unknown>);
    const patterns = blocks.filter((b) => b.version !== '0');
    const cliPatterns = [...doc.matchAll(/--event-pattern '([^']*)'/g)].map((m) => JSON.parse(m[1] ?? '') as Record<string, unknown>);
    expect(patterns).toHaveLength(RULES.length + EXAMPLE_RULES.length);
    expect(cliPatterns.length).toBeGreaterThan(0);
    for (const pattern of [...patterns, ...cliPatterns]) {
      expect(() => validatePattern(pattern)).not.toThrow();
      expect(known).toContainEqual(pattern);
    }
  });
});

describe('event contracts', () => {
  it.each(DETAIL_TYPES)('parse the example of %s with its schema, unchanged', (detailType) => {
    const { schema, example } = EVENT_CONTRACTS[detailType];
    const parsed = schema.safeParse(example);
    expect(parsed.success, parsed.error?.message).toBe(true);
    expect(parsed.data).toEqual(example);
  });
});

describe('example rules for integrators', () => {
  it('cover board escalations, severe alerts, one tenant, agents in error and workflow failures', () => {
    const patterns = EXAMPLE_RULES.map((r) => JSON.stringify(r.pattern));
    expect(patterns).toContain(JSON.stringify({ source: ['conclave'], 'detail-type': ['Decision.Escalated.v1'], detail: { to: ['board'] } }));
    expect(patterns.some((p) => p.includes('"numeric"') && p.includes('Integration.Alert.v1'))).toBe(true);
    expect(patterns.some((p) => p.includes('"tenant_id":["acme"]'))).toBe(true);
    expect(patterns.some((p) => p.includes('Agent.Heartbeat.v1') && p.includes('"status":["error"]'))).toBe(true);
    expect(patterns).toContain(JSON.stringify({ source: ['conclave'], 'detail-type': ['Workflow.Completed.v1'], detail: { status: ['failed', 'timed_out'] } }));
  });

  describe.each(EXAMPLE_RULES.map((rule) => [rule.name, rule] as const))('%s', (_name, rule) => {
    it('is a pattern EventBridge accepts', () => {
      expect(validatePattern(rule.pattern)).toBe(rule.pattern);
    });

    it.each(rule.matches.map((c) => [c.label, c.event] as const))('matches %s', (_label, event) => {
      expectValidEvent(event);
      expect(matchesPattern(rule.pattern, event)).toBe(true);
    });

    it.each(rule.doesNotMatch.map((c) => [c.label, c.event] as const))('does not match %s', (_label, event) => {
      expectValidEvent(event);
      expect(matchesPattern(rule.pattern, event)).toBe(false);
    });
  });
});

describe('rules Conclave deploys', () => {
  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s is valid and routes only the detail-types it names', (_id, rule) => {
    validatePattern(rule.pattern);
    const named = rule.pattern['detail-type'] as readonly string[];
    for (const detailType of DETAIL_TYPES) {
      if (!named.includes(detailType)) expect(matchesPattern(rule.pattern, exampleEvent(detailType))).toBe(false);
    }
  });

  it('AgentStatus hears an agent entering and leaving error, not a routine heartbeat', () => {
    const rule = RULES.find((r) => r.id === 'AgentStatus');
    expect(rule).toBeDefined();
    const pattern = rule?.pattern ?? {};
    expect(matchesPattern(pattern, exampleEvent('Agent.Heartbeat.v1', { status: 'error', previous_status: null }))).toBe(true);
    expect(matchesPattern(pattern, exampleEvent('Agent.Heartbeat.v1', { status: 'idle', previous_status: 'error' }))).toBe(true);
    expect(matchesPattern(pattern, exampleEvent('Agent.Heartbeat.v1'))).toBe(false);
  });
});

describe('sending events in', () => {
  /** The doc's put-events command as the shell passes `--entries` to the CLI, with `$BUS` set. */
  function entriesFromDoc(bus: string): Array<Record<string, unknown>> {
    const line = doc.split('\n').find((l) => l.startsWith('aws events put-events --entries '));
    expect(line, 'docs/events.md has an `aws events put-events --entries` example').toBeDefined();
    const quoted = (line ?? '').slice('aws events put-events --entries '.length);
    // The command splices the variable in by closing and reopening the single quotes.
    const shell = quoted.replace(`'"$BUS"'`, bus);
    expect(shell.startsWith("'") && shell.endsWith("'")).toBe(true);
    const argument = shell.slice(1, -1);
    expect(argument).not.toContain("'");
    return JSON.parse(argument) as Array<Record<string, unknown>>;
  }

  it('puts a valid Integration.Alert.v1 from conclave.integration on the bus named by $BUS', () => {
    const entries = entriesFromDoc('Conclave-bus');
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({ EventBusName: 'Conclave-bus', Source: INTEGRATION_SOURCE, DetailType: 'Integration.Alert.v1' });
    const detail: unknown = JSON.parse(String(entry?.Detail));
    expect(EVENT_CONTRACTS['Integration.Alert.v1'].schema.safeParse(detail).success).toBe(true);
  });

  it('sends an event that the InboundAlert rule routes to Conclave', () => {
    const [entry] = entriesFromDoc('Conclave-bus');
    const delivered = { ...exampleEvent('Integration.Alert.v1'), source: entry?.Source, 'detail-type': entry?.DetailType, detail: JSON.parse(String(entry?.Detail)) as unknown };
    const inbound = RULES.find((r) => r.id === 'InboundAlert');
    expect(inbound).toBeDefined();
    expect(matchesPattern(inbound?.pattern ?? {}, delivered)).toBe(true);
  });
});
