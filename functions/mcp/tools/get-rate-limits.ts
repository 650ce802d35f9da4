import * as z from 'zod';
import { DEFAULT_RATE_LIMITS, RATE_LIMIT_WIRE } from '../../contracts/rate-limits.js';
import { BOARD } from '../../contracts/roles.js';
import { readTenantLimits, type TenantLimits } from '../../core/limits/tenant-limits.js';
import { defineTool } from '../tool.js';
import { rateLimitsView } from './rate-limit-schemas.js';

/** The wire view of a tenant's limits. */
export function limitsView(limits: TenantLimits, enabled: boolean): z.infer<typeof rateLimitsView> {
  return {
    enabled,
    key_per_minute: limits.limits.keyPerMinute,
    tenant_per_minute: limits.limits.tenantPerMinute,
    burst: limits.limits.burst,
    daily_tool_calls: limits.limits.dailyToolCalls,
    overridden: limits.overridden.map((name) => RATE_LIMIT_WIRE[name]),
    updated_at: limits.updatedAt,
    updated_by: limits.updatedBy,
  };
}

export const getRateLimitsTool = defineTool({
  name: 'get_rate_limits',
  title: "Show this organization's request limits",
  description:
    "Shows the front door's limits in force for this tenant (requests per minute per key and per tenant, burst, tool calls " +
    "per UTC day) and which of them the board overrode. Change them with set_rate_limits on /mcp/board.",
  input: z.object({}),
  output: rateLimitsView,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['ceo', BOARD],
  run: async (_input, { deps, actor }) =>
    limitsView(await readTenantLimits(deps, actor.tenantId, deps.settings.rateLimits ?? DEFAULT_RATE_LIMITS), deps.settings.rateLimits !== undefined),
});
