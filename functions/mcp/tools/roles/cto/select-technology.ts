import * as z from 'zod';
import { selectTechnology } from '../../../../core/engineering/technology-selection.js';
import { defineTool } from '../../../tool.js';
import { boundedRecord } from '../../bounded.js';

const name = z.string().trim().min(1).max(100);

export const selectTechnologyTool = defineTool({
  name: 'select_technology',
  title: 'Select a technology',
  description:
    'Chooses between technology options by weighted scoring. Give each criterion a relative weight (≥ 0; normalized to sum to ' +
    '1) and score every option on every criterion from 0 to 10. weighted_score(option) = Σ_c (weight_c / Σ weights) × score(option, c). ' +
    'The highest score is selected; ties are broken by the higher score on the heaviest criterion (then the next heaviest), ' +
    'then by the order of options, and the rationale says so. Returns the ranking, a rationale (lead, close calls under 0.5, ' +
    'criteria the winner scores below 4) and a migration plan split over the timeline (PoC 20%, pilot 30%, rollout 40%, ' +
    'decommission 10%, when the timeline states a duration such as "12 weeks"). Computes only; stores nothing. Spending on the ' +
    'choice is a separate decision (propose_decision).',
  input: z.object({
    options: z.array(name).min(2).max(20),
    criteria: boundedRecord(name, z.number().min(0).max(1000), 50).describe('Criterion → relative weight, e.g. {"performance": 3, "cost": 2}.'),
    scores: boundedRecord(name, boundedRecord(name, z.number().min(0).max(10), 50), 50).describe('Option → criterion → score 0..10, for every option and criterion.'),
    timeline: z.string().trim().min(1).max(200).describe('E.g. "12 weeks", "2 quarters".'),
  }),
  output: z.object({
    selected: z.string(),
    rationale: z.string(),
    migration_plan: z.string(),
    migration_phases: z.array(z.object({ phase: z.string(), share: z.number(), weeks: z.number().nullable() })),
    ranking: z.array(z.object({ option: z.string(), weighted_score: z.number() })),
    normalized_weights: z.record(z.string(), z.number()),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['cto'],
  run: async (input) => selectTechnology(input),
});
