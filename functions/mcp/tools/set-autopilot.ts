import * as z from 'zod';
import { AUTOPILOT_LIMITS, AUTOPILOT_TRIGGERS } from '../../contracts/autopilot.js';
import { ENDPOINTS } from '../../contracts/roles.js';
import { setAutopilot } from '../../core/autopilot/settings.js';
import { defineTool } from '../tool.js';

const roleSetting = z.object({
  role: z.string(),
  enabled: z.boolean(),
  model_id: z.string(),
  max_steps: z.number().int(),
  triggers: z.array(z.enum(AUTOPILOT_TRIGGERS)),
  updated_by: z.string().nullable(),
  updated_at: z.string().nullable(),
});

/** The tenant's autopilot as set_autopilot returns it and the org chart shows it. */
export const autopilotView = z.object({
  tenant: z.object({
    enabled: z.boolean(),
    daily_token_budget: z.number().int(),
    tokens_used_today: z.number(),
    updated_by: z.string().nullable(),
    updated_at: z.string().nullable(),
  }),
  roles: z.array(roleSetting),
});

export const setAutopilotTool = defineTool({
  name: 'set_autopilot',
  title: 'Turn a role’s autopilot on or off',
  description:
    'Turns a role’s autopilot on or off, or every role’s at once; people only (an agent is refused). With role: turns that role’s autopilot on or off — an agent driven by a Bedrock model that ' +
    'acts through exactly that role’s tools, within its authority, when a task is assigned to it, its vote is required or a request ' +
    'message reaches it (triggers) — and sets its model_id and max_steps per activation. Without role: the tenant-wide kill switch ' +
    '(enabled false stops every autopilot at once). daily_token_budget (tokens per UTC day, all roles together) may be given either way. ' +
    'The board is never on autopilot. Returns every role’s setting and today’s token use.',
  input: z.object({
    role: z.enum(ENDPOINTS).optional().describe('The role; omit for the tenant-wide switch.'),
    enabled: z.boolean(),
    model_id: z.string().trim().min(1).max(200).optional().describe('A Bedrock model id with Converse tool use, e.g. anthropic.claude-3-5-haiku-20241022-v1:0.'),
    max_steps: z.number().int().min(1).max(AUTOPILOT_LIMITS.maxSteps).optional().describe('Model calls per activation at most.'),
    triggers: z.array(z.enum(AUTOPILOT_TRIGGERS)).min(1).max(AUTOPILOT_TRIGGERS.length).optional(),
    daily_token_budget: z.number().int().min(0).max(AUTOPILOT_LIMITS.dailyTokenBudget).optional(),
  }),
  output: autopilotView,
  annotations: { readOnlyHint: false, idempotentHint: true, openWorldHint: false },
  availableTo: ['board', 'ceo'],
  run: async (input, { deps, actor }) =>
    setAutopilot(
      deps,
      {
        actor,
        enabled: input.enabled,
        ...(input.role !== undefined ? { role: input.role } : {}),
        ...(input.model_id !== undefined ? { modelId: input.model_id } : {}),
        ...(input.max_steps !== undefined ? { maxSteps: input.max_steps } : {}),
        ...(input.triggers !== undefined ? { triggers: input.triggers } : {}),
        ...(input.daily_token_budget !== undefined ? { dailyTokenBudget: input.daily_token_budget } : {}),
      },
      deps.settings.autopilotModelIds ?? [],
    ),
});
