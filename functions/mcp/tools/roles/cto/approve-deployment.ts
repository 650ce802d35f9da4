import * as z from 'zod';
import { approveDeployment } from '../../../../core/engineering/deployment.js';
import { defineTool } from '../../../tool.js';
import { releaseName } from '../test_lead/schemas.js';

const step = z.object({
  order: z.number().int(),
  environment: z.string(),
  stage: z.string(),
  action: z.string(),
  verification: z.string(),
  bake_minutes: z.number(),
});

export const approveDeploymentTool = defineTool({
  name: 'approve_deployment',
  title: 'Approve a deployment',
  description:
    'Approves deploying a release to environments, or refuses it — approved false with the reasons, not an error — while the ' +
    'release\'s latest quality gate (run_quality_gate by the test lead) is missing or failed, or while any severity-1 incident ' +
    'is open. Call it when a release is ready to ship; after a refusal, fix the cause (a passing gate, the incident resolved) ' +
    'and call again. When approved, returns the plan: environments ordered by stage (development, test, others, staging, ' +
    'canary, production; given order within a stage), each deployed, smoke-tested and baked (15 min, staging 30, canary 60) ' +
    'before the next, and a rollback in reverse order; production without staging or canary is flagged. Every call is ' +
    'recorded. No spending: no authority limit applies.',
  input: z.object({
    release: releaseName,
    environments: z.array(z.string().trim().min(1).max(40)).min(1).max(20).describe('E.g. ["production", "staging"]; each distinct.'),
  }),
  output: z.object({
    approved: z.boolean(),
    deployment_id: z.string(),
    release: z.string(),
    reasons: z.array(z.string()),
    gate_id: z.string().nullable(),
    deployment_plan: z
      .object({
        release: z.string(),
        gate_id: z.string(),
        steps: z.array(step),
        rollback: z.object({ trigger: z.string(), action: z.string(), order: z.array(z.string()) }),
        warnings: z.array(z.string()),
      })
      .nullable(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['cto'],
  run: async (input, { deps, actor }) =>
    approveDeployment(deps, { tenantId: actor.tenantId, approver: 'cto', release: input.release, environments: input.environments }),
});
