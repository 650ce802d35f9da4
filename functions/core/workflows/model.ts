import * as z from 'zod';
import { ENDPOINTS, type EndpointId } from '../../contracts/roles.js';
import { MACHINES, type MachineId, type RunStatus, type TaskKind, type TaskOutcome, type TaskStatus } from '../../contracts/workflows.js';

/** The engine's refusal of a task token (defined with the ports: the workflow adapters raise it). */
export { TaskTokenError } from '../../ports/errors.js';

/** Who a run is, carried in every execution's state (`$.run`) and every step payload. */
export const runRef = z.object({
  run_id: z.string().min(1).max(80),
  tenant_id: z.string().min(1).max(63),
  workflow: z.enum(MACHINES),
  initiator: z.enum(ENDPOINTS),
  correlation_id: z.string().min(1).max(128),
});
export type RunRef = z.infer<typeof runRef>;

/** The stages and waits a run went through, as `workflow_status` shows them. */
export interface StageView {
  readonly stage: string;
  readonly status: 'pending' | 'active' | 'done';
  /** How many times the stage was opened (a rejected review sends the run back to design: two rounds). */
  readonly rounds: number;
  readonly assignees: EndpointId[];
  /** The last resolution of the stage (e.g. `approve`, `done`, `failed`, or a decision's status). */
  readonly last_outcome: string | null;
}

export interface HistoryEntry {
  readonly at: string;
  readonly event: 'started' | 'stage_opened' | 'task_completed' | 'reminder' | 'resolved' | 'ended';
  readonly stage: string | null;
  readonly actor: EndpointId | null;
  readonly detail: string;
}

export interface TaskView {
  readonly task_id: string;
  readonly assignee: EndpointId;
  readonly kind: TaskKind;
  readonly title: string;
  readonly instructions: string;
  readonly status: TaskStatus;
  readonly outcome: TaskOutcome | null;
  readonly allowed_outcomes: TaskOutcome[];
  /** The result `complete_task` must carry for this stage (a JSON Schema object); null when any result will do. */
  readonly result_schema: Record<string, unknown> | null;
  /** Why this task came to the assignee: the stage's role, or a capability its agent declared. */
  readonly routed_because: string | null;
  readonly result: Record<string, unknown> | null;
  readonly run_id: string;
  readonly workflow: MachineId;
  readonly stage: string;
  readonly decision_id: string | null;
  /** What earlier stages produced, for the assignee to work from. */
  readonly context: Record<string, unknown>;
  readonly reminders: number;
  readonly created_at: string;
  readonly due_at: string | null;
  readonly completed_at: string | null;
}

export interface RunView {
  readonly run_id: string;
  readonly workflow: MachineId;
  readonly title: string;
  readonly status: RunStatus;
  readonly initiator: EndpointId;
  readonly started_at: string;
  readonly ended_at: string | null;
  /** Why a failed or timed-out run ended. */
  readonly cause: string | null;
  readonly outcome: string | null;
  readonly current_stage: string | null;
  /** Who the run is waiting on now (empty when it is not waiting on a role). */
  readonly waiting_on: EndpointId[];
  /** A decision the run is about (escalation, collaborative decision) or waits on (strategic planning), if any. */
  readonly decision_id: string | null;
  /** What the run is about, carried from stage to stage (e.g. a feature run's `release_id` and `feature_id`). */
  readonly subject: Record<string, string>;
}

/** One role a run waits on, and why: an open task, a vote not yet cast, or a ruling. */
export interface WaitingFor {
  readonly role: EndpointId;
  readonly why: 'task' | 'vote' | 'ruling';
  readonly task_id: string | null;
  readonly decision_id: string | null;
  readonly stage: string | null;
}

export interface RunStatusView extends RunView {
  /** Every role the run waits on, each with why (open tasks, pending voters, the awaited ruler). */
  readonly waiting_for: WaitingFor[];
  readonly stages: StageView[];
  readonly open_tasks: { task_id: string; assignee: EndpointId; title: string; stage: string; due_at: string | null; reminders: number }[];
  readonly history: HistoryEntry[];
}
