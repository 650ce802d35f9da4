import * as z from 'zod';
import { prioritizeBacklog } from '../../../../core/product/scoring.js';
import { defineTool } from '../../../tool.js';

const factor = z.number().nonnegative().max(1e12);

export const prioritizeBacklogTool = defineTool({
  name: 'prioritize_backlog',
  title: 'Prioritize a backlog',
  description:
    'Ranks backlog items by a documented score and selects what fits a capacity. Use it for sprint or quarter planning; you ' +
    'judge the inputs, the server computes. method rice (default): score = reach × impact × confidence ÷ effort (every item ' +
    'needs reach, impact 0..3, confidence 0..1). method wsjf: score = (value + time_criticality + risk_reduction) ÷ effort ' +
    '(every item needs value; the other two default to 0). Rank: score descending, ties by lower effort then id. Selection is ' +
    'greedy, not an optimal knapsack: constraints.must_include items first, then the rest in rank order, each taken if its ' +
    'effort fits the capacity left (an item that does not fit is skipped; smaller later items may still fit). Effort and ' +
    'capacity share one unit (e.g. person-weeks). Errors, with nothing selected: duplicate ids, missing factors, must_include ' +
    'ids not in items, must_include needing more than the capacity. Computes only and commits nothing (no authority check); ' +
    'funding the selection is a decision (propose_decision).',
  input: z.object({
    items: z
      .array(
        z.object({
          id: z.string().trim().min(1).max(100),
          title: z.string().trim().min(1).max(300),
          effort: z.number().positive().max(1e6).describe('Job size in capacity units, > 0.'),
          reach: factor.optional(),
          impact: z.number().min(0).max(3).optional(),
          confidence: z.number().min(0).max(1).optional(),
          value: z.number().nonnegative().max(1e6).optional().describe('WSJF user-business value.'),
          time_criticality: z.number().nonnegative().max(1e6).optional().describe('WSJF; default 0.'),
          risk_reduction: z.number().nonnegative().max(1e6).optional().describe('WSJF risk reduction / opportunity enablement; default 0.'),
        }),
      )
      .min(1)
      .max(500),
    constraints: z.object({
      capacity: z.number().nonnegative().max(1e9).describe('Total effort available.'),
      must_include: z.array(z.string().trim().min(1).max(100)).max(500).optional().describe('Ids that must be selected.'),
    }),
    method: z.enum(['rice', 'wsjf']).default('rice'),
  }),
  output: z.object({
    prioritized_backlog: z.array(
      z.object({ id: z.string(), title: z.string(), score: z.number(), effort: z.number(), rank: z.number().int(), selected: z.boolean(), reason: z.string() }),
    ),
    rationale: z.string(),
    method: z.enum(['rice', 'wsjf']),
    capacity: z.number(),
    capacity_used: z.number(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['product_manager'],
  run: async (input) => {
    const plan = prioritizeBacklog(
      input.items,
      { capacity: input.constraints.capacity, ...(input.constraints.must_include ? { mustInclude: input.constraints.must_include } : {}) },
      input.method,
    );
    return { prioritized_backlog: plan.ranked, rationale: plan.rationale, method: input.method, capacity: plan.capacity, capacity_used: plan.capacityUsed };
  },
});
