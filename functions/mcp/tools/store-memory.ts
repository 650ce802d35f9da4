import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { MEMORY_LIMITS } from '../../core/memory/model.js';
import { storeMemory } from '../../core/memory/store-memory.js';
import { defineTool } from '../tool.js';
import { memory, memoryKey, memoryTag } from './memory-schemas.js';
import { boundedJson } from './bounded.js';

export const storeMemoryTool = defineTool({
  name: 'store_memory',
  title: 'Store an organizational memory',
  description:
    "Saves something the organization should remember — a decision and its rationale, a postmortem, a spec, a hire, a budget, " +
    'a lesson — under a key, for every role of your organization to find later with search_memories. Storing an existing key ' +
    'replaces its content (an upsert); tags and metadata are replaced when given and kept when omitted. Write self-contained ' +
    'content with the names, ids and numbers someone would search for. You are recorded as the author; the first author ' +
    'owns the key: only the owner, the roles above it and the board may overwrite it, unless it is tagged shared_edit. Every ' +
    'version replaced is kept (memory_history, restore_memory).',
  input: z.object({
    key: memoryKey,
    content: z.string().min(1).max(MEMORY_LIMITS.contentChars).describe('The memory itself, in plain language.'),
    tags: z.array(memoryTag).max(MEMORY_LIMITS.tags).optional().describe('Labels to filter by, e.g. ["postmortem", "checkout"]; case-insensitive.'),
    metadata: boundedJson(8_192).optional().describe('Structured facts to keep with it (JSON, up to 8 KB), e.g. {"incident_id": "INC-2041"}.'),
  }),
  output: z.object({ memory, created: z.boolean().describe('True when the key was new.') }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor, correlationId }) =>
    storeMemory(deps, { correlationId }, {
      tenantId: actor.tenantId,
      key: input.key,
      content: input.content,
      author: actor.actingAs,
      principal: actor.keyId,
      ...(input.tags ? { tags: input.tags } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
    }),
});
