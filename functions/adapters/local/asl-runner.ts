// The polyfill must be evaluated before the interpreter runs a Task state (Node 20 has no Promise.withResolvers).
import './promise-with-resolvers.js';
import type * as Interpreter from 'aws-local-stepfunctions';
import type { StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { aslFileName, MACHINES, type MachineId } from '../../contracts/workflows.js';
import { PreconditionFailedError } from '../../ports/errors.js';
import { LOCAL_EXECUTION_KEYS } from '../../contracts/table.js';
import { TaskTokenError } from '../../ports/errors.js';
import type { Log } from '../../ports/logger.js';
import type { Item, Store } from '../../ports/store.js';
import type { ExecutionDescription, Workflows } from '../../ports/workflows.js';

/**
 * The local Step Functions: the same ASL files, run by aws-local-stepfunctions
 * (JSONPath only) in process, with what the interpreter lacks supplied here:
 *
 * - `${Substitution}`s are resolved to local function ARNs, and each Task
 *   state's `FunctionName` is invoked in process (`functions`), its result
 *   wrapped as Lambda's `{ Payload }` like `arn:aws:states:::lambda:invoke`.
 * - `.waitForTaskToken`: every entry into such a state mints a fresh token
 *   (`$$.Task.Token`), passes it to the function and waits until
 *   sendTaskSuccess/sendTaskFailure with that token; HeartbeatSeconds(Path)
 *   and TimeoutSeconds(Path) fail it with States.HeartbeatTimeout /
 *   States.Timeout as Step Functions does.
 * - Durability: before each Task state runs, the execution's current state
 *   and that state's input are written to the store (the data dir); on start
 *   the engine resumes every execution still running from that state, with
 *   the same definition otherwise (`resumeAll`).
 * - `timeScale` (tests only) shortens every duration written in the
 *   definitions: heartbeats, task timeouts, Wait states, retry intervals and
 *   the machine timeout. Durations a state reads from its input
 *   (TimeoutSecondsPath, HeartbeatSecondsPath) come from the real clock — a
 *   decision's deadline — and are not scaled.
 *
 * Limits (see README "Workflows"): timers and retry counters restart on
 * resume; a step in flight at a crash runs again (steps are idempotent);
 * `$$.Execution.Input` would be the resumed state's input, so the machines
 * do not read it.
 */

/** A local Lambda function: takes the invocation payload, returns its result (or throws, like a function error). */
export type LocalFunction = (payload: unknown) => Promise<unknown>;

type Json = Record<string, unknown>;
export interface Definition extends Json {
  StartAt: string;
  States: Record<string, Json>;
  TimeoutSeconds?: number;
}

export interface LocalEngineOptions {
  /** Each machine's definition with its substitutions resolved (`loadDefinitions`). */
  readonly definitions: Readonly<Partial<Record<MachineId, Definition>>>;
  /** The local functions Task states invoke, by ARN (what `${StepFunctionArn}` resolved to). */
  readonly functions: Readonly<Record<string, LocalFunction>>;
  /** Where executions are recorded so they survive a restart. */
  readonly store: Store;
  readonly log: Log;
  /** Multiplies every wait (tests only); default 1. */
  readonly timeScale?: number;
  /** Told when an execution ends, so the caller can reconcile what it recorded (an error no Catch routed). */
  readonly onExecutionEnded?: (machine: MachineId, name: string, end: ExecutionDescription, input: unknown) => Promise<void>;
}

/** The local ARN a machine's `${StepFunctionArn}` resolves to. */
export function localFunctionArn(machine: MachineId): string {
  return `arn:aws:lambda:local:000000000000:function:conclave-${machine.replace(/_/g, '-')}-steps`;
}

const STATEMACHINES_DIR = new URL('../../../statemachines/', import.meta.url);

/**
 * The interpreter (aws-local-stepfunctions, with the AWS SDK clients it
 * brings: about 0.3 s of CPU to load) is imported on the first run, not
 * with the server: a start with no workflow to resume never loads it.
 */
let interpreter: typeof Interpreter | undefined;
async function loadInterpreter(): Promise<typeof Interpreter> {
  interpreter ??= await import('aws-local-stepfunctions');
  return interpreter;
}
function loaded(): typeof Interpreter {
  if (!interpreter) throw new Error('the workflow interpreter is not loaded yet (loadInterpreter before launching)');
  return interpreter;
}

/** Reads a machine's ASL file (module-relative, so it works from any working directory). */
export async function readDefinitionText(machine: MachineId): Promise<string> {
  return readFile(fileURLToPath(new URL(aslFileName(machine), STATEMACHINES_DIR)), 'utf8');
}

/** Replaces `${Name}` substitutions as Step Functions' DefinitionSubstitutions do; any left unresolved is an error. */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  const out = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => (name in values ? (values[name] as string) : whole));
  const missing = [...out.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);
  if (missing.length) throw new Error(`unresolved substitution(s): ${[...new Set(missing)].join(', ')}`);
  return out;
}

