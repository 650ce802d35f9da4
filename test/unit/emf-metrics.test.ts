import { describe, expect, it } from 'vitest';
import { EmfMetrics } from '../../functions/adapters/aws/emf-metrics.js';
import { MemoryMetrics, noMetrics } from '../../functions/adapters/local/memory-metrics.js';

function emf(): { metrics: EmfMetrics; lines: string[] } {
  const lines: string[] = [];
  return { metrics: new EmfMetrics({ namespace: 'Conclave', service: 'conclave-mcp', write: (line) => lines.push(line), now: () => 1_700_000_000_000 }), lines };
}

describe('EmfMetrics (CloudWatch embedded metric format)', () => {
  it('writes one JSON line per record with the directive, the dimension values, the context and the values', () => {
    const { metrics, lines } = emf();
    metrics.record(
      [
        { name: 'ToolCalls', unit: 'Count', value: 1 },
        { name: 'ToolLatency', unit: 'Milliseconds', value: 12.5 },
      ],
      { tool: 'send_message', role: 'ceo' },
      { context: { tenant_id: 'acme', correlation_id: 'c-1' }, dimensionSets: [[], ['tool'], ['role']] },
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] as string)).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'Conclave',
            Dimensions: [['service'], ['service', 'tool'], ['service', 'role']],
            Metrics: [
              { Name: 'ToolCalls', Unit: 'Count' },
              { Name: 'ToolLatency', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      service: 'conclave-mcp',
      tool: 'send_message',
      role: 'ceo',
      tenant_id: 'acme',
      correlation_id: 'c-1',
      ToolCalls: 1,
      ToolLatency: 12.5,
    });
  });

  it('aggregates by all the dimensions (and service) when no sets are given', () => {
    const { metrics, lines } = emf();
    metrics.record([{ name: 'X', unit: 'Count', value: 0 }], { consumer: 'inbox-fanout' });
    const directive = (JSON.parse(lines[0] as string) as { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] } })._aws.CloudWatchMetrics[0];
    expect(directive?.Dimensions).toEqual([['service', 'consumer']]);
  });

  it('never lets context override a dimension or a value, and drops non-finite values', () => {
    const { metrics, lines } = emf();
    metrics.record(
      [
        { name: 'Good', unit: 'Count', value: 2 },
        { name: 'Bad', unit: 'Count', value: Number.NaN },
      ],
      { tool: 'vote' },
      { context: { tool: 'forged', Good: 'forged', service: 'forged' } },
    );
    const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(record).toMatchObject({ tool: 'vote', Good: 2, service: 'conclave-mcp' });
    expect(record.Bad).toBeUndefined();
    expect(JSON.stringify(record._aws)).not.toContain('Bad');
  });

  it('writes nothing without a finite value, and never throws (a metric must not fail a request)', () => {
    const { metrics, lines } = emf();
    metrics.record([{ name: 'X', unit: 'Count', value: Infinity }], {});
    expect(lines).toEqual([]);
    const throwing = new EmfMetrics({ namespace: 'N', service: 's', write: () => { throw new Error('stdout closed'); } });
    expect(() => throwing.record([{ name: 'X', unit: 'Count', value: 1 }], {})).not.toThrow();
  });
});

describe('local metrics', () => {
  it('MemoryMetrics keeps what it was given; noMetrics ignores it', () => {
    const memory = new MemoryMetrics();
    memory.record([{ name: 'X', unit: 'Count', value: 1 }], { tool: 't' }, { context: { tenant_id: 'a' } });
    expect(memory.records).toEqual([{ values: [{ name: 'X', unit: 'Count', value: 1 }], dimensions: { tool: 't' }, context: { tenant_id: 'a' } }]);
    expect(() => noMetrics.record([{ name: 'X', unit: 'Count', value: 1 }], {})).not.toThrow();
  });
});
