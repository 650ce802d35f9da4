/**
 * Autopilot framework overhead: what Conclave adds to each agent step when
 * the model answers instantly. One activation = one request message to the
 * senior developer, woken as the autopilot consumer wakes it (`activate`),
 * on the real local server (in-memory dynalite, local bus, the packaged
 * embedder for its memory recall); the scripted model asks for one tool call
 * per step (`my_tasks`, then `read_inbox`, `list_agents`, `get_memory`) and
 * finally `reply`, which ends the activation.
 *
 * A step's overhead is the time from one model call to the next: running
 * the requested tool in process (registry, argument validation, the tool's
 * use case, audit, metrics), the budget check, metering the tokens, the
 * step's audit line. Setup is the time from the wake to the first model
 * call (settings, the activation claim, the wake context, memory recall,
 * the prompt).
 */
import { loadavg } from 'node:os';
import type { AutopilotTrigger } from '../functions/contracts/autopilot.js';
import { activate, type AutopilotRuntime } from '../functions/core/autopilot/activate.js';
import { setAutopilot } from '../functions/core/autopilot/settings.js';
import { deliver } from '../functions/core/messages/messages.js';
import { noMetrics } from '../functions/adapters/local/memory-metrics.js';
import { AuditTrail } from '../functions/mcp/audit-trail.js';
import { inProcessTools } from '../functions/mcp/in-process.js';
import type { Model, ModelRequest, ModelResponse } from '../functions/ports/model.js';
import { startLocal } from '../functions/runtime/local.js';
import { countingLog, environment, latencySummary, round, table, target, verdict, type TargetResult } from './support.js';

const TENANT = 'bench';
const WARMUP = 20;
const ACTIVATIONS = 150;
/** Framework overhead per agent step, median: the goal. */
const STEP_P50_LIMIT_MS = 20;
const TOOLS = [
  { name: 'my_tasks', input: { status: 'open', limit: 20 } },
  { name: 'read_inbox', input: { limit: 10 } },
  { name: 'list_agents', input: {} },
  { name: 'get_memory', input: { key: 'nothing-here' } },
];

/** An instant model that plays the steps above; records when each call arrived. */
class InstantModel implements Model {
  readonly provider = 'scripted';
  calls: number[] = [];
  private id = 0;
  async converse(request: ModelRequest): Promise<ModelResponse> {
    this.calls.push(performance.now());
    const used = request.messages.length >> 1;
    const opening = request.messages[0]?.content[0];
    const messageId = /message_id "([^"]+)"/.exec(opening?.type === 'text' ? opening.text : '')?.[1] ?? '';
    const call = TOOLS[used] ?? { name: 'reply', input: { message_id: messageId, content: 'Handled.' } };
    return { content: [{ type: 'tool_use', id: `t${++this.id}`, name: call.name, input: call.input }], stopReason: 'tool_use', usage: { inputTokens: 2000, outputTokens: 60 } };
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const log = countingLog();
  const conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log });
  const loadBefore = loadavg()[0] ?? 0;
  const { deps } = conclave;
  const model = new InstantModel();
  const audit = new AuditTrail(deps);
  const runtime: AutopilotRuntime = { model, tools: inProcessTools(deps, { audit, metrics: noMetrics }), sleep: async () => undefined };
  const human = { tenantId: TENANT, keyId: 'bench', roles: ['board' as const], human: true, actingAs: 'board' as const };
  await setAutopilot(deps, { actor: human, role: 'senior_developer', enabled: true, maxSteps: 10, dailyTokenBudget: 100_000_000 });

  const steps: number[] = [];
  const setups: number[] = [];
  const totals: number[] = [];
  let errors = 0;
  let firstError = '';
  try {
    for (let i = 0; i < WARMUP + ACTIVATIONS; i++) {
      const messageId = `bench-${String(i).padStart(6, '0')}`;
      const at = new Date().toISOString();
      await deliver(deps, {
        tenantId: TENANT, messageId, from: 'board', to: 'senior_developer', recipients: ['senior_developer'], type: 'request', priority: 'normal',
        subject: `Estimate ${i}`, content: 'How long would saved searches take?', threadId: messageId, replyTo: null, correlationId: messageId, sentAt: at,
      });
      model.calls = [];
      const started = performance.now();
      const trigger: AutopilotTrigger = 'request_message';
      const report = await activate(deps, runtime, { trigger, tenantId: TENANT, role: 'senior_developer', eventId: `ev-${i}`, eventTime: at, correlationId: messageId, subject: messageId });
      const ended = performance.now();
      if (report.outcome !== 'done' || report.steps !== TOOLS.length + 1) {
        errors++;
        firstError ||= JSON.stringify(report);
        continue;
      }
      if (i < WARMUP) continue;
      setups.push((model.calls[0] as number) - started);
      for (let s = 1; s < model.calls.length; s++) steps.push((model.calls[s] as number) - (model.calls[s - 1] as number));
      totals.push(ended - started);
    }
    await audit.flush();
  } finally {
    await conclave.close();
  }
  const step = latencySummary(steps);
  const setup = latencySummary(setups);
  const total = latencySummary(totals);
  const valid = errors === 0;
  const targets: Record<string, TargetResult> = { stepOverheadP50Ms: target(step.p50Ms, STEP_P50_LIMIT_MS, 'ms', valid) };
  const { node, cpus } = environment();
  console.log(`\nautopilot framework overhead, instant model (node ${node}, ${cpus} CPUs; ${WARMUP} warm-up and ${ACTIVATIONS} measured activations of ${TOOLS.length + 1} steps)`);
  console.log(`1-min load average ${round(loadBefore)} before, ${round(loadavg()[0] ?? 0)} after\n`);
  console.log(table(['figure', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], [
    ['per step (tool call + metering + audit)', String(steps.length), step.p50Ms, step.p95Ms, step.p99Ms, step.maxMs],
    ['setup (wake → first model call)', String(setups.length), setup.p50Ms, setup.p95Ms, setup.p99Ms, setup.maxMs],
    ['whole activation', String(totals.length), total.p50Ms, total.p95Ms, total.p99Ms, total.maxMs],
  ]));
  console.log('\ntargets:');
  console.log(verdict('framework overhead per agent step, p50', targets.stepOverheadP50Ms as TargetResult));
  if (errors) console.log(`\n${errors} activation(s) did not end as expected; first: ${firstError}`);
  if (log.counts.warn + log.counts.error > 0) console.log(`\nserver logged ${log.counts.warn} warning(s) and ${log.counts.error} error(s); first: ${log.first ?? ''}`);
  return {
    path: 'activate() on the local server: in-process tools as autopilot:senior_developer, instant scripted model',
    step,
    setup,
    activation: total,
    errors,
    valid,
    targets,
    allTargetsPass: Object.values(targets).every((t) => t.pass),
    ...environment(),
  };
}
