import { TASK_OUTCOMES, type TaskStatus } from '../../contracts/workflows.js';
import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { keys } from '../keys.js';
import { resolveRequests } from '../messages/requests.js';
import { updateRecord } from '../versioned.js';
import type { TaskView } from './model.js';
import { taskCodec, type TaskRecord } from './records.js';

/** The task record: loading, closing, and the view `my_tasks` shows. */

export async function loadTask(deps: Deps, tenantId: string, assignee: EndpointId, taskId: string): Promise<TaskRecord | undefined> {
  const item = await deps.store.get(keys.task(tenantId, assignee, taskId));
  return item && taskCodec.decode(item);
}

/**
 * Closes an open task (its run or stage no longer needs it), and resolves the
 * inbox requests that asked for it. A task already closed is left as it is.
 */
export async function closeTask(deps: Deps, tenantId: string, assignee: EndpointId, taskId: string, status: TaskStatus, from: TaskStatus = 'open'): Promise<boolean> {
  const at = new Date(deps.clock.now()).toISOString();
  const updated = await updateRecord(
    deps.store,
    keys.task(tenantId, assignee, taskId),
    taskCodec,
    (task) => (task.status !== from ? undefined : { ...task, status, updated_at: at, completed_at: task.completed_at ?? at }),
    { attempts: 5, what: `task ${taskId}` },
  ).catch(() => undefined);
  await resolveRequests(deps, tenantId, `task:${taskId}`);
  return updated?.changed ?? false;
}

export function toTaskView(task: TaskRecord): TaskView {
  return {
    task_id: task.task_id,
    assignee: task.assignee,
    kind: task.kind,
    title: task.title,
    instructions: task.instructions,
    status: task.status,
    outcome: task.outcome,
    allowed_outcomes: task.status === 'open' ? [...TASK_OUTCOMES[task.kind]] : [],
    result_schema: task.result_schema,
    routed_because: task.routed_because,
    result: task.result,
    run_id: task.run_id,
    workflow: task.workflow,
    stage: task.stage,
    decision_id: task.decision_id,
    context: task.context,
    reminders: task.reminders,
    created_at: task.created_at,
    due_at: task.due_at,
    completed_at: task.completed_at,
  };
}
