import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { MEMORY_LIMITS } from '../../core/memory/model.js';

/** Schemas shared by the memory tools (SPEC "Memory"). */
export const memoryKey = z
  .string()
  .min(1)
  .max(MEMORY_LIMITS.keyChars)
  .describe('Unique per organization; a readable path such as "postmortem/2026-11-20-checkout-outage" or "decision/adopt-postgres-17".');

export const memoryTag = z.string().min(1).max(MEMORY_LIMITS.tagChars);

const metadata = z.record(z.string(), z.unknown());

export const memory = z.object({
  key: z.string(),
  content: z.string(),
  tags: z.array(z.string()),
  metadata,
  author: z.enum(ENDPOINTS).describe('The role that last wrote it.'),
  author_principal: z.string().nullable().describe('The key id (or system:<component>) that last wrote it.'),
  created_by: z.enum(ENDPOINTS).describe('The owner: the role that first wrote it.'),
  created_by_principal: z.string().nullable(),
  version: z.number().int().describe('Incremented by every write; earlier versions: memory_history.'),
  created_at: z.string(),
  updated_at: z.string(),
  embedding: z.enum(['ready', 'pending', 'stale']).describe('pending: not embedded yet, found by its words only until it is.'),
});

export const memorySummary = memory.omit({ content: true, metadata: true }).extend({ preview: z.string() });

export const searchHit = z.object({
  key: z.string(),
  content: z.string(),
  tags: z.array(z.string()),
  score: z.number().describe('0..1, higher is more relevant: 0.7 × semantic similarity + 0.3 × lexical match (the lexical match alone when mode is lexical).'),
  semantic_score: z.number().nullable(),
  lexical_score: z.number(),
  author: z.enum(ENDPOINTS),
  updated_at: z.string(),
  metadata,
});

export { metadata as memoryMetadata };
