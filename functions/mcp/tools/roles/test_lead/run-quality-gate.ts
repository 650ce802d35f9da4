import * as z from 'zod';
import { runQualityGate } from '../../../../core/quality/quality-gate.js';
import { defineTool } from '../../../tool.js';
import { qualityGate, releaseName } from './schemas.js';

const count = z.number().int().min(0).max(10_000_000);

export const runQualityGateTool = defineTool({
  name: 'run_quality_gate',
  title: 'Run the quality gate',
  description:
    'Judges a release\'s test results against the quality gate and records the gate; the CTO\'s approve_deployment reads the ' +
    'release\'s latest gate (a later gate replaces an earlier one) and refuses deployment unless it passed. Checks: pass rate ' +
    'tests_passed/tests_total ≥ 98%; coverage_pct ≥ the release\'s test-plan line-coverage target (create_test_plan; 80% without ' +
    'a plan); no open critical defect and at most 2 open major defects recorded against the release with report_defect (counted by Conclave: figures passed here are ignored); performance_p95_ms ≤ performance_budget_ms when measured (required when ' +
    'the plan includes performance testing). Give p95 and budget together or not at all. No spending: no authority limit applies.',
  input: z.object({
    release: releaseName,
    results: z.object({
      tests_total: count.min(1),
      tests_passed: count,
      coverage_pct: z.number().min(0).max(100),
      critical_defects: count.optional().describe('Ignored: the gate counts the open critical defects recorded with report_defect.'),
      major_defects: count.optional().describe('Ignored: the gate counts the open major defects recorded with report_defect.'),
      performance_p95_ms: z.number().min(0).max(3_600_000).optional(),
      performance_budget_ms: z.number().positive().max(3_600_000).optional(),
    }),
  }),
  output: qualityGate,
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['test_lead'],
  run: async (input, { deps, actor }) => runQualityGate(deps, { tenantId: actor.tenantId, runBy: 'test_lead', release: input.release, results: { tests_total: input.results.tests_total, tests_passed: input.results.tests_passed, coverage_pct: input.results.coverage_pct, ...(input.results.performance_p95_ms !== undefined ? { performance_p95_ms: input.results.performance_p95_ms } : {}), ...(input.results.performance_budget_ms !== undefined ? { performance_budget_ms: input.results.performance_budget_ms } : {}) } }),
});
