import { ProtocolError, ProtocolErrorCode, type CallToolResult, type McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { BOARD } from '../contracts/roles.js';
import { ConclaveError } from '../core/errors.js';
import type { RunView } from '../core/workflows/model.js';
import { cancelRun, CANCELLED_OUTCOME } from '../core/workflows/cancel-run.js';
import { getRunStatus, listRuns } from '../core/workflows/run-views.js';
import type { Metrics } from '../ports/metrics.js';
import { invokeTool, toolError } from './invoke.js';
import type { ToolContext, ToolDefinition } from './tool.js';
import { run as runSchema } from './tools/workflow-schemas.js';

/**
 * MCP Tasks (protocol 2025-11-25) backed by the workflow engine. A tool
 * with `taskSupport` (start_workflow) called task-augmented starts its run
 * and answers at once with a task whose id IS the run id. Every task method
 * reads or changes the run itself — its record in the table and its
 * execution in Step Functions (the local ASL engine locally) — never
 * process memory, so any Lambda instance answers for any task, across
 * restarts. Tasks are the caller's: runs of its tenant that its endpoint
 * started (the board sees and cancels any run of its tenant).
 *
 * On 2026-07-28 the SDK keeps tasks/get and tasks/cancel reachable (the
 * names the Tasks extension reuses); tasks/result and tasks/list are
 * 2025-era methods. Status notifications need a stream: a stateless server
 * keeps none between requests, so clients poll tasks/get (`pollInterval`);
 * tasks/result, which waits for the end, sends the final status on its own
 * response stream before the result.
 */

/** What the server advertises (2025-11-25 `capabilities.tasks`): list, cancel, task-augmented tools/call. */
export const TASK_CAPABILITIES = { list: {}, cancel: {}, requests: { tools: { call: {} } } } as const;
/** How often clients should poll tasks/get. */
export const TASK_POLL_INTERVAL_MS = 2_000;
/** How long tasks/result waits for a run to end before answering that it is still working (inside the 30 s function timeout). */
export const RESULT_WAIT_MS = 20_000;
const RESULT_POLL_MS = 250;
const RELATED_TASK = 'io.modelcontextprotocol/related-task';

const taskId = z.string().min(1).max(100);

interface Task {
  [key: string]: unknown;
  taskId: string;
  status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttl: number | null;
  pollInterval: number;
}

/** A run as an MCP task: running → working, succeeded → completed, cancelled → cancelled, failed or timed out → failed. */
export function taskOf(view: RunView, lastUpdatedAt?: string): Task {
  const status =
    view.status === 'running' ? 'working' : view.status === 'succeeded' ? 'completed' : view.outcome === CANCELLED_OUTCOME ? 'cancelled' : 'failed';
  const message =
    view.status === 'running'
      ? `${view.workflow} running${view.current_stage ? `: ${view.current_stage}` : ''}${view.waiting_on.length ? `, waiting on ${view.waiting_on.join(', ')}` : ''}`
      : `${view.workflow} ${view.status}${view.cause ? `: ${view.cause}` : view.outcome ? `: ${view.outcome}` : ''}`;
  return {
    taskId: view.run_id,
    status,
    statusMessage: message.slice(0, 500),
    createdAt: view.started_at,
    lastUpdatedAt: lastUpdatedAt ?? view.ended_at ?? view.started_at,
    // Runs are kept: a task does not expire.
    ttl: null,
    pollInterval: TASK_POLL_INTERVAL_MS,
  };
}

const isTerminal = (task: Task) => task.status === 'completed' || task.status === 'failed' || task.status === 'cancelled';

/** The caller's run behind a task id, reconciled with the engine; "not found" for another tenant's or another endpoint's. */
async function runOf(ctx: ToolContext, id: string) {
  const view = await getRunStatus(ctx.deps, ctx.actor.tenantId, id).catch((error: unknown) => {
    throw toProtocolError(error, id, ctx);
  });
  if (view.initiator !== ctx.actor.actingAs && ctx.actor.actingAs !== BOARD) throw notFound(id);
  return { view, task: taskOf(view, view.history.at(-1)?.at) };
}

const notFound = (id: string) => new ProtocolError(ProtocolErrorCode.InvalidParams, `Task not found: ${id}`);

function toProtocolError(error: unknown, id: string, ctx: ToolContext): Error {
  if (error instanceof ProtocolError) return error;
  if (error instanceof ConclaveError && error.code === 'not_found') return notFound(id);
  if (error instanceof ConclaveError && error.code !== 'dependency_failed') return new ProtocolError(ProtocolErrorCode.InvalidParams, `${error.code}: ${error.message}`);
  ctx.deps.log.error('task request failed', { correlation_id: ctx.correlationId, task_id: id, error: String(error) });
  return new ProtocolError(ProtocolErrorCode.InternalError, `the request failed; quote correlation id ${ctx.correlationId} when reporting it`);
}

/**
 * Serves a task-augmented tools/call of a task-capable tool: the call runs
 * as any call does (strict arguments, schema, audit), and its run becomes the
 * task. A call the tool refuses is answered as a tool error, with no task.
 */
export function registerTaskCall(server: McpServer, tool: ToolDefinition, ctx: ToolContext, metrics: Metrics): void {
  server.server.setRequestHandler('tools/call', async (request) => {
    const outcome = await invokeTool(tool, ctx, metrics, request.params.arguments, (input) => tool.run(input, ctx));
    if (!outcome.ok) return outcome.error;
    const view = runSchema.parse(outcome.value) as RunView;
    // CreateTaskResult (2025-11-25). The SDK validates every tools/call result as a CallToolResult (its typed
    // surface has no task results), so the task rides with an empty `content`, which task clients ignore.
    return { content: [], task: taskOf(view), _meta: { [RELATED_TASK]: { taskId: view.run_id } } } as unknown as CallToolResult;
  });
}

/** The tools/call result a finished run's task holds: the run as it ended, or a tool error naming why it did not succeed. */
function resultOf(view: RunView, task: Task) {
  const meta = { _meta: { [RELATED_TASK]: { taskId: task.taskId } } };
  const run = runSchema.parse(view);
  if (task.status === 'completed') return { content: [{ type: 'text' as const, text: JSON.stringify(run) }], structuredContent: run, ...meta };
  const code = task.status === 'cancelled' ? 'cancelled' : view.status === 'timed_out' ? 'workflow_timed_out' : 'workflow_failed';
  return { ...toolError(code, view.cause ?? task.statusMessage ?? view.status), ...meta };
}

/** What of the SDK's request context a status notification needs. */
interface NotifySource {
  readonly mcpReq: { readonly notify: (notification: { method: string; params: Record<string, unknown> }) => Promise<void> };
}

/** `notifications/tasks/status` on the current request's stream (2025-11-25 wire; the SDK types leave task vocabulary out). A failed send never fails the request. */
async function notifyStatus(request: unknown, task: Task): Promise<void> {
  await (request as NotifySource).mcpReq.notify({ method: 'notifications/tasks/status', params: { ...task } }).catch(() => undefined);
}

/** tasks/get, tasks/result, tasks/list and tasks/cancel for the caller (see the module comment). */
export function registerTaskMethods(server: McpServer, ctx: ToolContext): void {
  const low = server.server;
  low.setRequestHandler('tasks/get', { params: z.looseObject({ taskId }) }, async ({ taskId: id }) => (await runOf(ctx, id)).task);

  low.setRequestHandler('tasks/result', { params: z.looseObject({ taskId }) }, async ({ taskId: id }, request) => {
    const deadline = Date.now() + RESULT_WAIT_MS;
    for (;;) {
      const { view, task } = await runOf(ctx, id);
      if (isTerminal(task)) {
        // The one stream a stateless server has for the task: the status goes out on it before the result.
        await notifyStatus(request, task);
        return resultOf(view, task);
      }
      if (Date.now() >= deadline) {
        throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Task ${id} is still working (${task.statusMessage}); poll tasks/get and ask for the result when it has ended`);
      }
      await new Promise((resolve) => setTimeout(resolve, RESULT_POLL_MS));
    }
  });

  low.setRequestHandler('tasks/list', { params: z.looseObject({ cursor: z.string().max(2000).optional() }) }, async ({ cursor }) => {
    try {
      const page = await listRuns(ctx.deps, { tenantId: ctx.actor.tenantId, limit: 50, ...(cursor ? { cursor } : {}) });
      const mine = page.runs.filter((r) => r.initiator === ctx.actor.actingAs || ctx.actor.actingAs === BOARD);
      return { tasks: mine.map((r) => taskOf(r)), ...(page.next_cursor ? { nextCursor: page.next_cursor } : {}) };
    } catch (error) {
      throw toProtocolError(error, cursor ?? '', ctx);
    }
  });

  low.setRequestHandler('tasks/cancel', { params: z.looseObject({ taskId }) }, async ({ taskId: id }) => {
    const { task } = await runOf(ctx, id);
    if (isTerminal(task) && task.status !== 'cancelled') {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Cannot cancel task ${id}: it has already ended (${task.status})`);
    }
    try {
      await cancelRun(ctx.deps, { correlationId: ctx.correlationId }, { tenantId: ctx.actor.tenantId, runId: id, by: ctx.actor.actingAs });
    } catch (error) {
      throw toProtocolError(error, id, ctx);
    }
    return (await runOf(ctx, id)).task;
  });
}