/** Every machine's definition, substitutions resolved with `values(machine)`. */
export async function loadDefinitions(values: (machine: MachineId) => Record<string, string>): Promise<Record<MachineId, Definition>> {
  const entries = await Promise.all(MACHINES.map(async (m) => [m, JSON.parse(substitute(await readDefinitionText(m), values(m))) as Definition] as const));
  return Object.fromEntries(entries) as Record<MachineId, Definition>;
}

const WAIT_FOR_TOKEN = '.waitForTaskToken';
/** Stands for `$$.Task.Token` in the local definitions; replaced by a fresh token on every entry. */
const TOKEN_SENTINEL = '__conclave_local_task_token__';
/** setTimeout's ceiling; longer timers are chained. */
const MAX_TIMER_MS = 2_147_483_647;
/** The interpreter's own timeout on token-waiting states: a guard only, the engine's timers fire first. */
const INTERPRETER_GUARD_SECONDS = 2_000_000;

interface Timing {
  readonly timeoutSeconds?: number;
  readonly timeoutPath?: string;
  readonly heartbeatSeconds?: number;
  readonly heartbeatPath?: string;
}

interface Waiter {
  readonly execution: string;
  resolve(output: unknown): void;
  reject(error: Error): void;
  heartbeat(): void;
  clear(): void;
}

interface Running {
  readonly machine: MachineId;
  readonly name: string;
  readonly abort: () => void;
  record: Item;
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Reads a JSONPath like `$.vote.timeout_seconds` (dotted names only) from a state input. */
function readPath(input: unknown, path: string): unknown {
  if (!path.startsWith('$.')) return undefined;
  let value: unknown = input;
  for (const part of path.slice(2).split('.')) value = value !== null && typeof value === 'object' ? (value as Json)[part] : undefined;
  return value;
}

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  return value;
}

/** Rewrites `"key.$": "$$.Task.Token"` to `"key": SENTINEL` anywhere in a Parameters template. */
function rewriteTokenPaths(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteTokenPaths);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => (k.endsWith('.$') && v === '$$.Task.Token' ? [k.slice(0, -2), TOKEN_SENTINEL] : [k, rewriteTokenPaths(v)])),
  );
}

