import { z } from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { getMemory } from '../../core/memory/get-memory.js';
import { defineTool } from '../tool.js';
import { memory, memoryKey } from './memory-schemas.js';

export const getMemoryTool = defineTool({
  name: 'get_memory',
  title: 'Get a memory',
  description: 'Returns one memory of your organization by its exact key, with its content, tags, metadata, author and times. To find memories by topic use search_memories.',
  input: z.object({ key: memoryKey }),
  output: memory,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) => getMemory(deps, actor.tenantId, input.key),
});
