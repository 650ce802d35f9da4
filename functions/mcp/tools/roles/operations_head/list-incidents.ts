import * as z from 'zod';
import { listIncidents } from '../../../../core/operations/incidents.js';
import { defineTool } from '../../../tool.js';
import { incident } from './schemas.js';

export const listIncidentsTool = defineTool({
  name: 'list_incidents',
  title: 'List incidents',
  description:
    'Lists incidents newest first, optionally only open or resolved ones and only those at least as severe as max_severity ' +
    '(1 = only severity 1; 2 = severities 1 and 2). Pass next_cursor back as cursor for the next page.',
  input: z.object({
    status: z.enum(['open', 'resolved']).optional(),
    max_severity: z.number().int().min(1).max(4).optional(),
    limit: z.number().int().min(1).max(50).default(20),
    cursor: z.string().min(1).max(2000).optional(),
  }),
  output: z.object({ incidents: z.array(incident), next_cursor: z.string().nullable() }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['operations_head'],
  run: async (input, { deps, actor }) =>
    listIncidents(deps, {
      tenantId: actor.tenantId,
      limit: input.limit,
      ...(input.status ? { status: input.status } : {}),
      ...(input.max_severity !== undefined ? { maxSeverity: input.max_severity } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
});
