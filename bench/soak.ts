/**
 * Soak: the local server under mixed tool calls for about five minutes, to
 * see where its memory settles.
 *
 * - Server: the real `startLocal` with a persisted data dir (as `npm start`),
 *   the packaged embedding model, in this process.
 * - Load: 20 MCP SDK clients (one tenant each, 20 tenants), each calling in a
 *   loop: list_agents, heartbeat, send_message, read_inbox, store_memory
 *   (upserting one of 50 keys per tenant), search_memories, propose_decision
 *   (autonomous), get_decision, list_decisions — so concurrency is 20.
 * - Every 30 s: RSS, heap used after a full GC, calls and errors so far.
 * - At the end: throughput, latency percentiles, errors, and whether memory
 *   levelled off (growth in the second half of the run against the first).
 *
 * The clients share the process, so RSS includes them (they hold no growing
 * state). SOAK_SECONDS shortens or lengthens the run (default 300).
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createApiKey } from '../functions/core/auth/api-keys.js';
import { startLocal } from '../functions/runtime/local.js';
import { countingLog, environment, latencySummary, round, table } from './support.js';

const CONCURRENCY = 20;
const SAMPLE_MS = 30_000;
const DURATION_MS = Number(process.env.SOAK_SECONDS ?? '300') * 1000;

type Call = { name: string; args: (state: WorkerState) => Record<string, unknown> };
interface WorkerState {
  i: number;
  decisionId?: string;
}

const CALLS: readonly Call[] = [
  { name: 'list_agents', args: () => ({}) },
  { name: 'heartbeat', args: () => ({ status: 'running', capabilities: ['soak'] }) },
  { name: 'send_message', args: (s) => ({ to: 'cto', subject: `soak ${s.i}`, content: `message ${s.i} of the soak run` }) },
  { name: 'read_inbox', args: () => ({ limit: 10 }) },
  { name: 'store_memory', args: (s) => ({ key: `soak/${s.i % 50}`, content: `Soak memory ${s.i}: the orders service handles ${s.i % 997} requests a second.`, tags: ['soak'] }) },
  { name: 'search_memories', args: () => ({ query: 'orders service requests', limit: 5 }) },
  { name: 'propose_decision', args: (s) => ({ decision_type: 'purchase', mode: 'autonomous', context: `soak purchase ${s.i}`, amount: 100 }) },
  { name: 'get_decision', args: (s) => (s.decisionId ? { decision_id: s.decisionId } : {}) },
  { name: 'list_decisions', args: () => ({ limit: 10 }) },
];

interface Sample {
  readonly atS: number;
  readonly rssMb: number;
  readonly heapAfterGcMb: number;
  readonly calls: number;
  readonly errors: number;
}

export async function run(): Promise<Record<string, unknown>> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const dataDir = await mkdtemp(join(tmpdir(), 'conclave-soak-'));
  const log = countingLog();
  const conclave = await startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 300_000, log });
  const latencies: number[] = [];
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  const samples: Sample[] = [];
  const started = performance.now();
  const sample = () => {
    gc();
    const memory = process.memoryUsage();
    samples.push({
      atS: Math.round((performance.now() - started) / 1000),
      rssMb: round(memory.rss / 1048576),
      heapAfterGcMb: round(memory.heapUsed / 1048576),
      calls,
      errors,
    });
    const last = samples.at(-1) as Sample;
    console.log(`  t=${last.atS}s rss=${last.rssMb} MB heap-after-GC=${last.heapAfterGcMb} MB calls=${last.calls} errors=${last.errors}`);
  };
  try {
    const clients: Client[] = [];
    for (let w = 0; w < CONCURRENCY; w++) {
      const { key } = await createApiKey(conclave.deps, { tenantId: `soak-${w}`, roles: ['ceo', 'cto'], human: false, label: 'soak' });
      const client = new Client({ name: 'soak', version: '1' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${conclave.url}/mcp/ceo`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
      clients.push(client);
    }
    console.log(`soak: ${CONCURRENCY} clients, mixed calls for ${DURATION_MS / 1000} s; a sample every ${SAMPLE_MS / 1000} s`);
    sample();
    const timer = setInterval(sample, SAMPLE_MS);
    const deadline = started + DURATION_MS;
    await Promise.all(
      clients.map(async (client, w) => {
        const state: WorkerState = { i: w * 1_000_000 };
        while (performance.now() < deadline) {
          for (const call of CALLS) {
            if (call.name === 'get_decision' && !state.decisionId) continue;
            const begun = performance.now();
            try {
              const result = await client.callTool({ name: call.name, arguments: call.args(state) });
              if (result.isError) throw new Error(`${call.name}: ${JSON.stringify(result.content).slice(0, 200)}`);
              if (call.name === 'propose_decision') state.decisionId = (result.structuredContent as { decision_id: string }).decision_id;
            } catch (error) {
              errors++;
              firstError ??= String(error);
            }
            latencies.push(performance.now() - begun);
            calls++;
            state.i++;
          }
        }
      }),
    );
    clearInterval(timer);
    sample();
    for (const client of clients) await client.close();
  } finally {
    await conclave.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  const seconds = (performance.now() - started) / 1000;
  // From the first sample under load (the one at start is before any call) to the middle, and from there to the end.
  const first = samples[1] ?? samples[0]!;
  const last = samples.at(-1)!;
  const mid = (first.atS + last.atS) / 2;
  const half = samples.slice(1).reduce((best, s) => (Math.abs(s.atS - mid) < Math.abs(best.atS - mid) ? s : best), first);
  const growth = {
    rssFirstHalfMb: round(half.rssMb - first.rssMb),
    rssSecondHalfMb: round(last.rssMb - half.rssMb),
    heapFirstHalfMb: round(half.heapAfterGcMb - first.heapAfterGcMb),
    heapSecondHalfMb: round(last.heapAfterGcMb - half.heapAfterGcMb),
  };
  const peakRss = Math.max(...samples.map((s) => s.rssMb));
  const summary = latencySummary(latencies);
  console.log('');
  console.log(table(['t (s)', 'RSS (MB)', 'heap after GC (MB)', 'calls', 'errors'], samples.map((s) => [s.atS, s.rssMb, s.heapAfterGcMb, s.calls, s.errors])));
  console.log('');
  console.log(`calls: ${calls} in ${round(seconds)} s = ${round(calls / seconds)} calls/s; p50 ${summary.p50Ms} ms, p95 ${summary.p95Ms} ms, p99 ${summary.p99Ms} ms; errors ${errors}${firstError ? ` (first: ${firstError})` : ''}`);
  console.log(`server log: ${log.counts.warn} warnings, ${log.counts.error} errors${log.first ? ` (first: ${log.first})` : ''}`);
  console.log(
    `memory: RSS peak ${peakRss} MB; growth first half ${growth.rssFirstHalfMb} MB, second half ${growth.rssSecondHalfMb} MB (heap after GC: ${growth.heapFirstHalfMb} / ${growth.heapSecondHalfMb} MB)`,
  );
  return {
    environment: environment(),
    concurrency: CONCURRENCY,
    seconds: round(seconds),
    calls,
    callsPerSecond: round(calls / seconds),
    errors,
    ...summary,
    samples,
    peakRssMb: peakRss,
    growth,
    serverLog: log.counts,
  };
}
