import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { restoreMemory } from '../../core/memory/restore-memory.js';
import { defineTool } from '../tool.js';
import { memory, memoryKey } from './memory-schemas.js';

export const restoreMemoryTool = defineTool({
  name: 'restore_memory',
  title: 'Restore an earlier version of a memory',
  description:
    'Brings an earlier version of a memory back as its newest version (also after it was forgotten); the versions in between stay ' +
    "in its history. Allowed to the memory's owner, the roles above the owner and the board (or anyone for a memory tagged shared_edit).",
  input: z.object({ key: memoryKey, version: z.number().int().min(1).max(1_000_000_000) }),
  output: z.object({ memory, created: z.boolean(), restored_version: z.number().int() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) =>
    restoreMemory(deps, { correlationId }, { tenantId: actor.tenantId, key: input.key, version: input.version, by: actor.actingAs, principal: actor.keyId }),
});
