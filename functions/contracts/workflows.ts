import * as z from 'zod';
import { AGENT_ROLES } from './roles.js';
import type { ConsumerId } from './rules.js';

/**
 * Workflow contracts: the state machines, their ASL files and the one ARN
 * substitution each uses, the stages `workflow_status` reports, the step
 * names Task states may call, and the inputs `start_workflow` accepts.
 * Imported by the CDK stack (lib/), the local ASL runner and the core.
 */

/** Workflows a role starts with `start_workflow` (SPEC names). */
export const WORKFLOWS = ['feature_development', 'incident_response', 'strategic_planning'] as const;
export type WorkflowName = (typeof WORKFLOWS)[number];

/** Every state machine: the startable workflows and the two that run on their own when a decision needs them. */
export const MACHINES = [...WORKFLOWS, 'escalation', 'collaborative_decision'] as const;
export type MachineId = (typeof MACHINES)[number];

export function isMachineId(value: string): value is MachineId {
  return (MACHINES as readonly string[]).includes(value);
}

/** The ASL file of a machine, in `statemachines/` at the top of the repository. */
export function aslFileName(machine: MachineId): string {
  return `${machine}.asl.json`;
}

/**
 * The only `${Substitution}` the definitions use: the ARN of the machine's
 * own step function (a Lambda function in AWS, an in-process handler locally).
 */
export const STEP_FUNCTION_SUBSTITUTION = 'StepFunctionArn';

/** The stages of each machine, in order; a stage that waits on a role is a task in that role's list. */
export const STAGES: Readonly<Record<MachineId, readonly string[]>> = {
  feature_development: ['define', 'design', 'architecture_review', 'implement', 'quality_gate', 'deploy_approval'],
  incident_response: ['triage', 'fix', 'verify', 'postmortem'],
  strategic_planning: ['proposal', 'leadership_vote', 'budget_allocation', 'department_tasks'],
  escalation: ['ruling'],
  collaborative_decision: ['voting'],
};

/** Loop counters a machine keeps in its state (`$.rounds.<name>`), all starting at 0. */
export const ROUNDS: Readonly<Record<MachineId, readonly string[]>> = {
  feature_development: ['review', 'quality'],
  incident_response: ['verify'],
  strategic_planning: [],
  escalation: [],
  collaborative_decision: [],
};

const ROLE_STAGE_STEPS = ['begin', 'open_task', 'remind', 'finish', 'record_failure', 'record_timeout'] as const;

/** The steps each machine's Task states call (`Parameters.Payload.step`), exactly; each has a core use case. */
export const STEPS = {
  feature_development: [...ROLE_STAGE_STEPS],
  incident_response: [...ROLE_STAGE_STEPS, 'notify_leadership', 'store_postmortem'],
  strategic_planning: [...ROLE_STAGE_STEPS, 'open_decision_wait', 'plan_department_tasks'],
  escalation: ['begin', 'escalation_check', 'open_ruling_task', 'remind', 'escalation_timeout', 'finish', 'record_failure'],
  collaborative_decision: ['begin', 'vote_check', 'open_vote_tasks', 'remind', 'vote_close', 'finish', 'record_failure', 'record_timeout'],
} as const satisfies Record<MachineId, readonly string[]>;
export type StepName = (typeof STEPS)[MachineId][number];

/**
 * What the bus consumers do with workflows: the machines each starts, and
 * whether it resumes waiting runs (task callbacks). The stack grants exactly
 * this, next to the ARNs it configures.
 */
export const CONSUMER_WORKFLOWS: Readonly<Partial<Record<ConsumerId, { readonly start: readonly MachineId[]; readonly resume: boolean }>>> = {
  'inbound-alert': { start: ['incident_response'], resume: false },
  'escalation-starter': { start: ['escalation'], resume: true },
  'decision-workflows': { start: ['collaborative_decision', 'escalation'], resume: true },
};

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'timed_out'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TASK_KINDS = ['approval', 'work'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export const TASK_STATUSES = ['open', 'completed', 'cancelled', 'expired'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** The outcomes `complete_task` accepts per kind: approve/reject for approvals, done/failed for work. */
export const TASK_OUTCOMES = { approval: ['approve', 'reject'], work: ['done', 'failed'] } as const satisfies Record<TaskKind, readonly string[]>;
export type TaskOutcome = (typeof TASK_OUTCOMES)[TaskKind][number];

/** Error names the machines route on (Catch) besides the States.* ones. */
export const WORKFLOW_ERRORS = {
  /** A role completed a work stage as `failed` and the stage ends the run on failure. */
  stageFailed: 'Conclave.StageFailed',
} as const;

const text = (max: number) => z.string().trim().min(1).max(max);

/** Inputs of the startable workflows (`start_workflow {workflow, input}` validates `input` with these). */
export const WORKFLOW_INPUTS = {
  feature_development: z.strictObject({
    title: text(200).describe('The feature, e.g. "Saved searches".'),
    description: text(10_000).describe('What it is for and what done looks like.'),
    requirements: z.array(text(1000)).max(50).default([]),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
  }),
  incident_response: z.strictObject({
    title: text(200),
    severity: z.number().int().min(1).max(4).describe('1 (critical: leadership is told at once) to 4 (minor).'),
    description: z.string().trim().max(10_000).default(''),
    affected_services: z.array(text(100)).max(20).default([]),
    alert_id: text(200).optional().describe('The monitoring alert that opened it, if any.'),
  }),
  strategic_planning: z.strictObject({
    initiative: text(200),
    objective: text(10_000),
    period: z.string().regex(/^\d{4}(-Q[1-4])?$/, 'a year (2026) or a quarter (2026-Q4)').optional(),
    allocations: z
      .array(
        z.strictObject({
          department: text(100),
          amount: z.number().positive().max(1e12),
          owner: z.enum(AGENT_ROLES).describe('The role that runs this department’s part of the plan.'),
          objective: z.string().trim().max(2000).optional(),
        }),
      )
      .min(1)
      .max(9),
    vote_deadline_hours: z.number().int().min(1).max(240).default(72).describe('How long the leadership vote stays open.'),
  }),
} as const satisfies Record<WorkflowName, z.ZodObject>;

export type WorkflowInput<W extends WorkflowName> = z.infer<(typeof WORKFLOW_INPUTS)[W]>;
