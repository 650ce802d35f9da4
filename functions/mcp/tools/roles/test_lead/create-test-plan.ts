import * as z from 'zod';
import { createTestPlan, TEST_TYPES } from '../../../../core/quality/test-plan.js';
import { defineTool } from '../../../tool.js';
import { releaseName } from './schemas.js';

const testType = z.enum(TEST_TYPES);

export const createTestPlanTool = defineTool({
  name: 'create_test_plan',
  title: 'Create a test plan',
  description:
    'Plans the testing of a release and stores the plan; it becomes the release\'s latest plan, whose coverage target and test ' +
    'types run_quality_gate then enforces. Use it before testing a release. Computed: test types (default by risk — low: unit, ' +
    'integration; medium: + e2e, regression; high: + performance, security), coverage targets by risk (line/branch: low 70/60, ' +
    'medium 80/70, high 90/80), effort_hours = Σ over test types of base hours (unit 4, integration 6, e2e 8, regression 3, ' +
    'performance 12, security 10, accessibility 6, exploratory 4) × number of scope items × risk multiplier (low 1, medium 1.5, ' +
    'high 2); effort_days = ceil(hours / 6). No spending: no authority limit applies.',
  input: z.object({
    release: releaseName,
    scope: z.array(z.string().trim().min(1).max(200)).min(1).max(50).describe('Features or areas under test, each distinct.'),
    risk_level: z.enum(['low', 'medium', 'high']),
    test_types: z.array(testType).min(1).max(TEST_TYPES.length).optional().describe('Overrides the default test types for the risk level.'),
  }),
  output: z.object({
    plan_id: z.string(),
    release: z.string(),
    scope: z.array(z.string()),
    risk_level: z.enum(['low', 'medium', 'high']),
    test_types: z.array(testType),
    coverage_targets: z.object({ line_pct: z.number(), branch_pct: z.number() }),
    effort_hours: z.number(),
    effort_days: z.number(),
    effort_breakdown: z.array(z.object({ test_type: testType, hours: z.number() })),
    exit_criteria: z.array(z.string()),
    created_at: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['test_lead'],
  run: async (input, { deps, actor }) =>
    createTestPlan(deps, {
      tenantId: actor.tenantId,
      author: 'test_lead',
      release: input.release,
      scope: input.scope,
      riskLevel: input.risk_level,
      ...(input.test_types ? { testTypes: input.test_types } : {}),
    }),
});
