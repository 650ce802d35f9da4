import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { STEPS, TASK_KINDS, WORKFLOW_INPUTS, type MachineId, type StepName, type WorkflowInput } from '../../contracts/workflows.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import {
  decisionOutcome,
  escalationCheck,
  escalationTimeout,
  openLeadershipVote,
  openRulingTask,
  openVoteTasks,
  voteCheck,
  voteClose,
} from './decision-runs.js';
import { runRef, type RunRef } from './model.js';
import { openRunIncident, resolveRunIncident } from '../operations/incidents.js';
import { beginRun, finishRun, loadRun } from './runs.js';
import { notifyLeadership, planDepartmentTasks, storePostmortem } from './stage-steps.js';
import { routeByCapability } from './routing.js';
import { stageRule } from './stage-rules.js';
import { openWait, remindWait, timeoutCause } from './tasks.js';

/**
 * The step use cases: what each Task state of the machines calls, keyed by
 * `Parameters.Payload.step`. The Lambda step handlers (functions/handlers/
 * steps) and the local ASL runner dispatch through `runStep`, so both run
 * exactly this code. Every step is idempotent per run and state (Step
 * Functions retries it, and a resumed local run may run it again).
 */

const endpoint = z.enum(ENDPOINTS);
const seconds = z.number().int().min(1);
const token = z.string().min(1).max(2048);
const loose = <T extends z.ZodObject>(schema: T) => z.looseObject(schema.shape);

const schemas = {
  begin: z.object({}),
  open_task: z.object({
    task_token: token,
    state: z.string().min(1),
    stage: z.string().min(1),
    round: z.number().int().min(0).default(0),
    kind: z.enum(TASK_KINDS),
    title: z.string().min(1).max(200),
    instructions: z.string().max(4000).default(''),
    assignees: z.array(endpoint).optional(),
    assignments: z.array(z.object({ assignee: endpoint, title: z.string().max(200).optional(), instructions: z.string().max(4000).optional() })).optional(),
    mode: z.enum(['any', 'all']).default('any'),
    on_negative: z.enum(['continue', 'fail_run']).optional(),
    heartbeat_seconds: seconds,
    max_reminders: z.number().int().min(0).max(50),
    context: z.record(z.string(), z.unknown()).default({}),
  }),
  remind: z.object({}),
  finish: z.object({ outcome: z.string().max(500).optional(), decision_id: z.string().min(1).optional() }),
  record_failure: z.object({ error: z.object({ Error: z.string(), Cause: z.unknown().optional() }) }),
  record_timeout: z.object({}),
  notify_leadership: z.object({ input: loose(WORKFLOW_INPUTS.incident_response) }),
  store_postmortem: z.object({ input: loose(WORKFLOW_INPUTS.incident_response), results: z.record(z.string(), z.unknown()) }),
  open_decision_wait: z.object({
    task_token: token,
    state: z.string().min(1),
    round: z.number().int().min(0).default(0),
    heartbeat_seconds: seconds,
    max_reminders: z.number().int().min(0).max(50),
    input: loose(WORKFLOW_INPUTS.strategic_planning),
    amendment: z.unknown().optional(),
  }),
  plan_department_tasks: z.object({ input: loose(WORKFLOW_INPUTS.strategic_planning) }),
  escalation_check: z.object({ decision_id: z.string().min(1), awaiting: endpoint }),
  open_ruling_task: z.object({
    task_token: token,
    state: z.string().min(1),
    decision_id: z.string().min(1),
    awaiting: endpoint,
    reason: z.string().default('escalated'),
    heartbeat_seconds: seconds,
    max_reminders: z.number().int().min(0).max(50),
  }),
  escalation_timeout: z.object({ decision_id: z.string().min(1), awaiting: endpoint }),
  vote_check: z.object({ decision_id: z.string().min(1), reminder_seconds: seconds }),
  open_vote_tasks: z.object({
    task_token: token,
    state: z.string().min(1),
    decision_id: z.string().min(1),
    heartbeat_seconds: seconds,
    max_reminders: z.number().int().min(0).max(50),
  }),
  vote_close: z.object({ decision_id: z.string().min(1) }),
} satisfies Record<StepName, z.ZodObject>;

type Payload<S extends StepName> = z.infer<(typeof schemas)[S]>;
type StepUseCase<S extends StepName> = (deps: Deps, run: RunRef, payload: Payload<S>) => Promise<Record<string, unknown>>;

/** The cause text of a caught error: Lambda's `{"errorType","errorMessage"}` JSON cause is unwrapped. */
export function causeOf(error: { Error: string; Cause?: unknown }): string {
  let message = typeof error.Cause === 'string' ? error.Cause : error.Cause === undefined ? '' : JSON.stringify(error.Cause);
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  return `${error.Error}${message ? `: ${message}` : ''}`.slice(0, 2000);
}

