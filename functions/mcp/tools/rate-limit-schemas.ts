import * as z from 'zod';

/** The limits as a tool shows them: effective values, which the board overrode, and today's use. */
export const rateLimitsView = z.object({
  enabled: z.boolean().describe('False when the deployment turned the front door\'s limits off.'),
  key_per_minute: z.number().int(),
  tenant_per_minute: z.number().int(),
  burst: z.number().int(),
  daily_tool_calls: z.number().int(),
  overridden: z.array(z.string()).describe('Limits the board set for this tenant; the others are the deployment\'s defaults.'),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable().describe('The key id of whoever last changed them.'),
});
