/**
 * Workflow end-to-end time: one feature development run — define, design,
 * architecture review, implement, quality gate, deploy approval — driven by
 * instant agents on the real local server (`startLocal`): the same ASL file
 * run by the local engine, its steps writing to in-memory dynalite and
 * publishing on the local bus.
 *
 * An agent reacts the moment its task exists: the driver watches the bus
 * (a tap) for the run's Task.Created.v1 and completes that task at once.
 * Two drivers:
 *
 * - mcp: every role is a real MCP client (SDK v2) over loopback HTTP —
 *   start_workflow, then complete_task per stage — what a deployment's
 *   clients would see, minus the network;
 * - core: the same use cases called in process, isolating the engine and
 *   the workflow core from HTTP, authentication and auditing.
 *
 * Per run: the total, from the start call to Workflow.Completed.v1; and per
 * stage the framework overhead, from the agent's complete_task call to the
 * next stage's task existing (resuming the execution, its Choice and Pass
 * states, invoking the next step, writing the wait, the task, the run and
 * the events) — for the first stage from the start call, for the last until
 * the run is recorded as succeeded.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { loadavg } from 'node:os';
import type { BusEvent } from '../functions/contracts/events.js';
import { AGENT_ROLES, type EndpointId } from '../functions/contracts/roles.js';
import { createApiKey } from '../functions/core/auth/api-keys.js';
import { startWorkflow } from '../functions/core/workflows/runs.js';
import { completeTask } from '../functions/core/workflows/tasks.js';
import { startLocal, type LocalConclave } from '../functions/runtime/local.js';
import { countingLog, environment, quantile, round, table, target, verdict, type TargetResult } from './support.js';

const TENANT = 'bench';
const WARMUP_RUNS = 3;
const RUNS = 20;
/** Six stages end to end, through MCP, must take less than this (ms, median). */
const RUN_P50_LIMIT_MS = 2000;
/** A run not finished by then counts as an error. */
const RUN_TIMEOUT_MS = 15_000;
const FEATURE = { title: 'Saved searches', description: 'Users save a search and get told about new matches.' };

/** Who completes each stage, in order, with which outcome (the happy path). */
const STAGES: readonly { stage: string; role: EndpointId; outcome: string; result?: Record<string, unknown> }[] = [
  // The run's release (the gate and the deployment approval are governed: they check it).
  { stage: 'define', role: 'product_manager', outcome: 'done', result: { release_id: 'bench-1.0.0' } },
  { stage: 'design', role: 'senior_architect', outcome: 'done' },
  { stage: 'architecture_review', role: 'cto', outcome: 'approve' },
  { stage: 'implement', role: 'senior_developer', outcome: 'done' },
  { stage: 'quality_gate', role: 'test_lead', outcome: 'done', result: { tests_total: 200, tests_passed: 200, coverage_pct: 90 } },
  { stage: 'deploy_approval', role: 'cto', outcome: 'approve' },
];

interface RunSample {
  readonly totalMs: number;
  /** Per stage: the framework's part (see the header). */
  readonly overheadMs: number[];
  readonly error?: string;
}

