/**
 * MCP request latency and throughput: a read-only `tools/call` of
 * `list_agents` on `/mcp/ceo` over loopback HTTP, against
 *
 * - Conclave: the real local server (`startLocal`), in-memory dynalite, the
 *   same HTTP app Lambda runs, so every call authenticates its key, reads the
 *   agents and writes an audit entry; and
 * - bare: the SDK's `createMcpHandler` serving one McpServer with the same
 *   tool doing the same work (the list-agents use case on the same store),
 *   without Conclave's edge rules, authentication, registry or audit, behind
 *   the same `serveFetch` bridge and the same admission (`LOCAL_GATE`).
 *
 * Their ratio is what Conclave's own layers cost per call.
 *
 * Requests replay the exact headers and body a real SDK v2 client sends for
 * this `tools/call` on the 2026-07-28 protocol (captured once per server),
 * with fresh JSON-RPC ids: the wire format is real, the client library's own
 * cost is excluded. The load generator (bench/load-generator.ts) runs in a
 * separate process over keep-alive HTTP connections, as a load tool would, so
 * the servers' event loop does only server work; both servers are measured
 * the same way, through the same connections.
 *
 * The two servers run side by side and are measured in alternating blocks
 * (A B B A ...), so load from elsewhere on the machine, which drifts over
 * seconds, lands on both alike and the ratio stays meaningful.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { fork, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { listAgents } from '../functions/core/agents/agents.js';
import type { RateLimits } from '../functions/contracts/rate-limits.js';
import type { Deps } from '../functions/core/context.js';
import { listAgentsTool } from '../functions/mcp/tools/list-agents.js';
import type { Log } from '../functions/ports/logger.js';
import { FairGate, gated } from '../functions/runtime/fair-gate.js';
import { DEV_TENANT, LOCAL_GATE, startLocal } from '../functions/runtime/local.js';
import { serveFetch } from '../functions/runtime/node-http.js';
import type { PhaseRequest, PhaseResult, ReplayTarget } from './load-generator.js';
import { countingLog, environment, latencySummary, round, table, target, verdict, type TargetResult } from './support.js';

const TOOL = listAgentsTool.name;
const ENDPOINT = 'ceo';
/** Sequential calls per server before anything else (opens its connection, first requests). */
const WARMUP_SEQUENTIAL_CALLS = 50;
/**
 * Then this many blocks of calls at concurrency 10 per server, alternating:
 * V8 keeps optimizing a server's hot paths for its first few thousand calls
 * (CPU per call falls by more than half), and the measured phases are about
 * a server in service, not one still compiling. The report prints the first
 * and last warm-up block, so the curve is visible.
 */
const WARMUP_BLOCKS = 8;
const WARMUP_BLOCK_CALLS = 500;
const SEQUENTIAL_CALLS = 1000;
const CONCURRENT_CALLS = 2000;
const CONCURRENCY = 10;
/** Blocks per server and mode: 10 × 100 sequential calls, 10 × 200 concurrent ones (long enough that ramp-up and drain at block edges stay small). */
const SEQUENTIAL_BLOCKS = 10;
const CONCURRENT_BLOCKS = 10;
/** At concurrency 10, p95 must stay under this (ms). */
const P95_LIMIT_MS = 20;
/** Conclave may cost at most this multiple of the bare handler (p95 latency, and throughput inverted). */
const OVERHEAD_LIMIT = 1.5;
/** The front door may cost at most this multiple of the same server with its limits off (p95). */
const LIMITER_LIMIT = 1.05;
/** Limits far above what the benchmark sends, so every call is admitted and counted (the limiter's full path, never a refusal). */
const BENCH_LIMITS: RateLimits = { keyPerMinute: 100_000, tenantPerMinute: 1_000_000, burst: 10_000, dailyToolCalls: 100_000_000 };
/** How many distinct error examples a report keeps. */
const ERROR_EXAMPLES = 3;

/** What one replayable `tools/call` looks like on the wire, and the structured result the client that sent it received. */
export interface CapturedCall extends ReplayTarget {
  readonly structuredContent: unknown;
}

