import * as z from 'zod';
import { ENDPOINTS } from '../../../../contracts/roles.js';
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
    'recorded. No spending: no authority limit applies. To have it ruled on first, pass mode "hierarchical" (your superior, ' +
    'the CEO, rules) or "human" (the board rules): a deployment the rule allows then awaits that ruling (status "awaiting", ' +
    'approved false, with decision_id and the proposed plan); once approved, Conclave checks the rule again and approves the ' +
    'deployment once, and you get one outcome message; a rejection is recorded the same way. A refused deployment is put to nobody.',
  input: z.object({
    release: releaseName,
    environments: z.array(z.string().trim().min(1).max(40)).min(1).max(20).describe('E.g. ["production", "staging"]; each distinct.'),
    mode: z
      .enum(['autonomous', 'hierarchical', 'human'])
      .optional()
      .describe('Who approves: you now (autonomous, the default), your superior (hierarchical) or the board (human).'),
  }),
  output: z.object({
    approved: z.boolean(),
    status: z.enum(['approved', 'refused', 'awaiting', 'rejected', 'expired']),
    decision_id: z.string().nullable().describe('The decision the ruler rules on (hierarchical/human), else null.'),
    awaiting: z.enum(ENDPOINTS).nullable(),
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
  run: async (input, { deps, actor, correlationId }) =>
    approveDeployment(
      deps,
      { tenantId: actor.tenantId, approver: 'cto', release: input.release, environments: input.environments, ...(input.mode ? { mode: input.mode } : {}) },
      { correlationId },
    ),
});
