import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderBaseline } from '../../scripts/conformance-report.js';
import { baselineYaml, ERAS, type Era } from '../conformance/baseline.js';
import { evaluate, type ScenarioResult } from '../conformance/suite.js';

const result = (scenario: string, statuses: Record<string, string>): ScenarioResult => {
  const checks = Object.entries(statuses).map(([id, status]) => ({ id, status }));
  return { scenario, checks, passed: !checks.some((c) => c.status === 'FAILURE' || c.status === 'WARNING') };
};

describe('conformance baseline', () => {
  it('gives every expected failure a reason and lists each once', () => {
    for (const era of ERAS) {
      expect(new Set(era.baseline.map((e) => e.entry)).size).toBe(era.baseline.length);
      for (const { entry, reason } of era.baseline) {
        expect(entry).toMatch(/^[a-z0-9-]+(:[a-z0-9$._-]+)?$/i);
        expect(reason.length, entry).toBeGreaterThan(40);
      }
    }
  });

  it('pins each era to an exact suite release', () => {
    expect(ERAS.map((e) => e.suite)).toEqual(['@modelcontextprotocol/conformance@0.1.16', '@modelcontextprotocol/conformance@0.2.0-alpha.12']);
  });

  it("writes the suite's --expected-failures YAML with every entry", () => {
    for (const era of ERAS) {
      const yaml = baselineYaml(era);
      expect(yaml).toMatch(/^server:/m);
      for (const { entry } of era.baseline) expect(yaml).toContain(`  - ${JSON.stringify(entry)}\n`);
    }
  });

  it('is published in docs/conformance.md: every era, suite, entry and reason (run `npm run conformance` after changing it)', async () => {
    const doc = await readFile(new URL('../../docs/conformance.md', import.meta.url), 'utf8');
    for (const era of ERAS) {
      expect(doc).toContain(`## ${era.id}`);
      expect(doc).toContain(era.suite);
      expect(doc).toContain(renderBaseline(era));
      for (const { entry } of era.baseline) expect(doc).toContain(`\`${entry}\``);
    }
  });
});

describe('conformance evaluation (the suite’s baseline rules, applied to every scenario that ran)', () => {
  const era: Era = {
    id: '2026-07-28',
    suite: 'x',
    package: 'x',
    selection: [],
    selectionText: '',
    baseline: [
      { entry: 'whole', reason: 'r' },
      { entry: 'partly:check-b', reason: 'r' },
    ],
  };

  it('accepts listed failures and passes', () => {
    const scenarios = [result('whole', { a: 'FAILURE' }), result('partly', { 'check-a': 'SUCCESS', 'check-b': 'WARNING' }), result('fine', { x: 'SUCCESS', y: 'SKIPPED' })];
    expect(evaluate(era, scenarios)).toEqual({ unexpectedFailures: [], staleEntries: [], expectedFailures: ['whole', 'partly:check-b'] });
  });

  it('reports an unlisted failure, including a warning and another check of a partly listed scenario', () => {
    const scenarios = [result('whole', { a: 'FAILURE' }), result('partly', { 'check-a': 'FAILURE', 'check-b': 'FAILURE' }), result('fine', { x: 'WARNING' })];
    expect(evaluate(era, scenarios).unexpectedFailures).toEqual(['partly:check-a', 'fine:x']);
  });

  it('reports a listed failure that passes again, and an entry whose scenario no longer runs, as stale', () => {
    expect(evaluate(era, [result('whole', { a: 'SUCCESS' }), result('partly', { 'check-b': 'SUCCESS' })]).staleEntries).toEqual(['whole', 'partly:check-b']);
    expect(evaluate(era, [result('partly', { 'check-b': 'FAILURE' })]).staleEntries).toEqual(['whole']);
  });
});