/** Latency and throughput of one phase (all calls, errors included, so a failing path cannot look fast unnoticed). */
export interface PhaseFigures {
  readonly calls: number;
  readonly concurrency: number;
  readonly errors: number;
  /** Error reasons with counts and the first few examples; empty when the run is valid. */
  readonly errorReasons: Record<string, number>;
  readonly errorExamples: string[];
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  readonly reqPerSec: number;
  readonly wallMs: number;
  /** CPU the servers' process used per call while this server was under load (all its threads: the event loop, GC helpers, the engine). */
  readonly cpuMsPerCall: number;
  /** Share of the phase's wall time the servers' event loop was busy (1 = saturated). */
  readonly eventLoopBusy: number;
}

interface ServerFigures {
  readonly sequential: PhaseFigures;
  readonly concurrency10: PhaseFigures;
  /** Each warm-up block's figures, in order (not part of the measured phases). */
  readonly warmup: readonly WarmupBlock[];
}

type WarmupBlock = Pick<PhaseFigures, 'calls' | 'errors' | 'p50Ms' | 'p95Ms' | 'reqPerSec' | 'cpuMsPerCall'>;

/** A server under test: where to send the call, and how to stop it. */
export interface Subject {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function run(): Promise<Record<string, unknown>> {
  const log = countingLog();
  const loadBefore = loadavg()[0] ?? 0;
  const { subject: conclave, deps } = await startConclave(log);
  let bareServer: Subject | undefined;
  const generator = await LoadGenerator.start();
  let limitedServer: Subject | undefined;
  let ours: ServerFigures;
  let bare: ServerFigures;
  let limited: ServerFigures;
  let unlimited: ServerFigures;
  try {
    const oursCall = await captureToolCall(conclave);
    // The bare tool does the tool's own work on the same store, so the ratio is what Conclave adds around it.
    bareServer = await startBare(deps);
    const bareCall = await captureToolCall(bareServer);
    [ours, bare] = await measure(generator.sender(oursCall), generator.sender(bareCall));
    await bareServer.close();
    bareServer = undefined;
    // The front door's cost: the same server with its rate limits on (set far above this load, so every call is
    // admitted and counted) against the one above with them off, measured the same way, in the same run.
    limitedServer = (await startConclave(log, BENCH_LIMITS)).subject;
    const limitedCall = await captureToolCall(limitedServer);
    [limited, unlimited] = await measure(generator.sender(limitedCall), generator.sender(oursCall));
  } finally {
    generator.stop();
    await bareServer?.close();
    await limitedServer?.close();
    await conclave.close();
  }
  const limiter = { sequential: ratios(limited.sequential, unlimited.sequential), concurrency10: ratios(limited.concurrency10, unlimited.concurrency10) };
  const loadAfter = loadavg()[0] ?? 0;

  const overhead = {
    sequential: ratios(ours.sequential, bare.sequential),
    concurrency10: ratios(ours.concurrency10, bare.concurrency10),
  };
  // A failure in the warm-up also invalidates the run: the path under test was broken at some point.
  const errors = [
    ...[ours, bare, limited, unlimited].flatMap((server) => [server.sequential, server.concurrency10, ...server.warmup]),
  ].reduce(
    (n, p) => n + p.errors,
    0,
  );
  const valid = errors === 0;
  const targets: Record<string, TargetResult> = {
    p95Concurrency10Ms: target(ours.concurrency10.p95Ms, P95_LIMIT_MS, 'ms', valid),
    overheadP95Sequential: target(overhead.sequential.p95Ratio, OVERHEAD_LIMIT, 'x', valid),
    overheadP95Concurrency10: target(overhead.concurrency10.p95Ratio, OVERHEAD_LIMIT, 'x', valid),
    overheadThroughputSequential: target(bare.sequential.reqPerSec / ours.sequential.reqPerSec, OVERHEAD_LIMIT, 'x', valid),
    overheadThroughputConcurrency10: target(bare.concurrency10.reqPerSec / ours.concurrency10.reqPerSec, OVERHEAD_LIMIT, 'x', valid),
    limiterP95Sequential: target(limiter.sequential.p95Ratio, LIMITER_LIMIT, 'x', valid),
    limiterP95Concurrency10: target(limiter.concurrency10.p95Ratio, LIMITER_LIMIT, 'x', valid),
  };

