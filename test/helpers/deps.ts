import type { Deps } from '../../functions/core/context.js';
import type { Bus } from '../../functions/ports/bus.js';
import type { Clock } from '../../functions/ports/clock.js';
import type { Store } from '../../functions/ports/store.js';
import { timeOrderedIds } from '../../functions/runtime/ids.js';
import { HnswVectorIndex } from '../../functions/adapters/local/hnsw-vector-index.js';
import { LocalLexicalIndex } from '../../functions/adapters/local/local-lexical-index.js';
import { hashingEmbedder } from './embedders.js';
import { unusedWorkflows } from './workflows.js';

const quietLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * Deps for use-case tests that run the core against a real store: the given
 * store, clock and bus, a quiet log, a deterministic embedder, in-memory
 * search indexes (the local adapters, unpersisted) and a workflow
 * port that refuses to be used. Override any member.
 */
export function testDeps(base: { store: Store; clock: Clock; bus?: Bus; staleAfterMs?: number } & Partial<Deps>): Deps {
  const { store, clock, bus, staleAfterMs, ...overrides } = base;
  return {
    store,
    clock,
    bus: bus ?? { publish: async () => {} },
    ids: timeOrderedIds(clock),
    log: quietLog,
    embedder: hashingEmbedder(),
    vectors: new HnswVectorIndex(),
    lexicon: new LocalLexicalIndex(),
    workflows: unusedWorkflows,
    settings: { staleAfterMs: staleAfterMs ?? 60 * 60_000 },
    ...overrides,
  };
}
