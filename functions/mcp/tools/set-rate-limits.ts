import * as z from 'zod';
import { DEFAULT_RATE_LIMITS, RATE_LIMIT_BOUNDS, type RateLimitName } from '../../contracts/rate-limits.js';
import { BOARD } from '../../contracts/roles.js';
import { setTenantLimits } from '../../core/limits/tenant-limits.js';
import { defineTool } from '../tool.js';
import { rateLimitsView } from './rate-limit-schemas.js';
import { limitsView } from './get-rate-limits.js';

const limit = (name: RateLimitName, what: string) =>
  z
    .number()
    .int()
    .min(RATE_LIMIT_BOUNDS[name][0])
    .max(RATE_LIMIT_BOUNDS[name][1])
    .nullable()
    .optional()
    .describe(`${what} (default ${DEFAULT_RATE_LIMITS[name]}); null returns to the deployment's default.`);

export const setRateLimitsTool = defineTool({
  name: 'set_rate_limits',
  title: "Set this organization's request limits",
  description:
    "Overrides the front door's limits for this tenant: requests per minute per key and per tenant, the burst one " +
    'instance admits at once, and the tool calls allowed per UTC day. Name only the limits to change; null returns one to ' +
    "the deployment's default. Takes effect within a minute. A call over a limit is answered HTTP 429 with Retry-After.",
  input: z.object({
    key_per_minute: limit('keyPerMinute', 'Requests per minute one key may make'),
    tenant_per_minute: limit('tenantPerMinute', 'Requests per minute the whole tenant may make'),
    burst: limit('burst', 'Requests a key or the tenant may send at once'),
    daily_tool_calls: limit('dailyToolCalls', 'Tool calls the tenant may make per UTC day'),
  }),
  output: rateLimitsView,
  annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: false },
  availableTo: [BOARD],
  run: async (input, { deps, actor }) => {
    const updated = await setTenantLimits(
      deps,
      actor,
      {
        ...(input.key_per_minute !== undefined ? { keyPerMinute: input.key_per_minute } : {}),
        ...(input.tenant_per_minute !== undefined ? { tenantPerMinute: input.tenant_per_minute } : {}),
        ...(input.burst !== undefined ? { burst: input.burst } : {}),
        ...(input.daily_tool_calls !== undefined ? { dailyToolCalls: input.daily_tool_calls } : {}),
      },
      deps.settings.rateLimits ?? DEFAULT_RATE_LIMITS,
    );
    return limitsView(updated, deps.settings.rateLimits !== undefined);
  },
});
