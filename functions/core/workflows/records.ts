import type { EndpointId } from '../../contracts/roles.js';
import type { MachineId, RunStatus, TaskKind, TaskOutcome, TaskStatus } from '../../contracts/workflows.js';
import type { Item } from '../../ports/store.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';

/**
 * The stored entities of workflows — a run, a wait, a task — as typed
 * records, each with its one codec. Use cases read and write records through
 * these; nothing else in workflows touches a raw item's attributes.
 */

export interface RunRecord {
  readonly tenant_id: string;
  readonly run_id: string;
  readonly workflow: MachineId;
  readonly initiator: EndpointId;
  readonly title: string;
  /** The workflow's input as the machine reads it (`$.input`). */
  readonly input: Record<string, unknown>;
  readonly status: RunStatus;
  readonly cause: string | null;
  readonly outcome: string | null;
  readonly started_at: string;
  readonly ended_at: string | null;
  readonly correlation_id: string;
  readonly current_state: string | null;
  readonly current_stage: string | null;
  readonly current_wait_id: string | null;
  readonly waiting_on: EndpointId[];
  readonly decision_id: string | null;
  /** What the run is about, carried from stage to stage (a feature run's release and feature ids). */
  readonly subject: Record<string, string>;
  /** Strategic planning: the leadership-vote decision of each vote wait (a re-vote after an amendment is a new decision). */
  readonly vote_decisions: Record<string, string>;
  readonly started_published: boolean;
  readonly version: number;
}

export const runCodec: Codec<RunRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    run_id: field.str(i, 'run_id'),
    workflow: field.oneOf<MachineId>(i, 'workflow', 'feature_development'),
    initiator: field.oneOf<EndpointId>(i, 'initiator', 'board'),
    title: field.str(i, 'title'),
    input: field.obj(i, 'input'),
    status: field.oneOf<RunStatus>(i, 'status', 'running'),
    cause: field.strOrNull(i, 'cause'),
    outcome: field.strOrNull(i, 'outcome'),
    started_at: field.str(i, 'started_at'),
    ended_at: field.strOrNull(i, 'ended_at'),
    correlation_id: field.str(i, 'correlation_id'),
    current_state: field.strOrNull(i, 'current_state'),
    current_stage: field.strOrNull(i, 'current_stage'),
    current_wait_id: field.strOrNull(i, 'current_wait_id'),
    waiting_on: field.list<EndpointId>(i, 'waiting_on'),
    decision_id: field.strOrNull(i, 'decision_id'),
    subject: field.obj(i, 'subject') as Record<string, string>,
    vote_decisions: field.obj(i, 'vote_decisions') as Record<string, string>,
    started_published: field.bool(i, 'started_published'),
    version: field.num(i, 'version', 1),
  }),
  encode: (r) => ({
    ...keys.run(r.tenant_id, r.run_id),
    gsi1pk: keys.runs(r.tenant_id),
    gsi1sk: `${r.started_at}#${r.run_id}`,
    type: 'run',
    ...r,
  }),
};

/** How a wait resolves: the first completion (`any`), every task completed (`all`), or a decision changing (`decision`). */
export type WaitMode = 'any' | 'all' | 'decision';
/** When a decision wait is satisfied: voting closed, the awaited role ruled (or the decision moved on), or the decision closed. */
export type DecisionRule = 'vote' | 'ruling' | 'outcome';

/** How a wait was resolved: an output for the Task state, a failure its Catch routes, or closed with the run. */
export type Resolution =
  | { readonly output: Record<string, unknown> }
  | { readonly error: string; readonly cause: string }
  | { readonly closed: TaskStatus };

export interface TaskRef {
  readonly assignee: EndpointId;
  readonly task_id: string;
}

export interface WaitRecord {
  readonly tenant_id: string;
  readonly run_id: string;
  readonly workflow: MachineId;
  readonly wait_id: string;
  readonly state: string;
  readonly stage: string;
  readonly round: number;
  readonly kind: TaskKind;
  readonly mode: WaitMode;
  readonly on_negative: 'continue' | 'fail_run';
  readonly decision_id: string | null;
  readonly decision_rule: DecisionRule | null;
  readonly awaiting: EndpointId | null;
  readonly tasks: TaskRef[];
  /** An `all` wait's results so far, by assignee. */
  readonly results: Record<string, Record<string, unknown>>;
  readonly status: 'waiting' | 'resolved';
  readonly resolution: Resolution | null;
  readonly resolved_at: string | null;
  readonly token: string;
  readonly opened_at: string;
  readonly armed_at: string;
  readonly reminders: number;
  readonly reminded_at: string | null;
  readonly max_reminders: number;
  readonly heartbeat_seconds: number;
  readonly due_at: string;
  readonly version: number;
}

