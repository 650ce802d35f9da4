import type { Deps } from '../../functions/core/context.js';
import type { Bus } from '../../functions/ports/bus.js';
import type { Clock } from '../../functions/ports/clock.js';
import type { Store } from '../../functions/ports/store.js';
import { timeOrderedIds } from '../../functions/runtime/ids.js';
import { hashingEmbedder } from './embedders.js';
import { unusedWorkflows } from './workflows.js';

const quietLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * Deps for use-case tests that run the core against a real store: the given
 * store, clock and bus, a quiet log, a deterministic embedder and a workflow
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
    workflows: unusedWorkflows,
    settings: { staleAfterMs: staleAfterMs ?? 60 * 60_000 },
    ...overrides,
  };
}