  const load = { before: round(loadBefore), after: round(loadAfter) };
  report(ours, bare, overhead, targets, errors, log, load);
  reportLimiter(limited, unlimited, limiter);
  return {
    tool: TOOL,
    endpoint: `/mcp/${ENDPOINT}`,
    protocol: '2026-07-28',
    sequential: ours.sequential,
    concurrency10: ours.concurrency10,
    bare,
    overhead,
    limiter: { limitsOn: limited, limitsOff: unlimited, ratios: limiter },
    errors,
    valid,
    serverLogWarnings: log.counts.warn,
    serverLogErrors: log.counts.error,
    loadAverage1m: load,
    targets,
    allTargetsPass: Object.values(targets).every((t) => t.pass),
    ...environment(),
  };
}

/** The real local server with an in-memory store and a log that only counts (a printed log line per call would dominate). */
async function startConclave(log: Log, rateLimits?: RateLimits): Promise<{ subject: Subject; deps: Deps }> {
  const conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log, ...(rateLimits ? { rateLimits } : {}) });
  return {
    subject: {
      url: `${conclave.url}/mcp/${ENDPOINT}`,
      headers: { authorization: `Bearer ${conclave.devKey}` },
      close: () => conclave.close(),
    },
    deps: conclave.deps,
  };
}

/**
 * The SDK alone: one McpServer per request (as Conclave builds one) serving
 * the same tool — same name, schemas and annotations, and the same use case on
 * the same store — without Conclave's edge, authentication, registry or audit.
 * What separates the two is the overhead Conclave adds.
 */
async function startBare(deps: Deps): Promise<Subject> {
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'bare', version: '1.0.0' }, { capabilities: { tools: {} } });
      server.registerTool(
        TOOL,
        {
          title: listAgentsTool.title,
          description: listAgentsTool.description,
          inputSchema: listAgentsTool.input,
          outputSchema: listAgentsTool.output,
          annotations: listAgentsTool.annotations,
        },
        async () => {
          const structuredContent = { agents: await listAgents(deps, DEV_TENANT) };
          return { content: [{ type: 'text' as const, text: JSON.stringify(structuredContent) }], structuredContent };
        },
      );
      return server;
    },
    { legacy: 'stateless' },
  );
  // Admitted as the local server admits its requests, so scheduling is not part of the ratio.
  const { server, url } = await serveFetch(gated((request) => handler.fetch(request), new FairGate(LOCAL_GATE)), { port: 0, host: '127.0.0.1' });
  return {
    url: `${url}/mcp/${ENDPOINT}`,
    headers: {},
    close: async () => {
      await handler.close();
      await closeServer(server);
    },
  };
}

/**
 * Connects a real SDK v2 client (version negotiation on, so it discovers the
 * 2026-07-28 protocol), calls the tool once and records the request it sent.
 */
export async function captureToolCall(subject: Subject): Promise<CapturedCall> {
  let captured: Omit<CapturedCall, 'structuredContent'> | undefined;
  const recordingFetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    if (typeof init?.body === 'string') {
      const message = JSON.parse(init.body) as Record<string, unknown>;
      if (message.method === 'tools/call') captured = { url: String(url), headers: Object.fromEntries(new Headers(init.headers)), message };
    } else if (init?.body !== undefined && init.body !== null) {
      throw new Error('the SDK client sent a non-string body; the capture cannot replay it');
    }
    return fetch(url, init);
  };
  const client = new Client({ name: 'conclave-bench', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(subject.url), { requestInit: { headers: { ...subject.headers } }, fetch: recordingFetch }),
  );
  try {
    const result = await client.callTool({ name: TOOL, arguments: {} });
    if (result.isError) throw new Error(`the capture call failed: ${JSON.stringify(result.content)}`);
    if (!captured) throw new Error('the SDK client sent no tools/call request');
    if (captured.headers['mcp-protocol-version'] !== '2026-07-28') {
      throw new Error(`the client negotiated ${captured.headers['mcp-protocol-version'] ?? 'no protocol header'}, not 2026-07-28`);
    }
    return { ...captured, structuredContent: result.structuredContent };
  } finally {
    await client.close();
  }
}

