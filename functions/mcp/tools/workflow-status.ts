import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { getRunStatus } from '../../core/workflows/run-views.js';
import { defineTool } from '../tool.js';
import { runId, runStatus } from './workflow-schemas.js';

export const workflowStatusTool = defineTool({
  name: 'workflow_status',
  title: 'See a workflow run',
  description:
    'Shows a workflow run: its status (running, succeeded, failed with its cause, timed_out), every stage (pending, ' +
    'active or done, with rounds when a review or quality gate sent it back), the current stage and who it is waiting ' +
    'on, the open tasks with their due dates and reminders, and its history.',
  input: z.object({ run_id: runId }),
  output: runStatus,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) => getRunStatus(deps, actor.tenantId, input.run_id),
});
