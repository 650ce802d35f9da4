import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { RUN_STATUSES } from '../../contracts/workflows.js';
import { completeTask } from '../../core/workflows/tasks.js';
import { defineTool } from '../tool.js';
import { task, taskOutcome } from './workflow-schemas.js';
import { boundedJson } from './bounded.js';

/** Results travel with the workflow's state (Step Functions caps a state at 256 KB): keep each one small. */
const RESULT_LIMIT = 16_000;

export const completeTaskTool = defineTool({
  name: 'complete_task',
  title: 'Complete a task',
  description:
    'Completes one of your open tasks and resumes the workflow waiting on it. outcome is approve or reject for approvals, ' +
    'done or failed for work. result carries what you produced (e.g. {design}, {rationale}, {reason}); result.rationale ' +
    'becomes the ruling or vote rationale for decision tasks, and result.confidence (0..1, default 1) the vote ' +
    'confidence. A rejected review or a failed quality gate sends the workflow back a stage; a failed work stage ' +
    'elsewhere ends the run as failed with your reason. Only the assignee can complete a task, once; a task whose run ' +
    'has ended cannot be completed.',
  input: z.object({
    task_id: z.string().min(1).max(300),
    outcome: taskOutcome,
    result: boundedJson(RESULT_LIMIT).optional(),
  }),
  output: z.object({ task, resumed: z.boolean(), run_status: z.enum(RUN_STATUSES), note: z.string() }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) =>
    completeTask(deps, { correlationId }, {
      tenantId: actor.tenantId,
      actor: actor.actingAs,
      taskId: input.task_id,
      outcome: input.outcome,
      ...(input.result ? { result: input.result } : {}),
    }),
});
