import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/local/memory-store.js';
import { LocalWorkflowEngine, substitute, type Definition, type LocalFunction } from '../../functions/adapters/local/asl-runner.js';
import { keys } from '../../functions/core/keys.js';
import { TaskTokenError } from '../../functions/core/workflows/model.js';
import type { ExecutionDescription } from '../../functions/ports/workflows.js';
import { eventually, memoryLog } from '../helpers/conclave.js';

const FN = 'arn:aws:lambda:local:000000000000:function:test';
const WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const INVOKE = 'arn:aws:states:::lambda:invoke';

/** A machine with one token-waiting state between two plain steps, routing timeouts and failures. */
function machine(wait: Record<string, unknown> = {}): Definition {
  const definition: Definition = {
    StartAt: 'Before',
    States: {
      Before: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: FN, Payload: { step: 'before', 'n.$': '$.n' } }, ResultSelector: { 'value.$': '$.Payload' }, ResultPath: '$.before', Next: 'Wait' },
      Wait: {
        Type: 'Task',
        Resource: WAIT,
        Parameters: { FunctionName: FN, Payload: { step: 'wait', 'token.$': '$$.Task.Token', 'n.$': '$.n' } },
        HeartbeatSeconds: 100,
        TimeoutSeconds: 200,
        ResultPath: '$.answer',
        Retry: [{ ErrorEquals: ['DependencyError'], IntervalSeconds: 1, MaxAttempts: 2 }],
        Catch: [
          { ErrorEquals: ['States.HeartbeatTimeout'], ResultPath: '$.error', Next: 'HeartbeatMissed' },
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' },
        ],
        Next: 'After',
        ...wait,
      } as Record<string, unknown>,
      After: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: FN, Payload: { step: 'after', 'answer.$': '$.answer', 'before.$': '$.before' } }, ResultPath: null, End: true },
      HeartbeatMissed: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: FN, Payload: { step: 'heartbeat', 'error.$': '$.error' } }, ResultPath: null, End: true },
      TimedOut: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: FN, Payload: { step: 'timeout', 'error.$': '$.error' } }, ResultPath: null, End: true },
      Caught: { Type: 'Task', Resource: INVOKE, Parameters: { FunctionName: FN, Payload: { step: 'caught', 'error.$': '$.error' } }, ResultPath: null, End: true },
    },
  };
  // `undefined` in `wait` removes a field.
  const state = definition.States.Wait as Record<string, unknown>;
  for (const [k, v] of Object.entries(state)) if (v === undefined) delete state[k];
  return definition;
}

interface Call {
  step: string;
  payload: Record<string, unknown>;
}

