/**
 * Runs the official MCP conformance suite against a local Conclave started
 * with the conformance fixtures, and reads its results. Shared by the test
 * (test/e2e/conformance.test.ts) and the report (scripts/conformance-report.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '../../functions/contracts/env.js';
import { CONFORMANCE_ENDPOINT } from '../../functions/mcp/conformance-fixtures.js';
import type { Log } from '../../functions/ports/logger.js';
import { loadLocalConfig } from '../../functions/runtime/config.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { clientNode, conformanceCli, requireClient } from '../clients/paths.js';
import { baselineYaml, type Era } from './baseline.js';

export interface Check {
  readonly id: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED' | string;
  readonly errorMessage?: string;
  readonly details?: { readonly message?: string };
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly checks: readonly Check[];
  /** The suite's rule: a scenario fails when any check is a FAILURE or a WARNING. */
  readonly passed: boolean;
  /** Why the suite does not score it for this revision (`extension`, `pending`…), when it says so. */
  readonly notScored?: string;
}

export interface EraRun {
  readonly era: Era;
  /** The suite's exit code: 0 when its own baseline check passed. */
  readonly exitCode: number;
  readonly output: string;
  readonly scenarios: readonly ScenarioResult[];
}

export interface Evaluation {
  readonly unexpectedFailures: readonly string[];
  readonly staleEntries: readonly string[];
  readonly expectedFailures: readonly string[];
}

const failing = (c: Check) => c.status === 'FAILURE' || c.status === 'WARNING';

/**
 * Starts the local server the way `CONCLAVE_CONFORMANCE_FIXTURES=1 npm start`
 * does (through the local config, so the flag path itself is exercised), on a
 * random port with an in-memory table.
 */
export async function startConformanceServer(log: Log): Promise<LocalConclave & { conformanceUrl: string }> {
  // Rate limits off: the suite sends its scenarios back to back from one fixed principal, far past a key's burst.
  const config = loadLocalConfig({ [ENV.conformanceFixtures]: '1', [ENV.port]: '0', [ENV.rateLimits]: 'off' });
  const conclave = await startLocal({ ...config, dataDir: undefined, devKey: undefined, log });
  return Object.assign(conclave, { conformanceUrl: `${conclave.url}/mcp/${CONFORMANCE_ENDPOINT}` });
}

/**
 * Runs one era's selection with its baseline, on the Node 22 the suite
 * needs; both are pinned in test/clients and installed by `npm install`.
 */
export async function runEra(era: Era, url: string, timeoutMs = 600_000): Promise<EraRun> {
  const dir = await mkdtemp(join(tmpdir(), `conclave-conformance-${era.id}-`));
  try {
    const baseline = join(dir, 'expected-failures.yaml');
    await writeFile(baseline, baselineYaml(era));
    const out = join(dir, 'results');
    const { exitCode, output } = await conformance(era, ['server', '--url', url, ...era.selection, '--expected-failures', baseline, '-o', out], timeoutMs);
    const scenarios = await readResults(out, await notScored(era, timeoutMs));
    return { era, exitCode, output, scenarios };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The era's pinned suite CLI on the pinned Node 22. */
function conformance(era: Era, args: readonly string[], timeoutMs: number) {
  return run(clientNode(), [requireClient(conformanceCli(era.package)), ...args], timeoutMs);
}

function run(command: string, args: readonly string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`conformance suite did not finish within ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? 1, output: output.replace(/\x1b\[[0-9;]*m/g, '') });
    });
  });
}

/**
 * The scenarios a requirements run executes but does not score, with the
 * reason (`extension`, `pending`…), from `conformance list --requirements`:
 *
 *   Run and reported, but never scored:
 *     extension (16):
 *       - tasks-lifecycle [server]
 */
async function notScored(era: Era, timeoutMs: number): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const at = era.selection.indexOf('--requirements');
  if (at < 0) return found;
  const revision = era.selection[at + 1] as string;
  const { output } = await conformance(era, ['list', '--server', '--requirements', revision], timeoutMs);
  let reason: string | undefined;
  for (const line of (output.split(/^Run and reported, but never scored:$/m)[1] ?? '').split('\n')) {
    const group = /^\s{2}(\S[^(]*?) \(\d+\):$/.exec(line);
    if (group) reason = group[1];
    const item = /^\s{4}- (\S+) \[server\]$/.exec(line);
    if (item && reason) found.set(item[1] as string, reason);
  }
  return found;
}

/** Reads `<out>/server-<scenario>-<timestamp>/checks.json`; a scenario run twice keeps its last run. */
async function readResults(out: string, notScored: Map<string, string>): Promise<ScenarioResult[]> {
  const entries = await readdir(out).catch(() => [] as string[]);
  const latest = new Map<string, string>();
  for (const name of entries.sort()) {
    const match = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(name);
    if (match) latest.set(match[1] as string, name);
  }
  const results: ScenarioResult[] = [];
  for (const [scenario, name] of latest) {
    const checks = JSON.parse(await readFile(join(out, name, 'checks.json'), 'utf8')) as Check[];
    const reason = notScored.get(scenario);
    results.push({ scenario, checks, passed: !checks.some(failing), ...(reason ? { notScored: reason } : {}) });
  }
  return results.sort((a, b) => a.scenario.localeCompare(b.scenario));
}

/**
 * Compares every scenario that ran (scored or not) with the era's baseline,
 * by the suite's own rules: a failing scenario must be listed (whole, or each
 * failing check as `scenario:check-id`), and a listed one must still fail.
 */
export function evaluate(era: Era, scenarios: readonly ScenarioResult[]): Evaluation {
  const whole = new Set(era.baseline.filter((e) => !e.entry.includes(':')).map((e) => e.entry));
  const perCheck = new Map<string, Set<string>>();
  for (const { entry } of era.baseline) {
    const at = entry.indexOf(':');
    if (at < 0) continue;
    const scenario = entry.slice(0, at);
    perCheck.set(scenario, (perCheck.get(scenario) ?? new Set()).add(entry.slice(at + 1)));
  }
  const unexpectedFailures: string[] = [];
  const staleEntries: string[] = [];
  const expectedFailures: string[] = [];
  const ran = new Set(scenarios.map((s) => s.scenario));
  for (const result of scenarios) {
    if (whole.has(result.scenario)) {
      (result.passed ? staleEntries : expectedFailures).push(result.scenario);
      continue;
    }
    const listed = perCheck.get(result.scenario) ?? new Set<string>();
    for (const check of result.checks.filter(failing)) (listed.has(check.id) ? expectedFailures : unexpectedFailures).push(`${result.scenario}:${check.id}`);
    for (const id of listed) if (!result.checks.some((c) => c.id === id && failing(c))) staleEntries.push(`${result.scenario}:${id}`);
  }
  // An entry for a scenario that no longer runs is stale too: the baseline must describe the selection.
  for (const { entry } of era.baseline) if (!ran.has(entry.split(':')[0] as string)) staleEntries.push(entry);
  return { unexpectedFailures: [...new Set(unexpectedFailures)], staleEntries, expectedFailures: [...new Set(expectedFailures)] };
}
