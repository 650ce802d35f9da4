import * as z from 'zod';
import { isRoleId } from '../../../../contracts/roles.js';
import { designSystem } from '../../../../core/design/system-design.js';
import { ValidationError } from '../../../../core/errors.js';
import { defineTool } from '../../../tool.js';
import { component, jsonObject } from './schemas.js';

export const designSystemTool = defineTool({
  name: 'design_system',
  title: 'Design a system',
  description:
    'Derives a system architecture from requirements and constraints and records it as a proposed design for the CTO\'s ' +
    'architecture review. Use it after a feature is defined; refine the result with your own judgment in the review thread. ' +
    'Rules (keys are case-insensitive): requirements.availability ≥ 99.99 % (or constraints.regions ≥ 2) → multi_region; ' +
    '≥ 99.9 % → multi_az with ≥ 2 replicas; else single_az (none given → 99.5 % assumed). latency_ms ≤ 200 → cache; ≤ 50 → also ' +
    'edge CDN. throughput_rps → replicas = max(redundancy minimum, ⌈rps ÷ 500⌉); ≥ 10,000 → partitioned datastore. ' +
    'async → queue + worker; realtime → realtime gateway; search → search index; auth → identity provider; pii or ' +
    'compliance → key management + audit log; analytics → event stream + analytics store; integrations [names] → an adapter ' +
    'each; data_size_gb ≥ 1000 → object storage; stateless: true → no datastore. Style: constraints.serverless true or ' +
    'budget_monthly_usd ≤ 2000 → serverless; team_size > 8 → microservices; else modular_monolith. Every component names the ' +
    'rule that added it; keys no rule reads are listed in unrecognized_keys. Optional feature_id links the design to a feature ' +
    '(unknown → not_found). Stores a DESIGN record (status proposed, version 1); it commits no money, and only the CTO ' +
    '(review_architecture) approves or rejects it.',
  input: z.object({
    name: z.string().trim().min(1).max(200),
    requirements: jsonObject.describe('e.g. {"availability": 99.95, "latency_ms": 150, "throughput_rps": 2000, "auth": true, "async": true}'),
    constraints: jsonObject.describe('e.g. {"team_size": 5, "budget_monthly_usd": 8000, "cloud": "aws"}'),
    feature_id: z.string().min(1).max(64).optional(),
  }),
  output: z.object({
    design_id: z.string(),
    name: z.string(),
    status: z.literal('proposed'),
    version: z.number().int(),
    feature_id: z.string().nullable(),
    architecture: z.object({
      style: z.enum(['serverless', 'modular_monolith', 'microservices']),
      redundancy: z.enum(['single_az', 'multi_az', 'multi_region']),
      regions: z.number().int(),
      platform: z.string().nullable(),
      quality_attributes: z.object({ availability_pct: z.number().nullable(), latency_ms: z.number().nullable(), throughput_rps: z.number().nullable() }),
      rules_applied: z.array(z.string()),
      assumptions: z.array(z.string()),
      unrecognized_keys: z.array(z.string()),
    }),
    components: z.array(component),
    data_flow: z.string(),
    created_at: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['senior_architect'],
  run: async (input, { deps, actor, correlationId }) => {
    if (!isRoleId(actor.actingAs)) throw new ValidationError('only a role designs systems');
    return designSystem(deps, {
      tenantId: actor.tenantId,
      author: actor.actingAs,
      name: input.name,
      requirements: input.requirements,
      constraints: input.constraints,
      ...(input.feature_id !== undefined ? { featureId: input.feature_id } : {}),
    }, { correlationId });
  },
});
