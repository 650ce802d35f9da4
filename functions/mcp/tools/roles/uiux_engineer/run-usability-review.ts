import * as z from 'zod';
import { reviewUsability } from '../../../../core/design/usability.js';
import { defineTool } from '../../../tool.js';

export const runUsabilityReviewTool = defineTool({
  name: 'run_usability_review',
  title: 'Score a usability study (SUS)',
  description:
    'Scores a usability study with the System Usability Scale and task completion rates. Use it after a usability test with ' +
    'participants. Each response is the ten SUS answers (1 strongly disagree … 5 strongly agree) in questionnaire order: odd ' +
    'items score answer − 1, even items 5 − answer, sum × 2.5 → 0..100 per participant; sus_score is the mean. Grade (Sauro–Lewis ' +
    'curve): A ≥ 78.9, B ≥ 72.6, C ≥ 62.7, D ≥ 51.7, F below; above_benchmark when over the 68 average. Each task: completion ' +
    'rate = completions ÷ attempts, flagged below 78 % (the cross-study average). Fewer than 5 participants is noted. ' +
    'Computes only; stores nothing.',
  input: z.object({
    responses: z.array(z.array(z.number().int().min(1).max(5)).length(10)).min(1).max(500).describe('One array of ten answers (1..5) per participant.'),
    tasks: z
      .array(z.object({ name: z.string().trim().min(1).max(200), attempts: z.number().int().positive(), completions: z.number().int().nonnegative() }))
      .max(50)
      .optional(),
  }),
  output: z.object({
    participants: z.number().int(),
    sus_score: z.number(),
    sus_scores: z.array(z.number()),
    grade: z.enum(['A', 'B', 'C', 'D', 'F']),
    above_benchmark: z.boolean(),
    tasks: z.array(z.object({ name: z.string(), completion_rate: z.number(), flagged: z.boolean() })),
    findings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['uiux_engineer'],
  run: async (input) => reviewUsability(input.responses, input.tasks ?? []),
});