/** Starts a run and completes one task; both drivers implement it. */
interface Driver {
  start(): Promise<string>;
  complete(role: EndpointId, taskId: string, outcome: string, result?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** Resolves with events of one run as they arrive on the bus. */
class RunEvents {
  private readonly waiting = new Map<string, (event: BusEvent) => void>();
  private readonly seen = new Map<string, BusEvent>();
  private readonly stop: () => void;

  constructor(conclave: LocalConclave) {
    this.stop = conclave.bus.tap((event) => {
      const detail = event.detail as { run_id?: string; assignee?: string };
      const key = `${detail.run_id}|${event['detail-type']}|${detail.assignee ?? ''}`;
      this.seen.set(key, event);
      this.waiting.get(key)?.(event);
    });
  }

  /** The first event of `runId` with this detail-type (and assignee), with when it arrived. */
  next(runId: string, detailType: string, assignee = ''): Promise<{ event: BusEvent; at: number }> {
    const key = `${runId}|${detailType}|${assignee}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${detailType} ${assignee} for run ${runId} within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
      const done = (event: BusEvent) => {
        clearTimeout(timer);
        this.waiting.delete(key);
        this.seen.delete(key);
        resolve({ event, at: performance.now() });
      };
      const already = this.seen.get(key);
      if (already) done(already);
      else this.waiting.set(key, done);
    });
  }

  close(): void {
    this.stop();
  }
}

async function oneRun(driver: Driver, events: RunEvents): Promise<RunSample> {
  const started = performance.now();
  const overheadMs: number[] = [];
  try {
    const runId = await driver.start();
    let from = started;
    for (const stage of STAGES) {
      // Stages run in order, so the role's next Task.Created of this run is this stage's.
      const created = await events.next(runId, 'Task.Created.v1', stage.role);
      overheadMs.push(created.at - from);
      const taskId = String((created.event.detail as { task_id: string }).task_id);
      from = performance.now();
      await driver.complete(stage.role, taskId, stage.outcome, stage.result);
      if (stage.stage === 'deploy_approval') await events.next(runId, 'Task.Created.v1', 'operations_head').catch(() => undefined);
    }
    const completed = await events.next(runId, 'Workflow.Completed.v1');
    overheadMs.push(completed.at - from);
    const status = (completed.event.detail as { status: string }).status;
    const totalMs = completed.at - started;
    return status === 'succeeded' ? { totalMs, overheadMs } : { totalMs, overheadMs, error: `run ended ${status}` };
  } catch (error) {
    return { totalMs: performance.now() - started, overheadMs, error: String(error) };
  }
}

function coreDriver(conclave: LocalConclave): Driver {
  return {
    start: async () => (await startWorkflow(conclave.deps, { correlationId: 'bench-workflow' }, { tenantId: TENANT, initiator: 'product_manager', workflow: 'feature_development', input: FEATURE })).run_id,
    complete: async (role, taskId, outcome, result) => {
      await completeTask(conclave.deps, { correlationId: 'bench-workflow' }, { tenantId: TENANT, actor: role, taskId, outcome: outcome as never, result: { note: 'instant agent', ...result } });
    },
    close: async () => undefined,
  };
}

async function mcpDriver(conclave: LocalConclave): Promise<Driver> {
  const { key } = await createApiKey(conclave.deps, { tenantId: TENANT, roles: [...AGENT_ROLES], human: false, label: 'bench workflow' });
  const clients = new Map<EndpointId, Client>();
  const client = async (role: EndpointId): Promise<Client> => {
    let c = clients.get(role);
    if (!c) {
      c = new Client({ name: 'conclave-bench-workflow', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
      await c.connect(new StreamableHTTPClientTransport(new URL(`${conclave.url}/mcp/${role}`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
      clients.set(role, c);
    }
    return c;
  };
  const call = async (role: EndpointId, name: string, args: Record<string, unknown>) => {
    const result = await (await client(role)).callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name} as ${role} failed: ${JSON.stringify(result.content)}`);
    return result.structuredContent as Record<string, unknown>;
  };
  // Connect every role first: the connection handshake is not part of a run.
  for (const s of STAGES) await client(s.role);
  return {
    start: async () => String((await call('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE })).run_id),
    complete: async (role, taskId, outcome, result) => {
      await call(role, 'complete_task', { task_id: taskId, outcome, result: { note: 'instant agent', ...result } });
    },
    close: async () => {
      for (const c of clients.values()) await c.close();
    },
  };
}

interface PhaseFigures {
  readonly runs: number;
  readonly errors: number;
  readonly errorExamples: string[];
  readonly totalP50Ms: number;
  readonly totalP95Ms: number;
  readonly totalMaxMs: number;
  /** Median framework overhead per stage boundary: start→define, define→design, …, deploy→succeeded. */
  readonly overheadP50MsByStage: Record<string, number>;
  /** Median of the per-stage overheads of each run, averaged over the six stages. */
  readonly overheadPerStageP50Ms: number;
}

async function phase(driver: Driver, events: RunEvents): Promise<PhaseFigures> {
  for (let i = 0; i < WARMUP_RUNS; i++) await oneRun(driver, events);
  const samples: RunSample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await oneRun(driver, events));
  const ok = samples.filter((s) => !s.error);
  const labels = [...STAGES.map((s) => s.stage), 'succeeded'];
  const byStage: Record<string, number> = {};
  labels.forEach((label, i) => (byStage[label] = round(quantile(ok.map((s) => s.overheadMs[i] ?? Number.NaN), 0.5))));
  return {
    runs: samples.length,
    errors: samples.length - ok.length,
    errorExamples: samples.filter((s) => s.error).slice(0, 3).map((s) => s.error as string),
    totalP50Ms: round(quantile(ok.map((s) => s.totalMs), 0.5)),
    totalP95Ms: round(quantile(ok.map((s) => s.totalMs), 0.95)),
    totalMaxMs: round(quantile(ok.map((s) => s.totalMs), 1)),
    overheadP50MsByStage: byStage,
    overheadPerStageP50Ms: round(quantile(ok.map((s) => s.overheadMs.reduce((a, b) => a + b, 0) / STAGES.length), 0.5)),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const log = countingLog();
  const loadBefore = loadavg()[0] ?? 0;
  const conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log });
  const events = new RunEvents(conclave);
  let core: PhaseFigures;
  let mcp: PhaseFigures;
  let executionsLeft: number;
  try {
    core = await phase(coreDriver(conclave), events);
    const viaMcp = await mcpDriver(conclave);
    try {
      mcp = await phase(viaMcp, events);
    } finally {
      await viaMcp.close();
    }
    // Workflow.Completed is published by the last step; the execution itself ends a moment later.
    const deadline = performance.now() + 2000;
    while (conclave.workflows.activity.executions > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    executionsLeft = conclave.workflows.activity.executions;
  } finally {
    events.close();
    await conclave.close();
  }
  const loadAfter = loadavg()[0] ?? 0;
  const errors = core.errors + mcp.errors;
  const valid = errors === 0 && executionsLeft === 0;
  const targets: Record<string, TargetResult> = { mcpRunP50Ms: target(mcp.totalP50Ms, RUN_P50_LIMIT_MS, 'ms', valid) };
  report({ mcp, core }, targets, executionsLeft, log, { before: round(loadBefore), after: round(loadAfter) });
  return {
    path: 'feature_development, 6 stages, instant agents; local engine + in-memory dynalite + local bus',
    mcp,
    core,
    executionsLeft,
    errors,
    valid,
    serverLogWarnings: log.counts.warn,
    serverLogErrors: log.counts.error,
    loadAverage1m: { before: round(loadBefore), after: round(loadAfter) },
    targets,
    allTargetsPass: Object.values(targets).every((t) => t.pass),
    ...environment(),
  };
}

function report(
  phases: { mcp: PhaseFigures; core: PhaseFigures },
  targets: Record<string, TargetResult>,
  executionsLeft: number,
  log: ReturnType<typeof countingLog>,
  load: { before: number; after: number },
): void {
  const { node, cpus } = environment();
  console.log(`\nfeature development, six stages, instant agents (node ${node}, ${cpus} CPUs; ${WARMUP_RUNS} warm-up and ${RUNS} measured runs per driver)`);
  console.log(`1-min load average ${load.before} before, ${load.after} after\n`);
  console.log(
    table(
      ['driver', 'runs', 'errors', 'run p50 ms', 'run p95 ms', 'run max ms', 'per stage p50 ms'],
      Object.entries(phases).map(([name, p]) => [name, String(p.runs), String(p.errors), p.totalP50Ms, p.totalP95Ms, p.totalMaxMs, p.overheadPerStageP50Ms]),
    ),
  );
  console.log('\nframework overhead by stage boundary, p50 ms (complete_task call → next task created):');
  const labels = Object.keys(phases.mcp.overheadP50MsByStage);
  console.log(table(['driver', ...labels.map((l) => `→${l}`)], Object.entries(phases).map(([name, p]) => [name, ...labels.map((l) => p.overheadP50MsByStage[l] ?? Number.NaN)])));
  console.log('\ntargets:');
  for (const [key, result] of Object.entries(targets)) console.log(verdict(key === 'mcpRunP50Ms' ? 'six-stage run through MCP, p50' : key, result));
  for (const [name, p] of Object.entries(phases)) for (const e of p.errorExamples) console.log(`  ${name}: ${e}`);
  if (executionsLeft) console.log(`\nINVALID RUN: ${executionsLeft} execution(s) still running at the end`);
  if (log.counts.warn + log.counts.error > 0) console.log(`\nserver logged ${log.counts.warn} warning(s) and ${log.counts.error} error(s); first: ${log.first ?? ''}`);
  console.log('');
}
