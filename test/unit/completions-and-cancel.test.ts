import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import { completeDecisionIds, completeFrom, completeMemoryKeys, completeRunIds, idTimeRange } from '../../functions/core/completions/complete.js';
import type { Deps } from '../../functions/core/context.js';
import { proposeDecision } from '../../functions/core/decisions/decisions.js';
import { ConflictError, NotFoundError } from '../../functions/core/errors.js';
import { storeMemory } from '../../functions/core/memory/store-memory.js';
import { cancelRun, CANCELLED_ERROR } from '../../functions/core/workflows/cancel-run.js';
import { finishRun, loadRun, refOf, startWorkflow } from '../../functions/core/workflows/runs.js';
import type { Query, Store } from '../../functions/ports/store.js';
import type { Workflows } from '../../functions/ports/workflows.js';
import { timeOrderedIds } from '../../functions/runtime/ids.js';
import { testDeps } from '../helpers/deps.js';
import { unusedWorkflows } from '../helpers/workflows.js';

/** A store that counts queries (completions promise one indexed query each). */
function counting(store: Store): Store & { queries: Query[] } {
  const queries: Query[] = [];
  return Object.assign(Object.create(store) as Store, {
    queries,
    query: (q: Query) => {
      queries.push(q);
      return store.query(q);
    },
  });
}

describe('completions (core)', () => {
  let now: number;
  let store: ReturnType<typeof counting>;
  let deps: Deps;

  beforeEach(() => {
    now = Date.UTC(2026, 11, 6, 10, 0, 0);
    store = counting(new MemoryStore());
    deps = testDeps({ store, clock: { now: () => now } });
  });

  it('maps an id prefix to the index time range its ids were created in', () => {
    const at = Date.UTC(2026, 5, 1, 12, 30, 0);
    const id = timeOrderedIds({ now: () => at }).next();
    const [from, to] = idTimeRange(id.slice(0, 9)) as [string, string];
    const iso = new Date(at).toISOString();
    expect(from <= iso && iso <= to).toBe(true);
    expect(idTimeRange('ABC')).toBeUndefined();
    expect(idTimeRange('0il')).toBeUndefined();
  });

  it("completes the tenant's decision ids from a prefix, newest first, in one indexed query", async () => {
    const ids: string[] = [];
    for (const minutes of [0, 1, 2]) {
      now += minutes * 60_000;
      ids.push((await proposeDecision(deps, { correlationId: 'c' }, { tenantId: 'a', initiator: 'cto', decisionType: 'purchase', mode: 'autonomous', context: 'x', amount: 1 })).decision_id);
    }
    const other = (await proposeDecision(deps, { correlationId: 'c' }, { tenantId: 'b', initiator: 'cto', decisionType: 'purchase', mode: 'autonomous', context: 'x', amount: 1 })).decision_id;
    store.queries.length = 0;
    const last = ids[2] as string;
    expect(await completeDecisionIds(deps, 'a', last.slice(0, 14))).toEqual([last]);
    expect(store.queries).toHaveLength(1);
    expect(store.queries[0]).toMatchObject({ index: 'gsi1', pk: 'T#a#DECISIONS' });
    expect(await completeDecisionIds(deps, 'a', '')).toEqual([...ids].reverse());
    expect(await completeDecisionIds(deps, 'a', other.slice(0, 26))).toEqual([]);
    expect(await completeDecisionIds(deps, 'a', 'not an id')).toEqual([]);
    expect(await completeRunIds(deps, 'a', '')).toEqual([]);
  });

  it('completes active memory keys by prefix, leaving out other tenants', async () => {
    for (const key of ['runbooks/deploy', 'runbooks/rollback', 'people/onboarding']) {
      await storeMemory(deps, { correlationId: 'c' }, { tenantId: 'a', key, content: key, author: 'cto' });
    }
    await storeMemory(deps, { correlationId: 'c' }, { tenantId: 'b', key: 'runbooks/b-only', content: 'b', author: 'cto' });
    store.queries.length = 0;
    expect(await completeMemoryKeys(deps, 'a', 'runbooks/')).toEqual(['runbooks/deploy', 'runbooks/rollback']);
    expect(store.queries).toHaveLength(1);
    expect(await completeMemoryKeys(deps, 'a', 'x')).toEqual([]);
    expect(completeFrom(['ceo', 'cto', 'chro'], 'c')).toEqual(['ceo', 'cto', 'chro']);
    expect(completeFrom(['ceo', 'cto', 'chro'], 'ch')).toEqual(['chro']);
  });
});

describe('cancelRun (core)', () => {
  let deps: Deps;
  const stops: unknown[][] = [];

  beforeAll(() => {
    const workflows: Workflows = { ...unusedWorkflows, start: async () => {}, stop: async (...args) => void stops.push(args) };
    deps = testDeps({ store: new MemoryStore(), clock: { now: () => Date.UTC(2026, 11, 6) }, workflows });
  });

  const start = () =>
    startWorkflow(deps, { correlationId: 'c' }, { tenantId: 'acme', initiator: 'operations_head', workflow: 'incident_response', input: { title: 'Slow', severity: 3 } });

  it('takes the failure path, then stops the execution; a repeat only stops it again', async () => {
    const run = await start();
    await cancelRun(deps, { correlationId: 'c' }, { tenantId: 'acme', runId: run.run_id, by: 'operations_head' });
    expect(await loadRun(deps, 'acme', run.run_id)).toMatchObject({ status: 'failed', outcome: 'cancelled', cause: 'cancelled by operations_head' });
    expect(stops.at(-1)).toEqual(['incident_response', run.run_id, CANCELLED_ERROR, 'cancelled by operations_head']);
    await cancelRun(deps, { correlationId: 'c' }, { tenantId: 'acme', runId: run.run_id, by: 'operations_head' });
    expect(stops.filter((s) => s[1] === run.run_id)).toHaveLength(2);
  });

  it("refuses another endpoint's run, another tenant's, and a run that ended otherwise; the board may cancel", async () => {
    const run = await start();
    await expect(cancelRun(deps, { correlationId: 'c' }, { tenantId: 'acme', runId: run.run_id, by: 'cto' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(cancelRun(deps, { correlationId: 'c' }, { tenantId: 'other', runId: run.run_id, by: 'operations_head' })).rejects.toBeInstanceOf(NotFoundError);
    expect((await loadRun(deps, 'acme', run.run_id)).status).toBe('running');
    await cancelRun(deps, { correlationId: 'c' }, { tenantId: 'acme', runId: run.run_id, by: 'board' });
    expect((await loadRun(deps, 'acme', run.run_id)).cause).toBe('cancelled by board');
    const done = await start();
    await finishRun(deps, { correlationId: 'c' }, refOf(await loadRun(deps, 'acme', done.run_id)), { status: 'succeeded' });
    await expect(cancelRun(deps, { correlationId: 'c' }, { tenantId: 'acme', runId: done.run_id, by: 'operations_head' })).rejects.toBeInstanceOf(ConflictError);
  });
});
