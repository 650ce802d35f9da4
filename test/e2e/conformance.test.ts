import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERAS } from '../conformance/baseline.js';
import { evaluate, runEra, startConformanceServer } from '../conformance/suite.js';
import { memoryLog } from '../helpers/conclave.js';

/**
 * The official MCP conformance suite against the local server started with
 * the conformance fixtures (CONCLAVE_CONFORMANCE_FIXTURES=1), once per protocol
 * era, with the baseline of expected failures in test/conformance/baseline.ts.
 * The suite and its Node 22 are pinned in test/clients (installed by npm install).
 */
describe('official MCP conformance suite', () => {
  let conclave: Awaited<ReturnType<typeof startConformanceServer>>;

  beforeAll(async () => {
    conclave = await startConformanceServer(memoryLog());
  });
  afterAll(() => conclave.close());

  it.each(ERAS.map((era) => [era.id, era] as const))(
    'passes the %s requirements except the expected failures, and every expected failure still fails',
    { timeout: 660_000 },
    async (_id, era) => {
      const run = await runEra(era, conclave.conformanceUrl);
      // A run that never reached the scenarios (no network, a changed CLI) must not look like a pass.
      expect(run.scenarios.length, run.output.slice(-3000)).toBeGreaterThanOrEqual(era.id === '2025-11-25' ? 30 : 37);
      const evaluation = evaluate(era, run.scenarios);
      expect({ unexpected: evaluation.unexpectedFailures, stale: evaluation.staleEntries }, run.output.slice(-3000)).toEqual({ unexpected: [], stale: [] });
      // The suite's own verdict with the same baseline (scored scenarios only for 2026-07-28).
      expect(run.exitCode, run.output.slice(-3000)).toBe(0);
    },
  );
});
