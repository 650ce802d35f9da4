import { z } from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { forgetMemory } from '../../core/memory/forget-memory.js';
import { defineTool } from '../tool.js';
import { memoryKey } from './memory-schemas.js';

export const forgetMemoryTool = defineTool({
  name: 'forget_memory',
  title: 'Forget a memory',
  description:
    'Deletes a memory of your organization for good: it is no longer returned by get_memory, search_memories or ' +
    'list_memories. Use it for memories that are wrong or must not be kept; to correct one, store_memory the same key instead.',
  input: z.object({ key: memoryKey }),
  output: z.object({ key: z.string(), forgotten: z.literal(true) }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) => forgetMemory(deps, { correlationId }, { tenantId: actor.tenantId, key: input.key, by: actor.actingAs }),
});
