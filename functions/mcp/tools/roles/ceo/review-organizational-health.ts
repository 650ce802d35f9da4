import * as z from 'zod';
import { HEALTH_METRICS, reviewOrganizationalHealth } from '../../../../core/health/organizational-health.js';
import { defineTool } from '../../../tool.js';

export const reviewOrganizationalHealthTool = defineTool({
  name: 'review_organizational_health',
  title: 'Review organizational health',
  description:
    "Use to check how the organization is doing before planning or when something seems stuck. Computed from the tenant's " +
    'live data, per signal: agents — 5 points per stale (no recent heartbeat) or error agent, cap 30; decisions — 4 per ' +
    'decision pending or escalated for more than 24 h, cap 20; tasks — 3 per open task past its due date, cap 20; ' +
    'workflows — 5 per run started in the last 7 days that failed or timed out, cap 15; incidents — 20/10/4/2 per open ' +
    'severity 1/2/3/4 incident, cap 35. health_score = max(0, round(100 − sum of penalties)); status healthy ≥ 80, ' +
    'degraded ≥ 50, else critical. metrics restricts which signals are read and scored (default all). Returns the issues, ' +
    'recommendations and each signal with its findings. Read-only.',
  input: z.object({
    metrics: z.array(z.enum(HEALTH_METRICS)).max(HEALTH_METRICS.length).optional().describe(`Signals to review (default all): ${HEALTH_METRICS.join(', ')}.`),
  }),
  output: z.object({
    health_score: z.number(),
    status: z.enum(['healthy', 'degraded', 'critical']),
    issues: z.array(z.string()),
    recommendations: z.array(z.string()),
    signals: z.array(
      z.object({ metric: z.enum(HEALTH_METRICS), count: z.number().int(), penalty: z.number(), max_penalty: z.number(), details: z.array(z.string()) }),
    ),
    computed_at: z.string(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['ceo'],
  run: async (input, { deps, actor }) => reviewOrganizationalHealth(deps, { tenantId: actor.tenantId, ...(input.metrics ? { metrics: input.metrics } : {}) }),
});
