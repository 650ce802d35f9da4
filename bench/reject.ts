/**
 * What a refused request costs the server, against a served call: CPU per
 * request of the local server (the same HTTP app Lambda runs, rate limits
 * on) for
 *
 * - served: the `tools/call` of `list_agents` a real SDK v2 client sends,
 *   with the dev key (authentication, the limiter, the tool, the audit);
 * - no credential: the same request without Authorization;
 * - malformed credential: `Authorization: Bearer k k`;
 * - unknown key: a well-formed key that does not exist (one store read);
 * - wrong origin: a browser Origin that is not allowed.
 *
 * The load generator runs in its own process (bench/load-generator.ts), one
 * kind of request at a time, so the server process's CPU during a phase is
 * that kind's cost. A refused request is an "error" to the load generator;
 * that is expected here and not counted against the run.
 *
 * Target: a request without a valid credential costs at most 0.2× a served call.
 */
import { loadavg } from 'node:os';
import type { RateLimits } from '../functions/contracts/rate-limits.js';
import { startLocal } from '../functions/runtime/local.js';
import { captureToolCall, LoadGenerator, Tally, type PhaseFigures, type Send } from './mcp.js';
import { countingLog, environment, round, table, target, verdict, type TargetResult } from './support.js';

const CALLS = 3000;
const BLOCKS = 6;
const CONCURRENCY = 10;
const WARMUP_CALLS = 2000;
const REJECT_LIMIT = 0.2;
/** Far above the load: every served call passes the limiter's full path. */
const LIMITS: RateLimits = { keyPerMinute: 100_000, tenantPerMinute: 1_000_000, burst: 10_000, dailyToolCalls: 100_000_000 };

type Kind = 'served' | 'noCredential' | 'malformedCredential' | 'unknownKey' | 'wrongOrigin';
const KINDS: readonly Kind[] = ['served', 'noCredential', 'malformedCredential', 'unknownKey', 'wrongOrigin'];

export async function run(): Promise<Record<string, unknown>> {
  const log = countingLog();
  const loadBefore = loadavg()[0] ?? 0;
  const conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log, rateLimits: LIMITS });
  const generator = await LoadGenerator.start();
  const figures = {} as Record<Kind, PhaseFigures>;
  try {
    const call = await captureToolCall({ url: `${conclave.url}/mcp/ceo`, headers: { authorization: `Bearer ${conclave.devKey}` }, close: async () => {} });
    const { authorization: _key, ...anonymous } = call.headers;
    const sends: Record<Kind, Send> = {
      served: generator.sender(call),
      noCredential: generator.sender({ ...call, headers: anonymous }),
      malformedCredential: generator.sender({ ...call, headers: { ...anonymous, authorization: 'Bearer k k' } }),
      unknownKey: generator.sender({ ...call, headers: { ...anonymous, authorization: `Bearer cnk_${'A'.repeat(43)}` } }),
      wrongOrigin: generator.sender({ ...call, headers: { ...call.headers, origin: 'https://evil.example' } }),
    };
    // Warm every path up, then measure in rotating order so drifting load lands on all kinds alike.
    for (const kind of KINDS) await sends[kind](WARMUP_CALLS, CONCURRENCY, new Tally(CONCURRENCY));
    const tallies = Object.fromEntries(KINDS.map((kind) => [kind, new Tally(CONCURRENCY)])) as Record<Kind, Tally>;
    for (let block = 0; block < BLOCKS; block++) {
      const order = KINDS.map((_, i) => KINDS[(i + block) % KINDS.length] as Kind);
      for (const kind of order) await sends[kind](Math.ceil(CALLS / BLOCKS), CONCURRENCY, tallies[kind]);
    }
    for (const kind of KINDS) figures[kind] = tallies[kind].figures();
  } finally {
    generator.stop();
    await conclave.close();
  }
  const loadAfter = loadavg()[0] ?? 0;

  const served = figures.served;
  const valid = served.errors === 0 && KINDS.filter((k) => k !== 'served').every((k) => figures[k].errors === figures[k].calls);
  const ratio = (kind: Kind) => round(figures[kind].cpuMsPerCall / served.cpuMsPerCall);
  const targets: Record<string, TargetResult> = {
    noCredentialCpuRatio: target(ratio('noCredential'), REJECT_LIMIT, 'x', valid),
    malformedCredentialCpuRatio: target(ratio('malformedCredential'), REJECT_LIMIT, 'x', valid),
    wrongOriginCpuRatio: target(ratio('wrongOrigin'), REJECT_LIMIT, 'x', valid),
  };

  const { node, cpus } = environment();
  console.log(`\nRefused vs served requests on /mcp/ceo, rate limits on, loopback HTTP (node ${node}, ${cpus} CPUs); ${CALLS} each at concurrency ${CONCURRENCY}`);
  console.log(`1-min load average ${round(loadBefore)} before, ${round(loadAfter)} after\n`);
  console.log(
    table(
      ['request', 'calls', 'status seen', 'p50 ms', 'p95 ms', 'req/s', 'CPU ms/request', 'vs served'],
      KINDS.map((kind) => {
        const f = figures[kind];
        const status = kind === 'served' ? (f.errors ? `${f.errors} failed` : '200') : Object.keys(f.errorReasons).join(', ');
        return [kind, String(f.calls), status, f.p50Ms, f.p95Ms, f.reqPerSec, f.cpuMsPerCall, ratio(kind)];
      }),
    ),
  );
  console.log('\nAn unknown but well-formed key costs one store read (GetItem) before it is refused; it is listed, not a target.');
  for (const [name, result] of Object.entries(targets)) console.log(verdict(name, result));
  return {
    calls: CALLS,
    concurrency: CONCURRENCY,
    figures,
    cpuRatios: Object.fromEntries(KINDS.map((k) => [k, ratio(k)])),
    valid,
    loadAverage1m: { before: round(loadBefore), after: round(loadAfter) },
    targets,
    allTargetsPass: Object.values(targets).every((t) => t.pass),
    ...environment(),
  };
}
