import * as z from 'zod';
import { reviewArchitecture } from '../../../../core/engineering/architecture-review.js';
import { defineTool } from '../../../tool.js';
import { boundedJson } from '../../bounded.js';

export const reviewArchitectureTool = defineTool({
  name: 'review_architecture',
  title: 'Review an architecture',
  description:
    'Records your verdict on a system design and runs automatic checks that add required modifications. The checks: single ' +
    'points of failure (every component not marked redundant — replicas, cluster, multi-AZ, failover, autoscaling, "x3" — and ' +
    'not a managed multi-AZ service such as DynamoDB, S3, SQS, Lambda or WAF), a missing observability component ' +
    '(logs/metrics/tracing/alerts), a missing security component (auth/IAM/WAF/secrets/encryption), and a scalability ' +
    'statement without figures. Give verdict ' +
    '"approve" or "reject" with your feedback; without a verdict the design is approved exactly when every check passes. ' +
    'With design_id (from the senior architect\'s design_system) the stored design is reviewed as stored — its components, ' +
    'their replicas and redundancy, and its quality targets — plus whatever you give inline (design, components and scalability ' +
    'are then optional); the design, which must be proposed, becomes approved or ' +
    'rejected; a design reviewed meanwhile is a conflict. A rejection with every check passing needs feedback or ' +
    'modifications. No spending: no authority limit applies.',
  input: z.object({
    design_id: z.string().trim().min(1).max(64).optional().describe('The stored design under review, if any.'),
    design: boundedJson(100_000).optional().describe('The design as reviewed (architecture, data flow, decisions); optional with design_id.'),
    components: z
      .array(z.string().trim().min(1).max(200))
      .min(1)
      .max(50)
      .optional()
      .describe('Each component, with its redundancy, e.g. "postgres (primary + replica)"; with design_id, added to the stored ones.'),
    scalability: z.string().trim().min(1).max(2000).optional().describe('How it scales, with figures: e.g. "2k req/s, p95 < 200 ms"; optional with design_id.'),
    verdict: z.enum(['approve', 'reject']).optional(),
    feedback: z.string().trim().max(5000).optional(),
    modifications: z.array(z.string().trim().min(1).max(500)).max(30).optional().describe('Changes you require, beyond the automatic ones.'),
  }),
  output: z.object({
    approved: z.boolean(),
    feedback: z.string(),
    modifications: z.array(z.string()),
    review_id: z.string(),
    design_id: z.string().nullable(),
    verdict_source: z.enum(['cto', 'automatic']),
    checks: z.array(z.object({ name: z.string(), passed: z.boolean(), detail: z.string() })),
    reviewed_at: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['cto'],
  run: async (input, { deps, actor }) =>
    reviewArchitecture(deps, {
      tenantId: actor.tenantId,
      reviewer: 'cto',
      ...(input.design ? { design: input.design } : {}),
      ...(input.components ? { components: input.components } : {}),
      ...(input.scalability ? { scalability: input.scalability } : {}),
      ...(input.design_id ? { designId: input.design_id } : {}),
      ...(input.verdict ? { verdict: input.verdict } : {}),
      ...(input.feedback ? { feedback: input.feedback } : {}),
      ...(input.modifications ? { modifications: input.modifications } : {}),
    }),
});