/** Warms both servers up (alternating blocks, recorded apart), then measures each mode in alternating blocks (order flipped every block). */
async function measure(ours: Send, bare: Send): Promise<[ServerFigures, ServerFigures]> {
  for (const send of [ours, bare]) await send(WARMUP_SEQUENTIAL_CALLS, 1, new Tally(1));
  const warmup: [WarmupBlock[], WarmupBlock[]] = [[], []];
  for (let block = 0; block < WARMUP_BLOCKS; block++) {
    const tallies = await alternate(ours, bare, WARMUP_BLOCK_CALLS, CONCURRENCY, 1, block);
    tallies.forEach((tally, i) => {
      const { calls, errors, p50Ms, p95Ms, reqPerSec, cpuMsPerCall } = tally.figures();
      warmup[i as 0 | 1].push({ calls, errors, p50Ms, p95Ms, reqPerSec, cpuMsPerCall });
    });
  }
  const [oursSequential, bareSequential] = await alternate(ours, bare, SEQUENTIAL_CALLS, 1, SEQUENTIAL_BLOCKS);
  const [oursConcurrent, bareConcurrent] = await alternate(ours, bare, CONCURRENT_CALLS, CONCURRENCY, CONCURRENT_BLOCKS);
  return [
    { sequential: oursSequential.figures(), concurrency10: oursConcurrent.figures(), warmup: warmup[0] },
    { sequential: bareSequential.figures(), concurrency10: bareConcurrent.figures(), warmup: warmup[1] },
  ];
}

/** `calls` per server in `blocks` alternating blocks; `firstBlock` continues the A B B A order of an earlier run of blocks. */
export async function alternate(a: Send, b: Send, calls: number, concurrency: number, blocks: number, firstBlock = 0): Promise<[Tally, Tally]> {
  const tallies: [Tally, Tally] = [new Tally(concurrency), new Tally(concurrency)];
  const sends = [a, b] as const;
  const perBlock = Math.ceil(calls / blocks);
  for (let block = firstBlock; block < firstBlock + blocks; block++) {
    const order = block % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) await sends[i as 0 | 1](perBlock, concurrency, tallies[i as 0 | 1]);
  }
  return tallies;
}

/** Runs `calls` calls with `concurrency` in flight at a time against one server, adding latencies, errors and wall time to `tally`. */
export type Send = (calls: number, concurrency: number, tally: Tally) => Promise<void>;

