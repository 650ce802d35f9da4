import * as z from 'zod';
import { listBudgets } from '../../../../core/finance/budget.js';
import { defineTool } from '../../../tool.js';
import { budgetView, period } from './shared.js';

export const listBudgetsTool = defineTool({
  name: 'list_budgets',
  title: 'List department budgets',
  description:
    "Use before allocating or planning: lists every department's budget for a period (default the current quarter) with its " +
    'ceiling, the total allocated, what remains and how many allocations were made. Read-only.',
  input: z.object({ period: period.optional() }),
  output: z.object({ period: z.string(), budgets: z.array(budgetView) }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['ceo'],
  run: async (input, { deps, actor }) => listBudgets(deps, actor.tenantId, input.period ? { period: input.period } : {}),
});
