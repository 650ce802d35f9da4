import * as z from 'zod';
import { ENDPOINTS } from '../../contracts/roles.js';
import { MACHINES, RUN_STATUSES, TASK_KINDS, TASK_STATUSES } from '../../contracts/workflows.js';

/** Schemas shared by the task and workflow tools (SPEC "Workflows"). */
export const taskOutcome = z.enum(['approve', 'reject', 'done', 'failed']);

export const task = z.object({
  task_id: z.string(),
  assignee: z.enum(ENDPOINTS),
  kind: z.enum(TASK_KINDS),
  title: z.string(),
  instructions: z.string(),
  status: z.enum(TASK_STATUSES),
  outcome: taskOutcome.nullable(),
  allowed_outcomes: z.array(taskOutcome),
  result_schema: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('The result complete_task must carry for this stage (a JSON Schema object); null when any result will do.'),
  routed_because: z.string().nullable().describe('Why this task came to you: the stage names your role, or a capability your agent declared.'),
  result: z.record(z.string(), z.unknown()).nullable(),
  run_id: z.string(),
  workflow: z.enum(MACHINES),
  stage: z.string(),
  decision_id: z.string().nullable(),
  context: z.record(z.string(), z.unknown()),
  reminders: z.number().int(),
  created_at: z.string(),
  due_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});

export const run = z.object({
  run_id: z.string(),
  workflow: z.enum(MACHINES),
  title: z.string(),
  status: z.enum(RUN_STATUSES),
  initiator: z.enum(ENDPOINTS),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  cause: z.string().nullable(),
  outcome: z.string().nullable(),
  current_stage: z.string().nullable(),
  waiting_on: z.array(z.enum(ENDPOINTS)),
  decision_id: z.string().nullable(),
  subject: z.record(z.string(), z.string()).describe('What the run is about, carried from stage to stage (a feature run: release_id, feature_id).'),
});

export const runStatus = run.extend({
  waiting_for: z
    .array(
      z.object({
        role: z.enum(ENDPOINTS),
        why: z.enum(['task', 'vote', 'ruling']),
        task_id: z.string().nullable(),
        decision_id: z.string().nullable(),
        stage: z.string().nullable(),
      }),
    )
    .describe('Every role the run waits on and why: an open task, a vote not yet cast, or a ruling.'),
  stages: z.array(
    z.object({
      stage: z.string(),
      status: z.enum(['pending', 'active', 'done']),
      rounds: z.number().int(),
      assignees: z.array(z.enum(ENDPOINTS)),
      last_outcome: z.string().nullable(),
    }),
  ),
  open_tasks: z.array(z.object({ task_id: z.string(), assignee: z.enum(ENDPOINTS), title: z.string(), stage: z.string(), due_at: z.string().nullable(), reminders: z.number().int() })),
  history: z.array(
    z.object({
      at: z.string(),
      event: z.enum(['started', 'stage_opened', 'task_completed', 'reminder', 'resolved', 'ended']),
      stage: z.string().nullable(),
      actor: z.enum(ENDPOINTS).nullable(),
      detail: z.string(),
    }),
  ),
});

export const runId = z.string().min(1).max(80);