/** The load generator's process (bench/load-generator.ts), driven one phase at a time. */
export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<LoadGenerator> {
    const child = fork(fileURLToPath(new URL('./load-generator.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx', '--no-warnings'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new LoadGenerator(child);
  }

  sender(target: ReplayTarget): Send {
    const replay: ReplayTarget = { url: target.url, headers: target.headers, message: target.message };
    return async (calls, concurrency, tally) => {
      // Only the server under test is loaded during a phase (the other one idles), so the process's CPU is its cost.
      const cpuBefore = process.cpuUsage();
      const loopBefore = performance.eventLoopUtilization();
      const result = await this.phase({ target: replay, calls, concurrency });
      const cpu = process.cpuUsage(cpuBefore);
      const loop = performance.eventLoopUtilization(loopBefore);
      tally.cpuMs += (cpu.user + cpu.system) / 1000;
      tally.loopActiveMs += loop.active;
      tally.loopIdleMs += loop.idle;
      for (const ms of result.latencies) tally.record(ms, undefined);
      for (const error of result.errors) tally.record(undefined, error);
      tally.wallMs += result.wallMs;
    };
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }

  private phase(request: PhaseRequest): Promise<PhaseResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code ?? 'by a signal'}) during a phase`));
      this.child.once('exit', onExit);
      this.child.once('message', (result) => {
        this.child.off('exit', onExit);
        resolve(result as PhaseResult);
      });
      this.child.send(request);
    });
  }
}

/** One server's results in one mode, gathered over several blocks; throughput is its calls over its own blocks' wall time. */
export class Tally {
  readonly latencies: number[] = [];
  readonly errorReasons: Record<string, number> = {};
  readonly errorExamples: string[] = [];
  errors = 0;
  wallMs = 0;
  cpuMs = 0;
  loopActiveMs = 0;
  loopIdleMs = 0;

  constructor(readonly concurrency: number) {}

  /** A call's latency, or a failed call's reason (the load generator reports them separately; failed calls' latencies are among the latencies). */
  record(ms: number | undefined, error: string | undefined): void {
    if (ms !== undefined) this.latencies.push(ms);
    if (error === undefined) return;
    this.errors++;
    const reason = error.split(':')[0] ?? error;
    this.errorReasons[reason] = (this.errorReasons[reason] ?? 0) + 1;
    if (this.errorExamples.length < ERROR_EXAMPLES) this.errorExamples.push(error);
  }

  figures(): PhaseFigures {
    const calls = this.latencies.length;
    return {
      calls,
      concurrency: this.concurrency,
      errors: this.errors,
      errorReasons: this.errorReasons,
      errorExamples: this.errorExamples,
      ...latencySummary(this.latencies),
      reqPerSec: round((calls / this.wallMs) * 1000),
      wallMs: round(this.wallMs),
      cpuMsPerCall: round(this.cpuMs / calls),
      eventLoopBusy: round(this.loopActiveMs / (this.loopActiveMs + this.loopIdleMs)),
    };
  }
}

/** `p95Ratio` > 1 means Conclave is slower; `throughputRatio` < 1 means it serves fewer calls per second. */
function ratios(ours: PhaseFigures, bare: PhaseFigures): { p95Ratio: number; p50Ratio: number; throughputRatio: number } {
  return {
    p95Ratio: round(ours.p95Ms / bare.p95Ms),
    p50Ratio: round(ours.p50Ms / bare.p50Ms),
    throughputRatio: round(ours.reqPerSec / bare.reqPerSec),
  };
}

function report(
  ours: ServerFigures,
  bare: ServerFigures,
  overhead: Record<'sequential' | 'concurrency10', ReturnType<typeof ratios>>,
  targets: Record<string, TargetResult>,
  errors: number,
  log: ReturnType<typeof countingLog>,
  load: { before: number; after: number },
): void {
  const { node, cpus } = environment();
  const row = (server: string, mode: string, p: PhaseFigures) => [
    server,
    mode,
    String(p.calls),
    String(p.errors),
    p.p50Ms,
    p.p95Ms,
    p.p99Ms,
    p.maxMs,
    p.reqPerSec,
    p.cpuMsPerCall,
    p.eventLoopBusy,
  ];
  console.log(`\nMCP tools/call ${TOOL} on /mcp/${ENDPOINT}, 2026-07-28 wire format, loopback HTTP (node ${node}, ${cpus} CPUs)`);
  console.log(
    `load generator in its own process (node:http, keep-alive); warm-up per server: ${WARMUP_SEQUENTIAL_CALLS} sequential calls, then ` +
      `${WARMUP_BLOCKS} × ${WARMUP_BLOCK_CALLS} at concurrency ${CONCURRENCY}; then alternating blocks ` +
      `(${SEQUENTIAL_BLOCKS} sequential, ${CONCURRENT_BLOCKS} concurrent); 1-min load average ${load.before} before, ${load.after} after\n`,
  );
  console.log(
    table(
      ['warm-up', 'first block p95 ms', 'last block p95 ms', 'first CPU ms/call', 'last CPU ms/call', 'errors'],
      [
        warmupRow('conclave', ours.warmup),
        warmupRow('bare SDK', bare.warmup),
      ],
    ),
  );
  console.log('');
  console.log(
    table(
      ['server', 'mode', 'calls', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'req/s', 'CPU ms/call', 'loop busy'],
      [
        row('conclave', 'sequential', ours.sequential),
        row('conclave', `concurrency ${CONCURRENCY}`, ours.concurrency10),
        row('bare SDK', 'sequential', bare.sequential),
        row('bare SDK', `concurrency ${CONCURRENCY}`, bare.concurrency10),
      ],
    ),
  );
  console.log(
    "CPU ms/call: the servers' process (every thread: event loop, GC, engine) per call while that server was under load; " +
      'loop busy: the share of that time its event loop was working (1.00 = saturated, calls queue behind each other).',
  );
  console.log('\noverhead (conclave / bare):');
  console.log(
    table(
      ['mode', 'p50 ratio', 'p95 ratio', 'req/s ratio'],
      [
        ['sequential', overhead.sequential.p50Ratio, overhead.sequential.p95Ratio, overhead.sequential.throughputRatio],
        [`concurrency ${CONCURRENCY}`, overhead.concurrency10.p50Ratio, overhead.concurrency10.p95Ratio, overhead.concurrency10.throughputRatio],
      ],
    ),
  );
  console.log('\ntargets:');
  const labels: Record<string, string> = {
    p95Concurrency10Ms: `conclave p95 at concurrency ${CONCURRENCY}`,
    overheadP95Sequential: 'p95 overhead, sequential',
    overheadP95Concurrency10: `p95 overhead, concurrency ${CONCURRENCY}`,
    overheadThroughputSequential: 'throughput overhead (bare req/s / conclave req/s), sequential',
    overheadThroughputConcurrency10: `throughput overhead (bare req/s / conclave req/s), concurrency ${CONCURRENCY}`,
  };
  for (const [key, result] of Object.entries(targets)) console.log(verdict(labels[key] ?? key, result));
  if (errors > 0) {
    console.log(`\nINVALID RUN: ${errors} call(s) failed; the figures above do not measure successful calls.`);
    for (const [name, p] of [
      ['conclave sequential', ours.sequential],
      ['conclave concurrency', ours.concurrency10],
      ['bare sequential', bare.sequential],
      ['bare concurrency', bare.concurrency10],
    ] as const) {
      for (const example of p.errorExamples) console.log(`  ${name}: ${example}`);
    }
  }
  if (log.counts.warn + log.counts.error > 0) {
    console.log(`\nserver logged ${log.counts.warn} warning(s) and ${log.counts.error} error(s); first: ${log.first ?? ''}`);
  }
  console.log('');
}

function reportLimiter(on: ServerFigures, off: ServerFigures, ratio: Record<'sequential' | 'concurrency10', ReturnType<typeof ratios>>): void {
  console.log('\nThe front door: the same server with rate limits on (admitting every call) and off, alternating blocks');
  const row = (server: string, mode: string, p: PhaseFigures) => [server, mode, String(p.calls), String(p.errors), p.p50Ms, p.p95Ms, p.reqPerSec, p.cpuMsPerCall];
  console.log(
    table(
      ['server', 'mode', 'calls', 'errors', 'p50 ms', 'p95 ms', 'req/s', 'CPU ms/call'],
      [row('limits on', 'sequential', on.sequential), row('limits off', 'sequential', off.sequential), row('limits on', 'c=10', on.concurrency10), row('limits off', 'c=10', off.concurrency10)],
    ),
  );
  console.log(`p95 on/off: sequential ${ratio.sequential.p95Ratio}x, concurrency 10 ${ratio.concurrency10.p95Ratio}x (target ≤ ${LIMITER_LIMIT}x)`);
}

function warmupRow(server: string, blocks: readonly WarmupBlock[]): (string | number)[] {
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  if (!first || !last) return [server, '-', '-', '-', '-', '0'];
  return [server, first.p95Ms, last.p95Ms, first.cpuMsPerCall, last.cpuMsPerCall, String(blocks.reduce((n, b) => n + b.errors, 0))];
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
