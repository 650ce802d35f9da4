import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { getMemory } from '../../core/memory/get-memory.js';
import { getMemoryVersion } from '../../core/memory/history.js';
import { defineTool } from '../tool.js';
import { memory, memoryKey } from './memory-schemas.js';

export const getMemoryTool = defineTool({
  name: 'get_memory',
  title: 'Get a memory',
  description:
    'Returns one memory of your organization by its exact key, with its content, tags, metadata, owner, author and times. ' +
    'With version, returns that earlier version (see memory_history). To find memories by topic use search_memories.',
  input: z.object({ key: memoryKey, version: z.number().int().min(1).max(1_000_000_000).optional().describe('An earlier version (memory_history lists them).') }),
  output: memory,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) =>
    input.version === undefined ? getMemory(deps, actor.tenantId, input.key) : getMemoryVersion(deps, actor.tenantId, input.key, input.version),
});