export const waitCodec: Codec<WaitRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    run_id: field.str(i, 'run_id'),
    workflow: field.oneOf<MachineId>(i, 'workflow', 'feature_development'),
    wait_id: field.str(i, 'wait_id'),
    state: field.str(i, 'state'),
    stage: field.str(i, 'stage'),
    round: field.num(i, 'round'),
    kind: field.oneOf<TaskKind>(i, 'kind', 'work'),
    mode: field.oneOf<WaitMode>(i, 'mode', 'any'),
    on_negative: field.oneOf<'continue' | 'fail_run'>(i, 'on_negative', 'continue'),
    decision_id: field.strOrNull(i, 'decision_id'),
    decision_rule: field.strOrNull(i, 'decision_rule') as DecisionRule | null,
    awaiting: field.strOrNull(i, 'awaiting') as EndpointId | null,
    tasks: field.list<TaskRef>(i, 'tasks'),
    results: field.obj(i, 'results') as Record<string, Record<string, unknown>>,
    status: field.oneOf<'waiting' | 'resolved'>(i, 'status', 'waiting'),
    resolution: field.objOrNull(i, 'resolution') as Resolution | null,
    resolved_at: field.strOrNull(i, 'resolved_at'),
    token: field.str(i, 'token'),
    opened_at: field.str(i, 'opened_at'),
    armed_at: field.str(i, 'armed_at'),
    reminders: field.num(i, 'reminders'),
    reminded_at: field.strOrNull(i, 'reminded_at'),
    max_reminders: field.num(i, 'max_reminders'),
    heartbeat_seconds: field.num(i, 'heartbeat_seconds', 1),
    due_at: field.str(i, 'due_at'),
    version: field.num(i, 'version', 1),
  }),
  encode: (w) => ({ ...keys.runWait(w.tenant_id, w.run_id, w.wait_id), type: 'wait', ...w }),
};

/** What completing a task does to its decision before resuming the run. */
export type TaskEffect = 'rule' | 'vote';

export interface TaskRecord {
  readonly tenant_id: string;
  readonly task_id: string;
  readonly assignee: EndpointId;
  readonly kind: TaskKind;
  readonly title: string;
  readonly instructions: string;
  readonly status: TaskStatus;
  readonly outcome: TaskOutcome | null;
  readonly result: Record<string, unknown> | null;
  readonly run_id: string;
  readonly workflow: MachineId;
  readonly stage: string;
  readonly wait_id: string;
  readonly decision_id: string | null;
  readonly effect: TaskEffect | null;
  readonly context: Record<string, unknown>;
  /** The result `complete_task` must carry for this stage (a JSON Schema object), or null when any result will do. */
  readonly result_schema: Record<string, unknown> | null;
  /** Why the task came to this assignee (the stage's role, or a capability its agent declared). */
  readonly routed_because: string | null;
  readonly reminders: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly due_at: string | null;
  readonly completed_at: string | null;
  readonly completed_by: EndpointId | null;
  readonly version: number;
}

export const taskCodec: Codec<TaskRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    task_id: field.str(i, 'task_id'),
    assignee: field.oneOf<EndpointId>(i, 'assignee', 'board'),
    kind: field.oneOf<TaskKind>(i, 'kind', 'work'),
    title: field.str(i, 'title'),
    instructions: field.str(i, 'instructions'),
    status: field.oneOf<TaskStatus>(i, 'status', 'open'),
    outcome: field.strOrNull(i, 'outcome') as TaskOutcome | null,
    result: field.objOrNull(i, 'result'),
    run_id: field.str(i, 'run_id'),
    workflow: field.oneOf<MachineId>(i, 'workflow', 'feature_development'),
    stage: field.str(i, 'stage'),
    wait_id: field.str(i, 'wait_id'),
    decision_id: field.strOrNull(i, 'decision_id'),
    effect: field.strOrNull(i, 'effect') as TaskEffect | null,
    context: field.obj(i, 'context'),
    result_schema: field.objOrNull(i, 'result_schema'),
    routed_because: field.strOrNull(i, 'routed_because'),
    reminders: field.num(i, 'reminders'),
    created_at: field.str(i, 'created_at'),
    updated_at: field.str(i, 'updated_at'),
    due_at: field.strOrNull(i, 'due_at'),
    completed_at: field.strOrNull(i, 'completed_at'),
    completed_by: field.strOrNull(i, 'completed_by') as EndpointId | null,
    version: field.num(i, 'version', 1),
  }),
  encode: (t) => ({ ...keys.task(t.tenant_id, t.assignee, t.task_id), type: 'task', ...t }),
};

export function decodeItems<T>(codec: Codec<T>, items: readonly Item[]): T[] {
  return items.map((i) => codec.decode(i));
}

/** A run's wait registered under the decision it waits on (so the decision's closing finds the runs to resume). */
export interface DecisionWaiterRecord {
  readonly run_id: string;
  readonly wait_id: string;
}

export function decisionWaiterCodec(tenantId: string, decisionId: string): Codec<DecisionWaiterRecord> {
  return {
    decode: (i) => ({ run_id: field.reqStr(i, 'run_id'), wait_id: field.reqStr(i, 'wait_id') }),
    encode: (w) => ({ ...keys.decisionWaiter(tenantId, decisionId, w.run_id, w.wait_id), type: 'decision_waiter', ...w }),
  };
}
