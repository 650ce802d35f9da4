import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { MEMORY_LIMITS } from '../../core/memory/model.js';
import { SEARCH_LIMITS, searchMemories } from '../../core/memory/search-memories.js';
import { defineTool } from '../tool.js';
import { memoryTag, searchHit } from './memory-schemas.js';

export const searchMemoriesTool = defineTool({
  name: 'search_memories',
  title: 'Search organizational memory',
  description:
    "Finds your organization's memories relevant to a question, by meaning and by exact words (ids such as INC-2041, names, " +
    'versions count), best first with a score from 0 to 1. Use it before deciding or designing something, to learn what was ' +
    'decided, tried or learned before; ask in natural language. Narrow with tags (memories carrying every tag given) and ' +
    'min_score. Read a whole memory with get_memory.',
  input: z.object({
    query: z.string().min(1).max(SEARCH_LIMITS.queryChars).describe('What you want to know, in natural language or exact terms.'),
    tags: z.array(memoryTag).max(MEMORY_LIMITS.tags).optional().describe('Only memories that carry all of these tags.'),
    limit: z.number().int().min(1).max(SEARCH_LIMITS.maxResults).default(SEARCH_LIMITS.defaultResults),
    min_score: z.number().min(0).max(1).default(0).describe('Leave out results scoring below this.'),
  }),
  output: z.object({
    results: z.array(searchHit),
    mode: z.enum(['hybrid', 'semantic', 'lexical']).describe('lexical: the embedding model was unavailable, so only words were matched.'),
    unembedded: z.number().int().describe('Memories matched by words only for now (not embedded yet).'),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ENDPOINTS,
  run: async (input, { deps, actor }) =>
    searchMemories(deps, {
      tenantId: actor.tenantId,
      query: input.query,
      limit: input.limit,
      minScore: input.min_score,
      ...(input.tags ? { tags: input.tags } : {}),
    }),
});
