import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { memoryHistory } from '../../core/memory/history.js';
import { defineTool } from '../tool.js';
import { memoryKey } from './memory-schemas.js';

export const memoryHistoryTool = defineTool({
  name: 'memory_history',
  title: "A memory's history",
  description:
    'Lists the versions of a memory newest first: who wrote each (role and key id), when, its tags and the start of its content; a ' +
    'forget shows as a forgotten version. Read one whole with get_memory {key, version}; bring one back with restore_memory.',
  input: z.object({ key: memoryKey, limit: z.number().int().min(1).max(100).default(50) }),
  output: z.object({
    key: z.string(),
    versions: z.array(
      z.object({
        version: z.number().int(),
        state: z.enum(['active', 'forgotten']),
        author: z.enum(ENDPOINTS),
        author_principal: z.string().nullable(),
        at: z.string(),
        tags: z.array(z.string()),
        preview: z.string(),
        current: z.boolean(),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) => memoryHistory(deps, actor.tenantId, input.key, input.limit),
});