const USE_CASES: { [S in StepName]: StepUseCase<S> } = {
  begin: async (deps, ref) => {
    const begun = await beginRun(deps, ref);
    if (ref.workflow === 'incident_response') await openIncidentOfRun(deps, ref);
    return begun;
  },
  open_task: async (deps, ref, p) => {
    const defaults = p.assignments ?? (p.assignees ?? []).map((assignee) => ({ assignee }));
    if (defaults.length === 0) throw new ValidationError(`state ${p.state} opens a task with no assignee`);
    const rule = stageRule(ref.workflow, p.stage);
    const assignments = await routeByCapability(deps, ref.tenant_id, p.stage, rule?.capability, defaults);
    return {
      ...(await openWait(deps, {
        ref,
        token: p.task_token,
        state: p.state,
        stage: p.stage,
        round: p.round,
        kind: p.kind,
        title: p.title,
        instructions: p.instructions,
        assignments,
        mode: p.mode,
        onNegative: p.on_negative ?? (p.kind === 'work' ? 'fail_run' : 'continue'),
        heartbeatSeconds: p.heartbeat_seconds,
        maxReminders: p.max_reminders,
        context: p.context,
        resultSchema: rule?.resultSchema ?? null,
      })),
    };
  },
  remind: async (deps, ref) => remindWait(deps, ref),
  finish: async (deps, ref, p) => {
    const outcome = p.decision_id ? await decisionOutcome(deps, ref, p.decision_id) : (p.outcome ?? 'completed');
    await finishRun(deps, { correlationId: ref.correlation_id }, ref, { status: 'succeeded', outcome });
    return { outcome };
  },
  record_failure: async (deps, ref, p) => {
    const cause = causeOf(p.error);
    await finishRun(deps, { correlationId: ref.correlation_id }, ref, { status: 'failed', cause });
    return { cause };
  },
  record_timeout: async (deps, ref) => {
    const cause = await timeoutCause(deps, ref);
    await finishRun(deps, { correlationId: ref.correlation_id }, ref, { status: 'timed_out', cause });
    return { cause };
  },
  notify_leadership: async (deps, ref, p) => notifyLeadership(deps, ref, p.input as never),
  store_postmortem: async (deps, ref, p) => {
    const stored = await storePostmortem(deps, ref, p.input as never, p.results);
    await resolveRunIncident(deps, { tenantId: ref.tenant_id, runId: ref.run_id, resolvedBy: 'operations_head', resolution: `postmortem stored as memory ${stored.key}` });
    return stored;
  },
  open_decision_wait: async (deps, ref, p) => ({
    ...(await openLeadershipVote(deps, ref, {
      token: p.task_token,
      state: p.state,
      round: p.round,
      heartbeatSeconds: p.heartbeat_seconds,
      maxReminders: p.max_reminders,
      deadlineHours: (p.input as unknown as WorkflowInput<'strategic_planning'>).vote_deadline_hours,
      proposal: p.input as unknown as WorkflowInput<'strategic_planning'>,
      ...(p.amendment !== undefined ? { amendment: p.amendment } : {}),
    })),
  }),
  plan_department_tasks: async (_deps, _ref, p) => ({ ...planDepartmentTasks(p.input as never) }),
  escalation_check: async (deps, ref, p) => escalationCheck(deps, ref, { decisionId: p.decision_id, awaiting: p.awaiting }),
  open_ruling_task: async (deps, ref, p) => ({
    ...(await openRulingTask(deps, ref, {
      token: p.task_token,
      state: p.state,
      decisionId: p.decision_id,
      awaiting: p.awaiting,
      reason: p.reason,
      heartbeatSeconds: p.heartbeat_seconds,
      maxReminders: p.max_reminders,
    })),
  }),
  escalation_timeout: async (deps, ref, p) => escalationTimeout(deps, ref, { decisionId: p.decision_id, awaiting: p.awaiting }),
  vote_check: async (deps, ref, p) => voteCheck(deps, ref, { decisionId: p.decision_id, reminderSeconds: p.reminder_seconds }),
  open_vote_tasks: async (deps, ref, p) => ({
    ...(await openVoteTasks(deps, ref, {
      token: p.task_token,
      state: p.state,
      decisionId: p.decision_id,
      heartbeatSeconds: p.heartbeat_seconds,
      maxReminders: p.max_reminders,
    })),
  }),
  vote_close: async (deps, ref, p) => voteClose(deps, ref, p.decision_id),
};

const envelope = z.looseObject({ step: z.string().min(1), run: runRef });

/**
 * Runs one step of `machine` with the payload its Task state built. A
 * payload that does not match (a broken definition) is a ValidationError:
 * the machines do not retry it, their Catch records the run as failed.
 */
export async function runStep(deps: Deps, machine: MachineId, payload: unknown): Promise<Record<string, unknown>> {
  const head = envelope.safeParse(payload);
  if (!head.success) throw new ValidationError(`invalid step payload for ${machine}: ${head.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`);
  const step = head.data.step as StepName;
  if (!(STEPS[machine] as readonly string[]).includes(step)) throw new ValidationError(`${machine} has no step "${head.data.step}"`);
  if (head.data.run.workflow !== machine) throw new ValidationError(`step payload of a ${head.data.run.workflow} run sent to the ${machine} step function`);
  const { step: _step, run: _run, ...rest } = head.data;
  const parsed = schemas[step].safeParse(rest);
  if (!parsed.success) throw new ValidationError(`invalid payload for step ${step}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`);
  return (USE_CASES[step] as StepUseCase<StepName>)(deps, head.data.run, parsed.data as never);
}

/** Every step with a use case (tests check the machines' Task states against this). */
export const STEP_USE_CASE_NAMES: readonly StepName[] = Object.keys(USE_CASES) as StepName[];

/** Opens the INCIDENT record of an incident-response run from the run's own input. */
async function openIncidentOfRun(deps: Deps, ref: RunRef): Promise<void> {
  // The run's input was validated against the workflow's input schema when the run started.
  const input = (await loadRun(deps, ref.tenant_id, ref.run_id)).input as unknown as WorkflowInput<'incident_response'>;
  await openRunIncident(deps, {
    tenantId: ref.tenant_id,
    runId: ref.run_id,
    declaredBy: 'operations_head',
    title: input.title,
    severity: input.severity,
    description: input.description ?? '',
    affectedServices: input.affected_services ?? [],
  });
}