export class LocalWorkflowEngine implements Workflows {
  private readonly scale: number;
  /** Per machine: the interpreter's definition and each token-waiting state's timing. */
  private readonly local = new Map<MachineId, { definition: Definition; timing: Map<string, Timing> }>();
  private readonly machines = new Map<string, StateMachine>();
  /** Machines whose definition passed the interpreter's validation. */
  private readonly validated = new Set<MachineId>();
  private readonly running = new Map<string, Running>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly options: LocalEngineOptions) {
    this.scale = options.timeScale ?? 1;
    for (const [machine, original] of Object.entries(options.definitions) as [MachineId, Definition][]) {
      this.local.set(machine, this.localDefinition(machine, original));
    }
  }

  /** The definition the interpreter runs: token paths and state-input capture added, engine-owned timers moved out. */
  private localDefinition(machine: MachineId, original: Definition): { definition: Definition; timing: Map<string, Timing> } {
    const definition = structuredClone(original);
    const timing = new Map<string, Timing>();
    if (definition.TimeoutSeconds !== undefined) definition.TimeoutSeconds = Math.min(INTERPRETER_GUARD_SECONDS, definition.TimeoutSeconds * this.scale);
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task') continue;
      if (state.InputPath !== undefined) throw new Error(`${machine}.${name}: Task states must not use InputPath (the local engine records the state input to resume from)`);
      state.Parameters = { ...(rewriteTokenPaths(state.Parameters ?? {}) as Json), 'ConclaveStateInput.$': '$' };
      if (String(state.Resource).endsWith(WAIT_FOR_TOKEN)) {
        timing.set(name, {
          ...(typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {}),
          ...(typeof state.TimeoutSecondsPath === 'string' ? { timeoutPath: state.TimeoutSecondsPath } : {}),
          ...(typeof state.HeartbeatSeconds === 'number' ? { heartbeatSeconds: state.HeartbeatSeconds } : {}),
          ...(typeof state.HeartbeatSecondsPath === 'string' ? { heartbeatPath: state.HeartbeatSecondsPath } : {}),
        });
        delete state.TimeoutSecondsPath;
        delete state.HeartbeatSeconds;
        delete state.HeartbeatSecondsPath;
        state.TimeoutSeconds = INTERPRETER_GUARD_SECONDS;
      }
    }
    return { definition, timing };
  }

  private stateMachine(machine: MachineId, startAt: string): StateMachine {
    const id = `${machine}#${startAt}`;
    let sm = this.machines.get(id);
    if (!sm) {
      if (!this.validated.has(machine)) {
        // Validates the definition as the interpreter sees it (paths and ARNs included) before its first run. Not at
        // construction: the validator compiles its JSON Schema anew per call (about 0.2 s of CPU per machine), which
        // every server start would pay (test/unit/workflows-asl.test.ts validates every definition in CI).
        new (loaded()).StateMachine(this.options.definitions[machine] as never, { validationOptions: { checkArn: true, checkPaths: true } });
        this.validated.add(machine);
      }
      const { definition } = this.local.get(machine) as { definition: Definition };
      if (!(startAt in definition.States)) throw new Error(`${machine} has no state ${startAt} to resume from`);
      sm = new (loaded()).StateMachine({ ...definition, StartAt: startAt } as never, { validationOptions: { noValidate: true } });
      this.machines.set(id, sm);
    }
    return sm;
  }

  async start(machine: MachineId, name: string, input: unknown): Promise<void> {
    const definition = this.options.definitions[machine];
    if (!definition) throw new Error(`the local workflow engine has no ${machine} machine`);
    const at = new Date().toISOString();
    const record: Item = {
      ...LOCAL_EXECUTION_KEYS.execution(machine, name),
      gsi1pk: LOCAL_EXECUTION_KEYS.running,
      gsi1sk: `${at}#${machine}#${name}`,
      type: 'local_execution',
      machine,
      name,
      input: input as Json,
      state: definition.StartAt,
      state_input: input as Json,
      status: 'RUNNING',
      started_at: at,
      updated_at: at,
    };
    try {
      await this.options.store.put(record, { kind: 'absent' });
    } catch (error) {
      if (error instanceof PreconditionFailedError) return; // an execution of that name exists
      throw error;
    }
    await loadInterpreter();
    // Closing: the recorded execution starts when the engine next resumes.
    if (!this.closing) this.launch(record);
  }

  /** Resumes every execution recorded as running (after a restart). Returns how many. */
  async resumeAll(): Promise<number> {
    const records: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.options.store.query({ index: 'gsi1', pk: LOCAL_EXECUTION_KEYS.running, limit: 100, ...(cursor ? { cursor } : {}) });
      records.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    let resumed = 0;
    if (records.length > 0) await loadInterpreter();
    for (const entry of records) {
      const record = await this.options.store.get({ pk: entry.pk, sk: entry.sk });
      if (!record || record.status !== 'RUNNING' || this.running.has(`${String(record.machine)}#${String(record.name)}`)) continue;
      this.options.log.info('resuming a workflow execution', { machine: record.machine, name: record.name, state: record.state });
      this.launch(record);
      resumed++;
    }
    return resumed;
  }

  private launch(record: Item): void {
    const machine = record.machine as MachineId;
    const name = String(record.name);
    const id = `${machine}#${name}`;
    const { definition, timing } = this.local.get(machine) as { definition: Definition; timing: Map<string, Timing> };
    const handlers: Record<string, (params: Json) => Promise<unknown>> = {};
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type === 'Task') handlers[stateName] = (params) => this.task(id, stateName, String(state.Resource), timing.get(stateName), params);
    }
    const execution = this.stateMachine(machine, String(record.state)).run(record.state_input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, ...this.scaledOverrides(definition) },
      noThrowOnAbort: true,
    });
    this.running.set(id, { machine, name, abort: execution.abort, record });
    // The interpreter queues an event log per execution until someone reads it: read and drop it.
    void (async () => {
      for await (const _event of execution.eventLogs) {
        // nothing: the store holds what survives
      }
    })();
    const settled = execution.result.then(
      () => this.ended(id, { status: 'SUCCEEDED' }),
      (error: unknown) => {
        const cause = (error as { cause?: unknown })?.cause as Error | undefined;
        return this.ended(id, { status: 'FAILED', error: cause?.name ?? (error as Error)?.name ?? 'Error', cause: cause?.message ?? String(error) });
      },
    );
    this.track(settled.finally(() => this.running.delete(id)));
  }

  /** Wait states, retry intervals: scaled (tests); untouched at scale 1. */
  private scaledOverrides(definition: Definition): { waitTimeOverrides?: Record<string, number>; retryIntervalOverrides?: Record<string, number[]> } {
    if (this.scale === 1) return {};
    const waitTimeOverrides: Record<string, number> = {};
    const retryIntervalOverrides: Record<string, number[]> = {};
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type === 'Wait' && typeof state.Seconds === 'number') waitTimeOverrides[name] = Math.max(0, Math.round(state.Seconds * 1000 * this.scale));
      if (Array.isArray(state.Retry)) {
        retryIntervalOverrides[name] = (state.Retry as Json[]).map((r) => Math.max(1, Math.round(Number(r.IntervalSeconds ?? 1) * 1000 * this.scale)));
      }
    }
    return { waitTimeOverrides, retryIntervalOverrides };
  }

  private async ended(id: string, end: ExecutionDescription): Promise<void> {
    if (this.closing) return;
    const running = this.running.get(id);
    if (!running) return;
    const at = new Date().toISOString();
    const { gsi1pk: _pk, gsi1sk: _sk, ...rest } = running.record;
    await this.options.store.put({ ...rest, status: end.status, stopped_at: at, updated_at: at, error: end.error ?? null, cause: end.cause ?? null });
    this.options.log.info('workflow execution ended', { machine: running.machine, name: running.name, status: end.status, error: end.error, cause: end.cause });
    await this.options.onExecutionEnded?.(running.machine, running.name, { ...end, stoppedAt: at }, running.record.input);
  }

  /** One Task state's work: record where the execution is, then invoke its function (and wait for a token if it says so). */
  private async task(id: string, stateName: string, resource: string, timing: Timing | undefined, params: Json): Promise<unknown> {
    if (this.closing) throw namedError('Conclave.EngineStopped', 'the local workflow engine is stopping');
    const running = this.running.get(id);
    const { ConclaveStateInput: stateInput, ...parameters } = params;
    if (running) {
      running.record = { ...running.record, state: stateName, state_input: stateInput as Json, updated_at: new Date().toISOString() };
      await this.track(this.options.store.put(running.record));
    }
    const fn = this.options.functions[String(parameters.FunctionName)];
    if (!fn) throw namedError('Lambda.ResourceNotFoundException', `no local function ${String(parameters.FunctionName)}`);
    if (!resource.endsWith(WAIT_FOR_TOKEN)) {
      const result = await this.invoke(fn, parameters.Payload);
      return { Payload: result ?? null, StatusCode: 200, ExecutedVersion: '$LATEST' };
    }
    return this.waitForToken(id, fn, parameters.Payload, stateInput, timing ?? {});
  }

  private async waitForToken(id: string, fn: LocalFunction, payload: unknown, stateInput: unknown, timing: Timing): Promise<unknown> {
    const token = `local-${randomUUID()}`;
    let resolve!: (output: unknown) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // It may settle (a timer, a stop) while the function is still running: awaited below, never unhandled.
    promise.catch(() => undefined);
    let heartbeatTimer: (() => void) | undefined;
    // Durations written in the definition are scaled (tests); durations read from the state were computed from the
    // real clock (e.g. until a decision's deadline) and are not.
    const seconds = (fixed: number | undefined, path: string | undefined): number | undefined => {
      if (fixed !== undefined) return fixed > 0 ? fixed * this.scale : undefined;
      const value = path ? readPath(stateInput, path) : undefined;
      return typeof value === 'number' && value > 0 ? value : undefined;
    };
    const timeoutSeconds = seconds(timing.timeoutSeconds, timing.timeoutPath);
    const heartbeatSeconds = seconds(timing.heartbeatSeconds, timing.heartbeatPath);
    const clearTimeoutTimer = timeoutSeconds
      ? this.timer(timeoutSeconds, () => this.failWaiter(token, namedError('States.Timeout', `no answer within ${timeoutSeconds} s`)))
      : () => undefined;
    const armHeartbeat = () => {
      heartbeatTimer?.();
      if (heartbeatSeconds) heartbeatTimer = this.timer(heartbeatSeconds, () => this.failWaiter(token, namedError('States.HeartbeatTimeout', `no heartbeat within ${heartbeatSeconds} s`)));
    };
    armHeartbeat();
    this.waiters.set(token, {
      execution: id,
      resolve,
      reject,
      heartbeat: armHeartbeat,
      clear: () => {
        clearTimeoutTimer();
        heartbeatTimer?.();
      },
    });
    try {
      await this.invoke(fn, replaceDeep(payload, TOKEN_SENTINEL, token));
      return await promise;
    } finally {
      this.waiters.get(token)?.clear();
      this.waiters.delete(token);
    }
  }

  private failWaiter(token: string, error: Error): void {
    const waiter = this.waiters.get(token);
    if (!waiter) return;
    this.waiters.delete(token);
    waiter.clear();
    waiter.reject(error);
  }

  /** Invokes a local function as Lambda would report it: a thrown error becomes `{Error: name, Cause: {"errorType","errorMessage"}}`. */
  private async invoke(fn: LocalFunction, payload: unknown): Promise<unknown> {
    try {
      // JSON in, JSON out, as over the wire.
      return JSON.parse(JSON.stringify((await this.track(fn(JSON.parse(JSON.stringify(payload ?? null))))) ?? null)) as unknown;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      throw namedError(e.name || 'Error', JSON.stringify({ errorType: e.name || 'Error', errorMessage: e.message }));
    }
  }

  /** A timer of `seconds`, chained past setTimeout's ceiling; returns its cancel. */
  private timer(seconds: number, fire: () => void): () => void {
    let remaining = Math.max(1, seconds * 1000);
    let handle: NodeJS.Timeout;
    const arm = () => {
      const step = Math.min(remaining, MAX_TIMER_MS);
      handle = setTimeout(() => {
        remaining -= step;
        if (remaining > 0) arm();
        else fire();
      }, step);
    };
    arm();
    return () => clearTimeout(handle);
  }

  private take(token: string): Waiter {
    const waiter = this.waiters.get(token);
    if (!waiter) throw new TaskTokenError('the task token is unknown, already used, or its Task state timed out');
    this.waiters.delete(token);
    waiter.clear();
    return waiter;
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    this.take(token).resolve(JSON.parse(JSON.stringify(output ?? {})));
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    this.take(token).reject(namedError(error, cause));
  }

  async sendTaskHeartbeat(token: string): Promise<void> {
    const waiter = this.waiters.get(token);
    if (!waiter) throw new TaskTokenError('the task token is unknown, already used, or its Task state timed out');
    waiter.heartbeat();
  }

  /** StopExecution: the execution ends ABORTED with the error and cause, its waits are dropped, its Catch states do not run. */
  async stop(machine: MachineId, name: string, error: string, cause: string): Promise<void> {
    const id = `${machine}#${name}`;
    const running = this.running.get(id);
    if (running) {
      await this.ended(id, { status: 'ABORTED', error, cause });
      // Gone from `running` before the interpreter settles, so its settling records nothing more.
      this.running.delete(id);
      for (const [token, waiter] of [...this.waiters]) {
        if (waiter.execution !== id) continue;
        waiter.clear();
        this.waiters.delete(token);
      }
      running.abort();
      return;
    }
    // Recorded as running but not in this process (another instance, or before a resume): mark it stopped.
    const record = await this.options.store.get(LOCAL_EXECUTION_KEYS.execution(machine, name));
    if (!record || record.status !== 'RUNNING') return;
    const at = new Date().toISOString();
    const { gsi1pk: _pk, gsi1sk: _sk, ...rest } = record;
    await this.options.store.put({ ...rest, status: 'ABORTED', stopped_at: at, updated_at: at, error, cause });
  }

  async describe(machine: MachineId, name: string): Promise<ExecutionDescription | undefined> {
    const record = await this.options.store.get(LOCAL_EXECUTION_KEYS.execution(machine, name));
    if (!record) return undefined;
    return {
      status: record.status as ExecutionDescription['status'],
      ...(record.error ? { error: String(record.error) } : {}),
      ...(record.cause ? { cause: String(record.cause) } : {}),
      startedAt: String(record.started_at),
      ...(record.stopped_at ? { stoppedAt: String(record.stopped_at) } : {}),
    };
  }

  /** Executions and waits in progress (tests and benchmarks). */
  get activity(): { executions: number; waiting: number } {
    return { executions: this.running.size, waiting: this.waiters.size };
  }

  /**
   * Stops the engine without recording anything as ended: executions stay
   * recorded as running at the state they were in, to be resumed by the
   * next start. Waits for every function call in flight.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const running of this.running.values()) running.abort();
    for (const token of [...this.waiters.keys()]) this.failWaiter(token, namedError('Conclave.EngineStopped', 'the local workflow engine is stopping'));
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.then(
      () => this.inFlight.delete(promise),
      () => this.inFlight.delete(promise),
    );
    return promise;
  }
}
