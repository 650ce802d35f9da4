import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { forgetMemory } from '../../core/memory/forget-memory.js';
import { defineTool } from '../tool.js';
import { memoryKey } from './memory-schemas.js';

export const forgetMemoryTool = defineTool({
  name: 'forget_memory',
  title: 'Forget a memory',
  description:
    'Forgets a memory of your organization: it is no longer returned by get_memory, search_memories or list_memories; its ' +
    'last version stays in memory_history for restore_memory. Only its owner (the role that first stored it), the roles above ' +
    'the owner and the board may forget it. To correct one, store_memory the same key instead.',
  input: z.object({ key: memoryKey }),
  output: z.object({ key: z.string(), forgotten: z.literal(true), version: z.number().int().describe('The version the forget is recorded as (the one before it stays in memory_history).') }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) =>
    forgetMemory(deps, { correlationId }, { tenantId: actor.tenantId, key: input.key, by: actor.actingAs, principal: actor.keyId }),
});
