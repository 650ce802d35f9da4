import { expect } from 'vitest';
import type { EndpointId } from '../../functions/contracts/roles.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import type { LocalWorkflowOptions } from '../../functions/runtime/local-workflows.js';
import { eventually, memoryLog, RoleClients } from './conclave.js';
import type { Workflows } from '../../functions/ports/workflows.js';

/** A Workflows port for Deps built by hand in tests that never start or resume a run: any use fails loudly. */
export const unusedWorkflows: Workflows = {
  start: async () => {
    throw new Error('this test does not expect a workflow to start');
  },
  sendTaskSuccess: async () => {
    throw new Error('this test does not expect a task callback');
  },
  sendTaskFailure: async () => {
    throw new Error('this test does not expect a task callback');
  },
  sendTaskHeartbeat: async () => {
    throw new Error('this test does not expect a task callback');
  },
  stop: async () => {
    throw new Error('this test does not expect a workflow to stop');
  },
  describe: async () => undefined,
};


export type WorkflowConclave = LocalConclave & { log: ReturnType<typeof memoryLog> };

/** The real local server with workflow options (shortened waits, a failing step) and, optionally, a data dir. */
export async function startWorkflowConclave(options: { workflows?: LocalWorkflowOptions; dataDir?: string } = {}): Promise<WorkflowConclave> {
  const log = memoryLog();
  const conclave = await startLocal({
    port: 0,
    allowedOrigins: [],
    staleAfterMs: 300_000,
    log,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.workflows ? { workflows: options.workflows } : {}),
  });
  return Object.assign(conclave, { log });
}

export interface TaskView {
  task_id: string;
  assignee: string;
  kind: string;
  title: string;
  status: string;
  outcome: string | null;
  run_id: string;
  workflow: string;
  stage: string;
  decision_id: string | null;
  reminders: number;
  context: Record<string, unknown>;
  allowed_outcomes: string[];
  result_schema: Record<string, unknown> | null;
  routed_because: string | null;
}

/** MCP clients acting as each role of one tenant, with the task calls the workflow tests make. */
export class Roles extends RoleClients {
  /** Waits until `role` has an open task matching `match` (a run id, or a predicate). */
  async task(role: EndpointId, match: string | ((t: TaskView) => boolean), timeoutMs = 10_000): Promise<TaskView> {
    const pred = typeof match === 'string' ? (t: TaskView) => t.run_id === match : match;
    let found: TaskView | undefined;
    await eventually(async () => {
      const { tasks } = await this.ok<{ tasks: TaskView[] }>(role, 'my_tasks');
      found = tasks.find(pred);
      expect(found, `an open task for ${role}`).toBeDefined();
    }, timeoutMs);
    return found as TaskView;
  }

  /** Waits for `role`'s task of `runId` and completes it. */
  async complete(role: EndpointId, runId: string, outcome: string, result: Record<string, unknown> = {}): Promise<{ task: TaskView; resumed: boolean; note: string }> {
    const task = await this.task(role, runId);
    return this.ok(role, 'complete_task', { task_id: task.task_id, outcome, result });
  }
}
