import type { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, TaskStatusNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey, legacyClient, modernClient } from '../helpers/conclave.js';
import { Roles, startWorkflowConclave, type WorkflowConclave } from '../helpers/workflows.js';

const INCIDENT = { title: 'Search is slow', severity: 3 };

/** Starts incident_response as an MCP task through the SDK client's own task API; returns the task it created. */
async function startAsTask(client: LegacyClient) {
  const stream = client.experimental.tasks.callToolStream(
    { name: 'start_workflow', arguments: { workflow: 'incident_response', input: INCIDENT } },
    CallToolResultSchema,
    { task: { ttl: 600_000 } },
  );
  const first = await stream.next();
  // The client would poll until the run ends (days, for a real run): the task is followed with tasks/get instead.
  await stream.return(undefined);
  const message = first.value as { type: string; task: { taskId: string; status: string; pollInterval?: number }; error?: Error };
  expect(message.type, String(message.error)).toBe('taskCreated');
  return message.task;
}

/**
 * MCP Tasks backed by the workflow engine, with the SDK v1 client's task API
 * (`client.experimental.tasks`, protocol 2025-11-25): a task-augmented
 * start_workflow returns a task whose id is the run; tasks/get follows it
 * across a restart of the server (the state is the run in the table and the
 * engine, not memory); tasks/result returns the run as it ended; tasks/cancel
 * stops it through the run's failure path.
 */
