import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { TASK_STATUSES } from '../../contracts/workflows.js';
import { listMyTasks } from '../../core/workflows/tasks.js';
import { defineTool } from '../tool.js';
import { task } from './workflow-schemas.js';

export const myTasksTool = defineTool({
  name: 'my_tasks',
  title: 'List my tasks',
  description:
    'Lists the tasks workflows put in your task list, newest first: open ones by default (status: completed, cancelled, ' +
    'expired or all for others). Each task says what to do (instructions), what earlier stages produced (context), the ' +
    'outcomes it accepts (approve/reject for approvals, done/failed for work) and when it is due; a workflow run is ' +
    'waiting on it. On /mcp/board these are the approvals only the board can give. Finish one with complete_task.',
  input: z.object({
    status: z.enum([...TASK_STATUSES, 'all']).default('open'),
    limit: z.number().int().min(1).max(100).default(50),
  }),
  output: z.object({ tasks: z.array(task) }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) => ({
    tasks: await listMyTasks(deps, { tenantId: actor.tenantId, assignee: actor.actingAs, status: input.status, limit: input.limit }),
  }),
});
