import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { listMemories } from '../../core/memory/list-memories.js';
import { defineTool } from '../tool.js';
import { memorySummary, memoryTag } from './memory-schemas.js';

export const listMemoriesTool = defineTool({
  name: 'list_memories',
  title: 'List memories',
  description:
    "Lists your organization's memories, most recently updated first, optionally only those with a tag or last written by a " +
    'role (author), with a preview of each. Use it to browse (e.g. every postmortem); to find by topic use search_memories. ' +
    'Pass next_cursor back as cursor for the next page.',
  input: z.object({
    tag: memoryTag.optional(),
    author: z.enum(ENDPOINTS).optional().describe('Only memories last written by this role.'),
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(2000).optional(),
  }),
  output: z.object({ memories: z.array(memorySummary), next_cursor: z.string().nullable() }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) =>
    listMemories(deps, {
      tenantId: actor.tenantId,
      limit: input.limit,
      ...(input.tag ? { tag: input.tag } : {}),
      ...(input.author ? { author: input.author } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
});
