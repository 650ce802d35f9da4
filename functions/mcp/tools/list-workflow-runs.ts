import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { MACHINES, RUN_STATUSES } from '../../contracts/workflows.js';
import { listRuns } from '../../core/workflows/run-views.js';
import { defineTool } from '../tool.js';
import { run } from './workflow-schemas.js';

export const listWorkflowRunsTool = defineTool({
  name: 'list_workflow_runs',
  title: 'List workflow runs',
  description:
    'Lists workflow runs newest first, optionally by status and workflow (including the escalation and ' +
    'collaborative_decision runs decisions start on their own). Pass next_cursor back as cursor for the next page.',
  input: z.object({
    status: z.enum(RUN_STATUSES).optional(),
    workflow: z.enum(MACHINES).optional(),
    limit: z.number().int().min(1).max(50).default(20),
    cursor: z.string().min(1).max(2000).optional(),
  }),
  output: z.object({ runs: z.array(run), next_cursor: z.string().nullable() }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) =>
    listRuns(deps, {
      tenantId: actor.tenantId,
      limit: input.limit,
      ...(input.status ? { status: input.status } : {}),
      ...(input.workflow ? { workflow: input.workflow } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
});
