import * as z from 'zod';
import { listHires } from '../../../../core/people/hires.js';
import { defineTool } from '../../../tool.js';
import { decisionStatus } from '../../decision-schemas.js';
import { department } from '../ceo/shared.js';
import { hire } from './approve-hire.js';

export const listHiresTool = defineTool({
  name: 'list_hires',
  title: 'List hires',
  description:
    'Use to follow up on hires: lists hires newest first with the live status of their decision (an escalated hire shows ' +
    'approved or rejected once the CEO or the board rules). Filter by department or status; filters apply within each page, ' +
    'so a page may hold fewer than limit. Pass next_cursor back as cursor for the next page. Read-only.',
  input: z.object({
    department: department.optional(),
    status: decisionStatus.optional(),
    limit: z.number().int().min(1).max(50).default(20),
    cursor: z.string().min(1).max(2000).optional(),
  }),
  output: z.object({ hires: z.array(hire), next_cursor: z.string().nullable() }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['chro'],
  run: async (input, { deps, actor }) =>
    listHires(deps, {
      tenantId: actor.tenantId,
      limit: input.limit,
      ...(input.department ? { department: input.department } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
});
