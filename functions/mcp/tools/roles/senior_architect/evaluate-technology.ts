import * as z from 'zod';
import { evaluateTechnology } from '../../../../core/design/technology.js';
import { defineTool } from '../../../tool.js';

const score = z.number().min(0).max(10);
const weight = z.number().nonnegative().max(100);

export const evaluateTechnologyTool = defineTool({
  name: 'evaluate_technology',
  title: 'Evaluate a technology',
  description:
    'Scores one technology for a use case from your 0..10 ratings and returns adopt, trial, assess or hold. Use it before ' +
    'proposing a technology to the CTO (select_technology compares several options). You judge each criterion (10 best; for ' +
    'cost, 10 = cheapest); the server computes score = Σ wᵢ·sᵢ ÷ Σ wᵢ with default weights maturity 0.2, community 0.15, ' +
    'performance 0.2, team_familiarity 0.15, cost 0.1, security 0.2 (weights you pass replace those criteria\'s defaults and ' +
    'are normalized). Recommendation: adopt ≥ 7.5, trial ≥ 6, assess ≥ 4, hold below; any weighted criterion under 3 caps it ' +
    'at assess. Pros are criteria ≥ 7, cons ≤ 4. Computes only; adopting is a decision (propose_decision).',
  input: z.object({
    technology: z.string().trim().min(1).max(200),
    use_case: z.string().trim().min(1).max(2000),
    scores: z.object({ maturity: score, community: score, performance: score, team_familiarity: score, cost: score, security: score }),
    weights: z
      .object({ maturity: weight, community: weight, performance: weight, team_familiarity: weight, cost: weight, security: weight })
      .partial()
      .optional(),
  }),
  output: z.object({
    technology: z.string(),
    score: z.number(),
    recommendation: z.enum(['adopt', 'trial', 'assess', 'hold']),
    pros: z.array(z.string()),
    cons: z.array(z.string()),
    breakdown: z.array(z.object({ criterion: z.string(), score: z.number(), weight: z.number(), contribution: z.number() })),
    rationale: z.string(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['senior_architect'],
  run: async (input) => ({ technology: input.technology, ...evaluateTechnology(input.technology, input.use_case, input.scores, input.weights ?? {}) }),
});
