import * as z from 'zod';
import { estimatePert } from '../../../../core/delivery/estimation.js';
import { defineTool } from '../../../tool.js';

const hours = z.number().nonnegative().max(100_000);

export const estimateEffortTool = defineTool({
  name: 'estimate_effort',
  title: 'Estimate effort (PERT)',
  description:
    'Turns three-point task estimates into an expected total with a 95 % range (PERT). Use it when asked "how long will this ' +
    'take": you give optimistic, likely and pessimistic hours per task; the server computes E = (O + 4M + P) ÷ 6 and ' +
    'σ = (P − O) ÷ 6 per task, total E = ΣE, total σ = √Σσ² (tasks independent), and the 95 % range ΣE ± 1.96 σ (low end ' +
    'at least 0). Errors: optimistic ≤ likely ≤ pessimistic not holding, duplicate titles. Computes only; stores nothing.',
  input: z.object({
    tasks: z.array(z.object({ title: z.string().trim().min(1).max(200), optimistic: hours, likely: hours, pessimistic: hours })).min(1).max(300),
  }),
  output: z.object({
    tasks: z.array(z.object({ title: z.string(), expected: z.number(), std_dev: z.number() })),
    total_expected: z.number(),
    total_std_dev: z.number(),
    range_95: z.object({ low: z.number(), high: z.number() }),
    formula: z.string(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['senior_developer'],
  run: async (input) => estimatePert(input.tasks),
});