describe('LocalWorkflowEngine (the local Step Functions)', () => {
  let store: MemoryStore;
  let engines: LocalWorkflowEngine[] = [];
  let calls: Call[];
  let ended: { name: string; end: ExecutionDescription }[];
  let fail: (call: Call) => Error | undefined;

  const fn: LocalFunction = async (payload) => {
    const call = { step: String((payload as { step: string }).step), payload: payload as Record<string, unknown> };
    calls.push(call);
    const error = fail(call);
    if (error) throw error;
    return call.step === 'before' ? { doubled: Number(call.payload.n) * 2 } : { ok: true };
  };
  const engine = (definition: Definition, timeScale = 1): LocalWorkflowEngine => {
    const e = new LocalWorkflowEngine({
      definitions: { feature_development: definition },
      functions: { [FN]: fn },
      store,
      log: memoryLog(),
      timeScale,
      onExecutionEnded: async (_m, name, end) => void ended.push({ name, end }),
    });
    engines.push(e);
    return e;
  };
  const tokenOf = async (n: number): Promise<string> => {
    let token = '';
    await eventually(async () => {
      const waits = calls.filter((c) => c.step === 'wait');
      expect(waits.length).toBeGreaterThanOrEqual(n);
      token = String(waits[n - 1]?.payload.token);
    });
    return token;
  };
  const callOf = async (step: string): Promise<Call> => {
    let found: Call | undefined;
    await eventually(async () => {
      found = calls.find((c) => c.step === step);
      expect(found).toBeDefined();
    });
    return found as Call;
  };
  let runs = 0;
  const name = () => `run-${++runs}`;

  afterEach(async () => {
    for (const e of engines) await e.close();
    engines = [];
  });
  beforeEach(async () => {
    // A store per test: an engine resumes every execution its store holds.
    store = new MemoryStore();
    calls = [];
    ended = [];
    fail = () => undefined;
  });

  it('wraps a Lambda step result in Payload, mints a fresh token per entry, and resumes on SendTaskSuccess', async () => {
    const e = engine(machine());
    const id = name();
    await e.start('feature_development', id, { n: 21 });
    const token = await tokenOf(1);
    expect(token).toMatch(/^local-/);
    expect((await callOf('wait')).payload.n).toBe(21);
    await e.sendTaskSuccess(token, { outcome: 'approve' });
    const after = await callOf('after');
    // waitForTaskToken: the output as sent, not wrapped; lambda:invoke: wrapped in Payload (selected with $.Payload).
    expect(after.payload).toEqual({ step: 'after', answer: { outcome: 'approve' }, before: { value: { doubled: 42 } } });
    await eventually(async () => expect(ended).toEqual([{ name: id, end: expect.objectContaining({ status: 'SUCCEEDED' }) }]));
    expect(await e.describe('feature_development', id)).toMatchObject({ status: 'SUCCEEDED' });
    // A used token is refused.
    await expect(e.sendTaskSuccess(token, {})).rejects.toBeInstanceOf(TaskTokenError);
  });

  it('starts a name once: a second start of the same execution does nothing', async () => {
    const e = engine(machine());
    const id = name();
    await e.start('feature_development', id, { n: 1 });
    await e.start('feature_development', id, { n: 2 });
    await tokenOf(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.filter((c) => c.step === 'before')).toHaveLength(1);
  });

  it('fails the waiting state with its error name on SendTaskFailure, routed by Catch', async () => {
    const e = engine(machine());
    await e.start('feature_development', name(), { n: 1 });
    await e.sendTaskFailure(await tokenOf(1), 'Conclave.StageFailed', 'the gate failed');
    expect((await callOf('caught')).payload.error).toEqual({ Error: 'Conclave.StageFailed', Cause: 'the gate failed' });
  });

  it('raises States.HeartbeatTimeout when no heartbeat comes, and SendTaskHeartbeat keeps the task alive', async () => {
    // A 300 s heartbeat scaled to 300 ms.
    const e = engine(machine({ HeartbeatSeconds: 300, TimeoutSeconds: 3000 }), 0.001);
    await e.start('feature_development', name(), { n: 1 });
    const token = await tokenOf(1);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await e.sendTaskHeartbeat(token);
    }
    expect(calls.some((c) => c.step === 'heartbeat')).toBe(false);
    expect((await callOf('heartbeat')).payload.error).toMatchObject({ Error: 'States.HeartbeatTimeout' });
    await expect(e.sendTaskSuccess(token, {})).rejects.toBeInstanceOf(TaskTokenError);
  });

  it('raises States.Timeout after TimeoutSecondsPath, read from the state input and not scaled (it comes from the real clock)', async () => {
    const e = engine(machine({ HeartbeatSeconds: undefined, TimeoutSeconds: undefined, TimeoutSecondsPath: '$.limit' }), 0.001);
    const started = Date.now();
    await e.start('feature_development', name(), { n: 1, limit: 1 });
    expect((await callOf('timeout')).payload.error).toMatchObject({ Error: 'States.Timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a throwing function as Lambda does ({Error: name, Cause: {errorType, errorMessage}}), retrying what Retry names', async () => {
    let attempts = 0;
    fail = (call) => {
      if (call.step !== 'wait') return undefined;
      attempts++;
      const error = new Error('the store is throttling');
      error.name = 'DependencyError';
      return error;
    };
    const e = engine(machine(), 0.001);
    await e.start('feature_development', name(), { n: 1 });
    const caught = await callOf('caught');
    expect(attempts).toBe(3);
    expect(caught.payload.error).toEqual({ Error: 'DependencyError', Cause: JSON.stringify({ errorType: 'DependencyError', errorMessage: 'the store is throttling' }) });
  });

  it('survives a restart: the execution resumes in the state it was waiting in, with a new token', async () => {
    const first = engine(machine());
    const id = name();
    await first.start('feature_development', id, { n: 5 });
    const before = await tokenOf(1);
    await first.close();
    // Stopping records nothing as ended; the engine's record still says where the run is.
    expect(ended).toEqual([]);
    expect(await store.get(keys.localExecution('feature_development', id))).toMatchObject({ status: 'RUNNING', state: 'Wait', state_input: { n: 5, before: { value: { doubled: 10 } } } });
    const second = engine(machine());
    expect(await second.resumeAll()).toBeGreaterThanOrEqual(1);
    const after = await tokenOf(2);
    expect(after).not.toBe(before);
    // The step before the wait did not run again.
    expect(calls.filter((c) => c.step === 'before')).toHaveLength(1);
    await second.sendTaskSuccess(after, { outcome: 'done' });
    expect((await callOf('after')).payload.before).toEqual({ value: { doubled: 10 } });
    await eventually(async () => expect(await second.describe('feature_development', id)).toMatchObject({ status: 'SUCCEEDED' }));
    // Finished executions leave the running index.
    expect(await second.resumeAll()).toBe(0);
  });

  it('records an execution started while stopping, and runs it on the next start', async () => {
    const first = engine(machine());
    await first.close();
    const id = name();
    await first.start('feature_development', id, { n: 3 });
    expect(calls).toEqual([]);
    const second = engine(machine());
    await second.resumeAll();
    await tokenOf(1);
    expect(calls[0]?.payload.n).toBe(3);
  });

  it('substitutes ${Names} and refuses a definition that leaves one unresolved', () => {
    expect(substitute('{"a":"${X}"}', { X: 'arn' })).toBe('{"a":"arn"}');
    expect(() => substitute('{"a":"${X}","b":"${Y}"}', { X: 'arn' })).toThrow(/unresolved substitution\(s\): Y/);
  });
});
