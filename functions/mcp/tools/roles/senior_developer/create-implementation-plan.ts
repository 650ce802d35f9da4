import * as z from 'zod';
import { isRoleId } from '../../../../contracts/roles.js';
import { createImplementationPlan } from '../../../../core/delivery/implementation-plan.js';
import { ValidationError } from '../../../../core/errors.js';
import { defineTool } from '../../../tool.js';

export const createImplementationPlanTool = defineTool({
  name: 'create_implementation_plan',
  title: 'Create an implementation plan',
  description:
    'Orders implementation tasks by their dependencies, finds the critical path and records the plan. Use it once a spec is ' +
    'written, to sequence the work. Order: topological (among ready tasks, the one you listed first goes first). Critical ' +
    'path method: earliest start = latest earliest-finish of its dependencies; slack = latest finish − earliest finish; a ' +
    'task with zero slack is critical; critical_path_hours is the plan\'s length if work runs in parallel, total_hours the ' +
    'sum, parallelism = total ÷ critical. depends_on names other tasks by title. Errors, with nothing stored: duplicate titles, ' +
    'unknown dependencies, a dependency cycle (named, e.g. "a → b → a"), unknown feature_id or spec_id (not_found). Stores a PLAN record. ' +
    'A plan commits no money: spending for it goes through propose_decision (your authority: 10,000 USD by default).',
  input: z.object({
    feature_id: z.string().min(1).max(64).optional(),
    spec_id: z.string().min(1).max(64).optional().describe('A create_technical_spec result.'),
    tasks: z
      .array(
        z.object({
          title: z.string().trim().min(1).max(200),
          estimate_hours: z.number().nonnegative().max(10_000),
          depends_on: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
        }),
      )
      .min(1)
      .max(300),
  }),
  output: z.object({
    plan_id: z.string(),
    feature_id: z.string().nullable(),
    spec_id: z.string().nullable(),
    order: z.array(
      z.object({
        step: z.number().int(),
        title: z.string(),
        estimate_hours: z.number(),
        depends_on: z.array(z.string()),
        earliest_start: z.number(),
        earliest_finish: z.number(),
        slack: z.number(),
        critical: z.boolean(),
      }),
    ),
    critical_path: z.array(z.string()),
    critical_path_hours: z.number(),
    total_hours: z.number(),
    parallelism: z.number(),
    created_at: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['senior_developer'],
  run: async (input, { deps, actor }) => {
    if (!isRoleId(actor.actingAs)) throw new ValidationError('only a role plans implementation');
    return createImplementationPlan(deps, {
      tenantId: actor.tenantId,
      author: actor.actingAs,
      tasks: input.tasks,
      ...(input.feature_id !== undefined ? { featureId: input.feature_id } : {}),
      ...(input.spec_id !== undefined ? { specId: input.spec_id } : {}),
    });
  },
});