describe('MCP Tasks backed by the workflow engine', () => {
  let dir: string;
  let conclave: WorkflowConclave | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conclave-tasks-'));
  });
  afterAll(async () => {
    await conclave?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a task, follows it across a restart and returns the outcome when the run ends', { timeout: 60_000 }, async () => {
    conclave = await startWorkflowConclave({ dataDir: dir });
    const key = await issueKey(conclave, 'tasks-co', ['all'], true);
    let client = await legacyClient(conclave, 'operations_head', key);
    expect(client.getServerCapabilities()?.tasks).toMatchObject({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'start_workflow')?.execution).toEqual({ taskSupport: 'optional' });

    const created = await startAsTask(client);
    expect(created).toMatchObject({ status: 'working', pollInterval: 2000 });
    const taskId = created.taskId;
    let roles = new Roles(conclave, key);
    // The task id is the run id.
    expect(await roles.ok('operations_head', 'workflow_status', { run_id: taskId })).toMatchObject({ run_id: taskId, workflow: 'incident_response', status: 'running' });
    expect(await client.experimental.tasks.getTask(taskId)).toMatchObject({ taskId, status: 'working', ttl: null });
    await roles.complete('operations_head', taskId, 'done', { impact: 'search p95 at 4 s', mitigation: 'scale out' });
    await client.close();
    await roles.close();
    await conclave.close();

    // A new server process on the same data: nothing of the task was in memory.
    conclave = await startWorkflowConclave({ dataDir: dir });
    client = await legacyClient(conclave, 'operations_head', key);
    const followed = await client.experimental.tasks.getTask(taskId);
    expect(followed).toMatchObject({ taskId, status: 'working' });
    expect(followed.statusMessage).toContain('fix');
    expect((await client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toContain(taskId);
    roles = new Roles(conclave, key);
    await roles.complete('senior_developer', taskId, 'done', { root_cause: 'missing index', fix: 'add the index' });
    await roles.complete('test_lead', taskId, 'done', { report: 'p95 at 300 ms' });
    await roles.complete('operations_head', taskId, 'done', { summary: 'a missing index', actions: ['index review'] });
    await expect.poll(async () => (await client.experimental.tasks.getTask(taskId)).status, { timeout: 15_000 }).toBe('completed');
    const statuses: { taskId: string; status: string }[] = [];
    client.setNotificationHandler(TaskStatusNotificationSchema, (n) => void statuses.push(n.params));
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    // The final status arrived on tasks/result's stream, before its result.
    expect(statuses).toEqual([expect.objectContaining({ taskId, status: 'completed' })]);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ run_id: taskId, workflow: 'incident_response', status: 'succeeded' });
    expect(result._meta?.['io.modelcontextprotocol/related-task']).toEqual({ taskId });
    await expect(client.experimental.tasks.cancelTask(taskId)).rejects.toThrow(/already ended/);
    await client.close();
    await roles.close();
  });

  it('cancels a task: the execution is stopped and the run takes its failure path', { timeout: 60_000 }, async () => {
    conclave ??= await startWorkflowConclave({ dataDir: dir });
    const key = await issueKey(conclave, 'tasks-co', ['all'], true);
    const client = await legacyClient(conclave, 'operations_head', key);
    const roles = new Roles(conclave, key);
    const { taskId } = await startAsTask(client);
    const triage = await roles.task('operations_head', taskId);

    const cancelled = await client.experimental.tasks.cancelTask(taskId);
    expect(cancelled).toMatchObject({ taskId, status: 'cancelled' });
    expect((await client.experimental.tasks.getTask(taskId)).status).toBe('cancelled');
    // The failure path: the run failed with the cause, its open task is closed, the initiator is told.
    const status = await roles.ok<{ status: string; outcome: string; cause: string; open_tasks: unknown[] }>('operations_head', 'workflow_status', { run_id: taskId });
    expect(status).toMatchObject({ status: 'failed', outcome: 'cancelled', cause: 'cancelled by operations_head', open_tasks: [] });
    const { tasks } = await roles.ok<{ tasks: { task_id: string; status: string }[] }>('operations_head', 'my_tasks', { status: 'all' });
    expect(tasks.find((t) => t.task_id === triage.task_id)?.status).toBe('cancelled');
    const inbox = await roles.ok<{ threads: { messages: { subject: string }[] }[] }>('operations_head', 'read_inbox', { limit: 50 });
    expect(inbox.threads.flatMap((t) => t.messages).some((m) => m.subject.startsWith('Workflow failed: incident_response'))).toBe(true);
    // StopExecution: the engine's execution is stopped, not left waiting.
    expect(await conclave.deps.workflows.describe('incident_response', taskId)).toMatchObject({ status: 'ABORTED', error: 'Conclave.Cancelled' });
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: { code: 'cancelled' } });
    await client.close();
    await roles.close();
  });

  it("keeps tasks to their tenant and endpoint, and leaves clients that do not use tasks as they were", { timeout: 30_000 }, async () => {
    conclave ??= await startWorkflowConclave({ dataDir: dir });
    const key = await issueKey(conclave, 'tasks-co', ['all'], true);
    const client = await legacyClient(conclave, 'operations_head', key);
    const { taskId } = await startAsTask(client);
    const otherTenant = await legacyClient(conclave, 'operations_head', await issueKey(conclave, 'tasks-other', ['all'], true));
    await expect(otherTenant.experimental.tasks.getTask(taskId)).rejects.toThrow(/Task not found/);
    await expect(otherTenant.experimental.tasks.cancelTask(taskId)).rejects.toThrow(/Task not found/);
    expect((await otherTenant.experimental.tasks.listTasks()).tasks).toEqual([]);
    const otherRole = await legacyClient(conclave, 'cto', key);
    await expect(otherRole.experimental.tasks.getTask(taskId)).rejects.toThrow(/Task not found/);
    // A plain call (v1 and v2 clients) still answers with the run at once.
    const plain = await client.callTool({ name: 'start_workflow', arguments: { workflow: 'incident_response', input: INCIDENT } });
    expect(plain.structuredContent).toMatchObject({ workflow: 'incident_response', status: 'running' });
    const modern = await modernClient(conclave, 'operations_head', key);
    const modernPlain = await modern.callTool({ name: 'start_workflow', arguments: { workflow: 'incident_response', input: INCIDENT } });
    expect(modernPlain.structuredContent).toMatchObject({ workflow: 'incident_response', status: 'running' });
    // A task-augmented call the tool refuses creates no task: it is a tool error.
    const refused = client.experimental.tasks.callToolStream({ name: 'start_workflow', arguments: { workflow: 'incident_response', input: { title: 'x', severity: 9 } } }, CallToolResultSchema, { task: {} });
    const first = (await refused.next()).value as { type: string };
    expect(first.type).toBe('error');
    for (const c of [client, otherTenant, otherRole, modern]) await c.close();
  });
});
