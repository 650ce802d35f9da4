import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { readDefinitionText, substitute } from '../../functions/adapters/local/asl-runner.js';
import { MACHINES, ROUNDS, STAGES, STEP_FUNCTION_SUBSTITUTION, STEPS, type MachineId } from '../../functions/contracts/workflows.js';
import { STEP_USE_CASE_NAMES } from '../../functions/core/workflows/steps.js';

type Json = Record<string, unknown>;
interface State extends Json {
  Type: string;
}
interface Definition {
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:conclave-steps';
const definitions = Object.fromEntries(
  await Promise.all(MACHINES.map(async (m) => [m, JSON.parse(substitute(await readDefinitionText(m), { [STEP_FUNCTION_SUBSTITUTION]: ARN })) as Definition] as const)),
) as Record<MachineId, Definition>;
const texts = Object.fromEntries(await Promise.all(MACHINES.map(async (m) => [m, await readDefinitionText(m)] as const))) as Record<MachineId, string>;

const tasks = (m: MachineId) => Object.entries(definitions[m].States).filter(([, s]) => s.Type === 'Task') as [string, State][];
const isWait = (s: State) => String(s.Resource).endsWith('.waitForTaskToken');
const payload = (s: State) => (s.Parameters as { Payload: Json }).Payload;
const errorsOf = (list: unknown) => ((list as { ErrorEquals: string[] }[] | undefined) ?? []).flatMap((r) => r.ErrorEquals);

/** Every state a state can go to next. */
function successors(state: State): string[] {
  const next = [state.Next, state.Default, ...((state.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next), ...((state.Catch as { Next: string }[] | undefined) ?? []).map((c) => c.Next)];
  return next.filter((n): n is string => typeof n === 'string');
}

describe('state machine definitions (statemachines/*.asl.json)', () => {
  it.each(MACHINES)('%s validates with asl-validator (ARNs and JSONPaths checked)', (m) => {
    const result = aslValidator(definitions[m], { checkArn: true, checkPaths: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(MACHINES)('%s uses JSONPath only, and ${StepFunctionArn} as its only substitution', (m) => {
    expect(texts[m]).not.toMatch(/"QueryLanguage"\s*:\s*"JSONata"/);
    expect(texts[m]).not.toContain('{%');
    expect(new Set([...texts[m].matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((x) => x[1]))).toEqual(new Set([STEP_FUNCTION_SUBSTITUTION]));
  });

  it.each(MACHINES)('%s: every Task state invokes its step function with a step that has a use case, and every step of the contract is used', (m) => {
    const used = new Set<string>();
    for (const [name, state] of tasks(m)) {
      expect(['arn:aws:states:::lambda:invoke', 'arn:aws:states:::lambda:invoke.waitForTaskToken'], name).toContain(state.Resource);
      expect((state.Parameters as Json).FunctionName, name).toBe(ARN);
      const step = String(payload(state).step);
      expect(STEPS[m] as readonly string[], `${m}.${name} calls ${step}`).toContain(step);
      expect(STEP_USE_CASE_NAMES, step).toContain(step);
      expect(payload(state)['run.$'], `${name} passes the run`).toBe('$.run');
      used.add(step);
    }
    expect([...used].sort()).toEqual([...STEPS[m]].sort());
  });

  it.each(MACHINES)('%s: every Task state retries transient errors with backoff and has a Catch to a failure path', (m) => {
    for (const [name, state] of tasks(m)) {
      const retry = state.Retry as { ErrorEquals: string[]; BackoffRate?: number; MaxAttempts?: number; IntervalSeconds?: number }[];
      expect(retry?.length, `${name} retries`).toBeGreaterThan(0);
      for (const r of retry) expect(r.BackoffRate ?? 2, name).toBeGreaterThanOrEqual(1);
      const catchers = state.Catch as { ErrorEquals: string[]; Next: string }[];
      expect(catchers?.some((c) => c.ErrorEquals.includes('States.ALL')), `${name} catches everything`).toBe(true);
      expect(catchers[catchers.length - 1]?.ErrorEquals, `${name}: States.ALL is the last catcher`).toEqual(['States.ALL']);
    }
    // The failure path records the run and ends in a Fail state; its own failure cannot loop.
    expect(definitions[m].States.RecordFailure).toMatchObject({ Type: 'Task', Next: 'Failed' });
    expect(definitions[m].States.Failed?.Type).toBe('Fail');
    expect((definitions[m].States.RecordFailure?.Catch as { Next: string }[]).map((c) => c.Next)).toEqual(['Failed']);
  });

  it.each(MACHINES)('%s: every waiting stage has a heartbeat (reminders) shorter than its timeout, and routes both', (m) => {
    const waits = tasks(m).filter(([, s]) => isWait(s));
    expect(waits.length).toBeGreaterThan(0);
    for (const [name, state] of waits) {
      expect(state.HeartbeatSeconds ?? state.HeartbeatSecondsPath, `${name} heartbeat`).toBeDefined();
      expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, `${name} timeout`).toBeDefined();
      if (typeof state.HeartbeatSeconds === 'number') {
        expect(state.HeartbeatSeconds).toBeLessThan(state.TimeoutSeconds as number);
        expect(payload(state).heartbeat_seconds, `${name} tells the step its heartbeat`).toBe(state.HeartbeatSeconds);
      } else {
        expect(payload(state)['heartbeat_seconds.$']).toBe(state.HeartbeatSecondsPath);
      }
      expect(payload(state)['task_token.$']).toBe('$$.Task.Token');
      const catchers = (state.Catch as { ErrorEquals: string[]; Next: string }[]).map((c) => c.ErrorEquals[0]);
      expect(catchers, name).toEqual(['States.HeartbeatTimeout', 'States.Timeout', 'States.ALL']);
      // The local engine raises its own timeouts: a waiting state never retries them (nor anything by wildcard).
      for (const error of errorsOf(state.Retry)) expect(['States.ALL', 'States.TaskFailed', 'States.Timeout', 'States.HeartbeatTimeout'], name).not.toContain(error);
    }
  });

  it.each(MACHINES)('%s: resumable locally — no InputPath on Task states, no $$.Execution.Input, a machine timeout', (m) => {
    for (const [name, state] of tasks(m)) expect(state.InputPath, name).toBeUndefined();
    expect(texts[m]).not.toContain('$$.Execution.Input');
    expect(definitions[m].TimeoutSeconds).toBeGreaterThan(0);
  });

  it.each(MACHINES)('%s: every state is reachable and reaches an end', (m) => {
    const states = definitions[m].States;
    const seen = new Set<string>();
    const queue = [definitions[m].StartAt];
    while (queue.length) {
      const name = queue.shift() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      expect(states[name], `${name} exists`).toBeDefined();
      queue.push(...successors(states[name] as State));
    }
    expect([...seen].sort()).toEqual(Object.keys(states).sort());
    const terminal = Object.entries(states).filter(([, s]) => s.End === true || s.Type === 'Succeed' || s.Type === 'Fail');
    expect(terminal.length).toBeGreaterThan(0);
  });

  it.each(MACHINES)('%s: the stages it opens are the contract stages, and rounds it counts are its loop counters', (m) => {
    const stages = new Set(tasks(m).filter(([, s]) => isWait(s)).map(([, s]) => String(payload(s).stage ?? '')));
    for (const stage of stages) if (stage) expect(STAGES[m], stage).toContain(stage);
    const counted = [...texts[m].matchAll(/\$\.rounds\.([a-z_]+)/g)].map((x) => x[1]);
    for (const r of counted) expect(ROUNDS[m], String(r)).toContain(r);
  });

  it('bounds the feature development loops: three rejected reviews or failed gates end the run', () => {
    const s = definitions.feature_development.States;
    expect(s.ReviewRoundsLeft).toMatchObject({ Choices: [{ Variable: '$.rounds.review', NumericGreaterThanEquals: 3, Next: 'ReviewRejectedTooOften' }], Default: 'Design' });
    expect(s.QualityRoundsLeft).toMatchObject({ Choices: [{ Variable: '$.rounds.quality', NumericGreaterThanEquals: 3, Next: 'GateFailedTooOften' }], Default: 'Implement' });
    expect(s.ReviewRejectedTooOften?.Next).toBe('RecordFailure');
    expect(payload(s.DeployApproval as State).assignees).toEqual(['cto', 'operations_head']);
  });

  it('escalations never hang: after the last reminder or the timeout, the decision escalates further or expires', () => {
    const s = definitions.escalation.States;
    expect((s.AwaitRuling?.Catch as { Next: string }[]).map((c) => c.Next)).toEqual(['Remind', 'OnTimeout', 'RecordFailure']);
    expect(s.AfterReminder?.Choices).toContainEqual({ Variable: '$.reminder.expired', BooleanEquals: true, Next: 'OnTimeout' });
    expect(payload(s.OnTimeout as State).step).toBe('escalation_timeout');
  });
});
