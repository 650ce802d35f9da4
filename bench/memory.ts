/**
 * Memory search: quality on a labelled set, and latency, memory and recall
 * at scale (`npm run bench -- memory --scale 100000`; default 10,000).
 *
 * Quality. bench/data/memory-eval.json holds memories of a fictional
 * company's life and queries labelled with the keys that answer them. The
 * memories are stored through `storeMemory` and embedded by the packaged
 * offline model (the one local mode and the tests use; Titan is not measured
 * here: no AWS account). Each query runs through `searchMemories` three times,
 * ranked semantically, lexically and hybrid (functions/core/memory/ranking.ts):
 *   recall@5 = share of a query's relevant keys in its top 5, averaged;
 *   MRR      = 1 / rank of the first relevant result (0 beyond 10), averaged.
 *
 * Scale. A second tenant holds the same labelled memories (same real
 * vectors) plus synthetic filler up to `--scale` memories, generated
 * deterministically (seeded PRNG, templates about meetings, tickets,
 * deploys, expenses, customers...). The filler is embedded with a cheap
 * PSEUDO-embedding, not the model (100,000 model calls would take an hour
 * of CPU): a bag-of-words random projection (each word a fixed random
 * direction, plus a random direction of the memory's own) normalized, so
 * memories sharing words are near each other as with a real model, and the
 * approximate index faces clustered data rather than uniform noise. It is
 * written the way `npm run memory -- reembed` rebuilds: items into the
 * table in batches, then both indexes in batches (search-index.ts), in a
 * persisted data dir. With `--data <dir>` the built tenant is kept there
 * (`<dir>/memory-<scale>`, marked with the scale, the local index format
 * and the generator's version) and reused by the next run that matches,
 * copied to a fresh directory first so every run restarts on the build as
 * it was written. Then a NEW PROCESS (the "server": bench/memory-server.ts)
 * opens that data dir like `npm start` and measures, with the query vectors
 * embedded beforehand (the timed path is the whole `searchMemories` use case
 * minus the query embedding):
 *   restart-to-first-search  spawn of the process to the first search's answer
 *   search p50 / p95         labelled queries over the whole tenant
 *   RSS                      the server process's own resident memory (that process
 *                            holds the data: engine, indexes): its peak over its whole
 *                            life (the kernel's VmHWM), split (at the highest sample) into anonymous
 *                            memory and file pages (the mapped HNSW snapshot, the
 *                            engine's table files, the binaries)
 *   recall@10                approximate index (HNSW) vs exact search, over
 *                            pseudo-embedded queries, on the same vectors
 *   hybrid recall@5, exact-id recall  the labelled queries among all the memories
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import usearch, { type BatchMatches } from 'usearch';
import type { EndpointId } from '../functions/contracts/roles.js';
import { LOCAL_INDEX_FORMAT } from '../functions/adapters/local/index-files.js';
import { PackagedEmbedder } from '../functions/adapters/local/packaged-embedder.js';
import type { Deps } from '../functions/core/context.js';
import { keys } from '../functions/core/keys.js';
import { toItem, type MemoryRecord } from '../functions/core/memory/model.js';
import type { RankingMode } from '../functions/core/memory/ranking.js';
import { indexRecords, modelTag } from '../functions/core/memory/search-index.js';
import { searchMemories } from '../functions/core/memory/search-memories.js';
import { storeMemory } from '../functions/core/memory/store-memory.js';
import { encodeVector } from '../functions/core/memory/vectors.js';
import type { Embedder } from '../functions/ports/embedder.js';
import type { Log } from '../functions/ports/logger.js';
import { startLocal } from '../functions/runtime/local.js';
import type { BenchOptions } from './run.js';
import { environment, round, table, target, type TargetResult } from './support.js';

const EVAL_FILE = new URL('./data/memory-eval.json', import.meta.url);
const SERVER = new URL('./memory-server.ts', import.meta.url);
const DEFAULT_SCALE = 10_000;
const MODES: readonly RankingMode[] = ['semantic', 'lexical', 'hybrid'];
const RECALL_AT = 5;
const MRR_DEPTH = 10;
/** Pseudo-embedded queries for the approximate-vs-exact recall. */
const ANN_QUERIES = 200;
const BATCH = 1_000;
const TENANT_SUFFIX = '-scale';
/** What a kept build (--data) was made by; a build whose marker differs is rebuilt. Bump when the filler or the build changes. */
const GENERATOR_VERSION = 1;
const BUILT_MARKER = 'bench-built.json';
export const TARGETS = { hybridRecallAt5: 0.92, exactIdRecall: 1, p50Ms: 20, p95Ms: 50, rssMb: 500, restartMs: 5_000, annRecallAt10: 0.95 } as const;

export interface EvalSet {
  readonly tenant: string;
  readonly memories: readonly { key: string; author: EndpointId; tags: string[]; content: string }[];
  readonly queries: readonly { id: string; query: string; kind: 'paraphrase' | 'exact'; relevant: string[] }[];
}

export interface Quality {
  readonly recallAt5: number;
  readonly mrr: number;
  readonly recallAt5Paraphrase: number;
  readonly recallAt5Exact: number;
}

/** What the server process reports (bench/memory-server.ts). */
export interface ServerReport {
  readonly firstSearchMs: number;
  /** CPU time of the server process (user + system, module loading included) until its first search answered: the restart's cost apart from waiting for a shared CPU. */
  readonly firstSearchCpuMs: number;
  readonly samples: number[];
  /** The server process's peak resident set: the kernel's high-water mark (VmHWM) over its whole life, or the highest sampled. */
  readonly rssMb: number;
  /** At the highest RSS sampled: anonymous memory and file-backed pages (Linux; 0 elsewhere). */
  readonly rssAnonMb: number;
  readonly rssFileMb: number;
  readonly heapMb: number;
  /** Peak resident set once the server has also loaded the packaged offline model and embedded the labelled queries with it (not a target: the targets exclude the query embedding). */
  readonly rssWithModelMb: number;
  readonly atScale: Quality;
  readonly annKeys: string[][];
}

/** "At least" targets (support.ts's `target` judges "at most"). */
function atLeast(value: number, limit: number, unit: string): TargetResult {
  return { limit, value: round(value), unit, pass: value >= limit };
}

export async function run(options: BenchOptions = {}): Promise<Record<string, unknown>> {
  const scale = options.scale ?? DEFAULT_SCALE;
  // The machine's 1-minute load average: wall-clock figures on a shared machine depend on it.
  const loadStart = round(loadavg()[0] as number);
  const evalSet = JSON.parse(await readFile(EVAL_FILE, 'utf8')) as EvalSet;
  if (scale < evalSet.memories.length) throw new Error(`--scale must be at least ${evalSet.memories.length} (the labelled memories)`);
  const packaged = new PackagedEmbedder();
  const embedder = new CachingEmbedder(packaged);
  const log = quietLog();
  const ctx = { correlationId: 'bench-memory' };

  // Quality: the labelled memories alone, real vectors, in memory.
  const small = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log, embedder });
  const quality = {} as Record<RankingMode, Quality>;
  const misses: string[] = [];
  let storeMsPerMemory = 0;
  let queryEmbedMs = 0;
  try {
    progress(`storing ${evalSet.memories.length} labelled memories with the offline model`);
    const storeStarted = performance.now();
    for (const m of evalSet.memories) {
      await storeMemory(small.deps, ctx, { tenantId: evalSet.tenant, key: m.key, content: m.content, tags: m.tags, author: m.author });
    }
    storeMsPerMemory = (performance.now() - storeStarted) / evalSet.memories.length;
    const queryEmbedStarted = performance.now();
    for (const q of evalSet.queries) await embedder.embed([q.query]);
    queryEmbedMs = (performance.now() - queryEmbedStarted) / evalSet.queries.length;
    for (const mode of MODES) quality[mode] = await measureQuality(small.deps, evalSet.tenant, evalSet, mode, mode === 'hybrid' ? misses : undefined);
  } finally {
    await small.close();
  }

  // Scale: build the tenant in a persisted data dir, the way a rebuild writes it (or reuse the one kept by --data).
  const workDir = await mkdtemp(join(tmpdir(), 'conclave-bench-memory-'));
  try {
    const tenant = `${evalSet.tenant}${TENANT_SUFFIX}`;
    const labelled = new Map(evalSet.memories.map((m) => [m.key, m]));
    const filler = syntheticMemories(scale - evalSet.memories.length);
    const dims = packaged.dimensions;
    // Every vector of the tenant, kept for the exact search (row i = memory i); deterministic, so a kept build has the same.
    const all = [...evalSet.memories, ...filler];
    const matrix = new Float32Array(all.length * dims);
    for (const [i, m] of all.entries()) {
      const vector = labelled.has(m.key) ? ((await embedder.embed([`${m.key.replace(/[-_./:#]+/g, ' ').trim()}. ${m.content}`]))[0] as Float32Array) : pseudoEmbedding(m.content, m.key, dims);
      matrix.set(vector, i * dims);
    }
    const kept = options.dataDir ? join(resolve(options.dataDir), `memory-${scale}`) : undefined;
    const builtDir = kept ?? join(workDir, 'data');
    const marker = JSON.stringify({ scale, format: LOCAL_INDEX_FORMAT, generator: GENERATOR_VERSION, evalSet: createHash('sha256').update(JSON.stringify(evalSet)).digest('hex'), model: packaged.modelId });
    const reused = kept !== undefined && (await readFile(join(kept, BUILT_MARKER), 'utf8').catch(() => '')) === marker;
    let build = { seconds: Number.NaN, tableMs: Number.NaN, indexMs: Number.NaN };
    if (reused) progress(`reusing the ${scale.toLocaleString('en')} memories built in ${builtDir}`);
    else {
      await rm(builtDir, { recursive: true, force: true });
      progress(`building ${scale.toLocaleString('en')} memories (pseudo-embedded filler) in ${builtDir}`);
      build = await buildTenant(builtDir, tenant, all, matrix, { modelId: packaged.modelId, dims, log, embedder });
      if (kept) await writeFile(join(kept, BUILT_MARKER), marker);
    }
    // A kept build is copied, so the restart measured always opens the build as it was written.
    const dataDir = kept ? join(workDir, 'data') : builtDir;
    if (kept) await cp(kept, dataDir, { recursive: true });
    const buildSeconds = build.seconds;
    const tableMs = build.tableMs;
    const indexMs = build.indexMs;

    // The queries the server times: the labelled ones (real vectors) and pseudo-embedded ones for the approximate-vs-exact recall.
    const annTexts = syntheticMemories(ANN_QUERIES, 777).map((m) => m.content);
    const annVectors = annTexts.map((t, i) => pseudoEmbedding(t, `query-${i}`, dims));
    const queryVectors: Record<string, number[]> = {};
    for (const q of evalSet.queries) queryVectors[q.query] = Array.from((await embedder.embed([q.query]))[0] as Float32Array);
    const requestFile = join(workDir, 'bench-request.json');
    await writeFile(requestFile, JSON.stringify({ tenant, model: packaged.modelId, evalSet, queryVectors, annVectors: annVectors.map((v) => Array.from(v)) }));

    progress('restarting: a new server process opens the data dir and searches');
    const { report: serverReport, spawnToFirstSearchMs } = await runServer(dataDir, requestFile);

    // Exact top 10 of the same vectors, for the approximate index's recall.
    const exact = usearch.exactSearch(matrix, flatten(annVectors, dims), dims, 10, usearch.MetricKind.Cos) as BatchMatches;
    let hits = 0;
    for (let q = 0; q < ANN_QUERIES; q++) {
      const truth = new Set(Array.from(exact.get(q).keys, (row) => (all[Number(row)] as { key: string }).key));
      hits += (serverReport.annKeys[q] ?? []).filter((k) => truth.has(k)).length;
    }
    const annRecall = hits / (ANN_QUERIES * 10);
    const latency = { samples: serverReport.samples.length, p50Ms: round(quantileOf(serverReport.samples, 0.5)), p95Ms: round(quantileOf(serverReport.samples, 0.95)), p99Ms: round(quantileOf(serverReport.samples, 0.99)) };

    const targets = {
      hybridRecallAt5: atLeast(quality.hybrid.recallAt5, TARGETS.hybridRecallAt5, 'recall@5'),
      exactIdRecall: atLeast(quality.hybrid.recallAt5Exact, TARGETS.exactIdRecall, 'recall@5'),
      searchP50Ms: target(latency.p50Ms, TARGETS.p50Ms, 'ms'),
      searchP95Ms: target(latency.p95Ms, TARGETS.p95Ms, 'ms'),
      serverRssMb: target(serverReport.rssMb, TARGETS.rssMb, 'MB'),
      restartToFirstSearchMs: target(spawnToFirstSearchMs, TARGETS.restartMs, 'ms'),
      annRecallAt10: atLeast(annRecall, TARGETS.annRecallAt10, 'recall@10'),
    };
    const figures = {
      scale,
      reusedBuild: reused,
      buildSeconds: round(buildSeconds),
      tableSeconds: round(tableMs / 1000),
      indexSeconds: round(indexMs / 1000),
      spawnToFirstSearchMs: round(spawnToFirstSearchMs),
      firstSearchInProcessMs: round(serverReport.firstSearchMs),
      restartCpuMs: round(serverReport.firstSearchCpuMs),
      loadAverage: { atStart: loadStart, atEnd: round(loadavg()[0] as number) },
      rssMb: round(serverReport.rssMb),
      rssAnonMb: round(serverReport.rssAnonMb),
      rssFileMb: round(serverReport.rssFileMb),
      heapMb: round(serverReport.heapMb),
      rssWithOfflineModelMb: round(serverReport.rssWithModelMb),
      annRecallAt10: round(annRecall * 1000) / 1000,
      atScale: roundAll(serverReport.atScale),
    };
    report(evalSet, quality, misses, latency, figures, { storeMsPerMemory, queryEmbedMs }, targets);
    return {
      evalSet: { memories: evalSet.memories.length, queries: evalSet.queries.length, model: packaged.modelId },
      quality: Object.fromEntries(MODES.map((m) => [m, roundAll(quality[m])])),
      hybridMisses: misses,
      latency: { memories: scale, excludes: 'query embedding', ...latency },
      scale: { fillerEmbedding: 'bag-of-words random projection (pseudo-embedding), no meaning', ...figures },
      offlineModel: { storeMsPerMemory: round(storeMsPerMemory), queryEmbedMs: round(queryEmbedMs) },
      targets,
      allTargetsPass: Object.values(targets).every((t) => t.pass),
      ...environment(),
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Writes the tenant the way `npm run memory -- reembed` rebuilds: items into the table in batches, then both indexes in batches. */
async function buildTenant(
  dataDir: string,
  tenant: string,
  all: readonly { key: string; author: EndpointId; tags: string[]; content: string }[],
  matrix: Float32Array,
  setup: { modelId: string; dims: number; log: Log; embedder: Embedder },
): Promise<{ seconds: number; tableMs: number; indexMs: number }> {
  const { modelId, dims } = setup;
  const started = performance.now();
  const server = await startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 300_000, log: setup.log, embedder: setup.embedder });
  let tableMs = 0;
  let indexMs = 0;
  try {
    const at = new Date().toISOString();
    for (let i = 0; i < all.length; i += BATCH) {
      const slice = all.slice(i, i + BATCH);
      const records: MemoryRecord[] = slice.map((m, j) => ({
        key: m.key,
        state: 'active',
        version: 1,
        content: m.content,
        tags: m.tags,
        metadata: {},
        author: m.author,
        createdBy: m.author,
        createdAt: at,
        updatedAt: at,
        embedding: 'ready',
        vector: { model: modelId, dims, bytes: encodeVector(matrix.subarray((i + j) * dims, (i + j + 1) * dims)) },
      }));
      let t = performance.now();
      const items = records.map((r, j) => toItem(tenant, r, Date.now() + i + j));
      await pool(chunks(items, 25), 4, (batch) => server.deps.store.putMany(batch));
      tableMs += performance.now() - t;
      t = performance.now();
      await indexRecords(server.deps, tenant, records);
      indexMs += performance.now() - t;
      if ((i / BATCH) % 10 === 9) progress(`  ${(i + slice.length).toLocaleString('en')} written`);
    }
    await server.deps.store.increment({
      key: keys.memoryCounts(tenant),
      add: { active: all.length, [`vectors_${modelTag(modelId, dims).replace(/[^A-Za-z0-9]/g, '_')}`]: all.length },
      set: { type: 'memory-counts' },
    });
  } finally {
    await server.close();
  }
  return { seconds: (performance.now() - started) / 1000, tableMs, indexMs };
}

/** The node options `npm start` runs the local server with (package.json's start script), so the measured server runs as it does. */
async function startFlags(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const flags = /\bnode\s+(.*?)\s*bin\/local\.ts/.exec(pkg.scripts.start)?.[1];
  if (flags === undefined) throw new Error(`cannot read the node options of the start script: ${pkg.scripts.start}`);
  return flags.split(/\s+/).filter(Boolean);
}

/** Spawns the server process and waits for its report (the last line of its stdout). */
async function runServer(dataDir: string, requestFile: string): Promise<{ report: ServerReport; spawnToFirstSearchMs: number }> {
  const started = performance.now();
  let firstAt = 0;
  const child = spawn(process.execPath, [...(await startFlags()), SERVER.pathname, dataDir, requestFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    if (!firstAt && chunk.includes('first-search-done')) firstAt = performance.now();
    out += chunk;
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`the server process exited with ${code}`);
  const last = out.trim().split('\n').at(-1) as string;
  return { report: JSON.parse(last) as ServerReport, spawnToFirstSearchMs: firstAt - started };
}

export async function measureQuality(deps: Deps, tenantId: string, evalSet: EvalSet, mode: RankingMode, misses?: string[]): Promise<Quality> {
  const recall: Record<'all' | 'paraphrase' | 'exact', number[]> = { all: [], paraphrase: [], exact: [] };
  let reciprocal = 0;
  for (const q of evalSet.queries) {
    const { results } = await searchMemories(deps, { tenantId, query: q.query, limit: MRR_DEPTH, ranking: mode });
    const keys = results.map((r) => r.key);
    const r = q.relevant.filter((k) => keys.slice(0, RECALL_AT).includes(k)).length / q.relevant.length;
    recall.all.push(r);
    recall[q.kind].push(r);
    const first = keys.findIndex((k) => q.relevant.includes(k));
    reciprocal += first < 0 ? 0 : 1 / (first + 1);
    if (misses && r < 1) misses.push(`${q.id} "${q.query}" → top 5: ${keys.slice(0, RECALL_AT).join(', ')}`);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
  return { recallAt5: mean(recall.all), mrr: reciprocal / evalSet.queries.length, recallAt5Paraphrase: mean(recall.paraphrase), recallAt5Exact: mean(recall.exact) };
}

function roundAll(q: Quality): Quality {
  return { recallAt5: round(q.recallAt5), mrr: round(q.mrr), recallAt5Paraphrase: round(q.recallAt5Paraphrase), recallAt5Exact: round(q.recallAt5Exact) };
}

/**
 * The packaged model for the labelled memories and the queries (cached by
 * text), so a text is embedded once however often it is stored or searched.
 */
class CachingEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  private readonly cache = new Map<string, Float32Array>();

  constructor(private readonly inner: Embedder) {
    this.modelId = inner.modelId;
    this.dimensions = inner.dimensions;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const missing = texts.filter((t) => !this.cache.has(t));
    if (missing.length > 0) {
      const vectors = await this.inner.embed(missing);
      missing.forEach((t, i) => this.cache.set(t, vectors[i] as Float32Array));
    }
    return texts.map((t) => this.cache.get(t) as Float32Array);
  }
}

/** Records how long each embed call took, so it can be taken out of the search time. */
export class CountingEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  constructor(
    private readonly inner: Embedder,
    private readonly samples: number[],
  ) {
    this.modelId = inner.modelId;
    this.dimensions = inner.dimensions;
  }
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const started = performance.now();
    try {
      return await this.inner.embed(texts);
    } finally {
      this.samples.push(performance.now() - started);
    }
  }
}

const wordVectors = new Map<string, Float32Array>();

/**
 * A pseudo-embedding: the normalized sum of a fixed random direction per
 * word of the text and one of the memory's own (its key), so texts sharing
 * words are close, as with a model, and no two memories coincide.
 */
export function pseudoEmbedding(text: string, own: string, dims: number): Float32Array {
  const v = new Float32Array(dims);
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  for (const word of words) {
    let w = wordVectors.get(word);
    if (!w) wordVectors.set(word, (w = randomUnit(word, dims)));
    for (let i = 0; i < dims; i++) v[i] = (v[i] as number) + (w[i] as number) / Math.sqrt(words.length || 1);
  }
  const mine = randomUnit(own, dims);
  for (let i = 0; i < dims; i++) v[i] = (v[i] as number) + 0.8 * (mine[i] as number);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dims; i++) v[i] = (v[i] as number) / norm;
  return v;
}

function randomUnit(seed: string, dims: number): Float32Array {
  const random = mulberry32(hash(seed));
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const x = random() + random() + random() - 1.5;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i] = (v[i] as number) / norm;
  return v;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROLES: readonly EndpointId[] = ['ceo', 'cto', 'chro', 'operations_head', 'product_manager', 'senior_architect', 'uiux_engineer', 'senior_developer', 'test_lead'];
const PEOPLE = ['Ana Souza', 'Ben Carter', 'Chen Wei', 'Dara Nolan', 'Elif Yilmaz', 'Farid Haddad', 'Grace Kim', 'Hugo Martin', 'Ines Duarte', 'Kofi Mensah', 'Lena Fischer', 'Marco Rossi'];
const TEAMS = ['platform', 'payments', 'mobile', 'growth', 'data', 'support', 'sales', 'carrier integrations', 'billing', 'infrastructure'];
const COMPONENTS = ['label service', 'orders API', 'tracking page', 'dispatcher app', 'invoice module', 'search index', 'webhook sender', 'auth service', 'reporting job', 'address validator', 'rate calculator', 'notification worker'];
const TOPICS = ['hiring pipeline', 'sprint scope', 'database upgrade', 'customer onboarding', 'pricing page copy', 'on-call load', 'test coverage', 'vendor contract', 'quarterly budget', 'carrier API changes', 'dashboard performance', 'security review', 'roadmap dates', 'documentation gaps'];
const COMPANIES = ['Blue Harbor Logistics', 'Vantage Retail', 'Kestrel Foods', 'Orbit Pharma', 'Nordlys Trade', 'Pine & Co', 'Sunline Parts', 'Meridian Home'];
const OUTCOMES = ['rolled out without issues', 'rolled back after an error spike', 'paused behind a feature flag', 'completed after a retry', 'delayed by a failing check'];
const ITEMS = ['team lunch', 'conference tickets', 'test devices', 'monitor stands', 'cloud credits', 'customer dinner', 'training course', 'office supplies'];

/** Deterministic filler: the same memories on every run (ids from 3000 up, clear of the labelled set's). */
export function syntheticMemories(count: number, seed = 20261121): { key: string; author: EndpointId; tags: string[]; content: string }[] {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const out: { key: string; author: EndpointId; tags: string[]; content: string }[] = [];
  for (let i = 0; i < count; i++) {
    const n = 3000 + i;
    const team = pick(TEAMS);
    const kind = i % 6;
    const [key, tags, content] =
      kind === 0
        ? [`notes/sync-${n}`, ['meeting', team], `Weekly sync of the ${team} team: discussed the ${pick(TOPICS)} and the ${pick(TOPICS)}; ${pick(PEOPLE)} follows up on the ${pick(COMPONENTS)}.`]
        : kind === 1
          ? [`ticket/HAL-${n}`, ['ticket', team], `HAL-${n}: the ${pick(COMPONENTS)} ${pick(['times out', 'returns stale data', 'logs too much', 'needs a retry limit', 'is slow on large accounts'])} for ${pick(COMPANIES)}; assigned to ${pick(PEOPLE)}.`]
          : kind === 2
            ? [`deploy/${n}`, ['deploy', team], `Deploy of the ${pick(COMPONENTS)} v${1 + (i % 9)}.${i % 17}.${i % 5} to production: ${pick(OUTCOMES)}.`]
            : kind === 3
              ? [`expense/EXP-${n}`, ['expense', team], `Expense EXP-${n}: ${(50 + random() * 4950).toFixed(2)} USD for ${pick(ITEMS)}, approved for the ${team} team.`]
              : kind === 4
                ? [`customer/call-${n}`, ['customer', 'call'], `Call with ${pick(COMPANIES)}: they asked about the ${pick(COMPONENTS)} and the ${pick(TOPICS)}; ${pick(PEOPLE)} sends a summary.`]
                : [`note/${n}`, ['note', team], `Note from ${pick(PEOPLE)} on the ${pick(TOPICS)}: the ${pick(COMPONENTS)} needs an owner in the ${team} team before next quarter.`];
    out.push({ key, author: pick(ROLES), tags, content });
  }
  return out;
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
    }),
  );
}

/** Progress goes to stderr: stdout carries the report and the JSON line. */
function progress(message: string): void {
  process.stderr.write(`[bench memory] ${message}\n`);
}

function quietLog(): Log {
  const ignore = () => undefined;
  return { debug: ignore, info: ignore, warn: ignore, error: (message, fields) => console.error(message, fields ?? '') };
}


function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function flatten(vectors: readonly Float32Array[], dims: number): Float32Array {
  const out = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => out.set(v, i * dims));
  return out;
}

function quantileOf(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1] ?? Number.NaN;
}

function report(
  evalSet: EvalSet,
  quality: Record<RankingMode, Quality>,
  misses: readonly string[],
  latency: { samples: number; p50Ms: number; p95Ms: number; p99Ms: number },
  scale: {
    scale: number;
    reusedBuild: boolean;
    buildSeconds: number;
    tableSeconds: number;
    indexSeconds: number;
    spawnToFirstSearchMs: number;
    firstSearchInProcessMs: number;
    restartCpuMs: number;
    loadAverage: { atStart: number; atEnd: number };
    rssMb: number;
    rssAnonMb: number;
    rssFileMb: number;
    heapMb: number;
    rssWithOfflineModelMb: number;
    annRecallAt10: number;
    atScale: Quality;
  },
  model: { storeMsPerMemory: number; queryEmbedMs: number },
  targets: Record<string, TargetResult>,
): void {
  const { node, cpus } = environment();
  const paraphrases = evalSet.queries.filter((q) => q.kind === 'paraphrase').length;
  const n = scale.scale.toLocaleString('en');
  console.log(`\nmemory search quality: ${evalSet.memories.length} labelled memories, ${evalSet.queries.length} queries (${paraphrases} paraphrased, ${evalSet.queries.length - paraphrases} exact ids/names)`);
  console.log(`offline model ${new PackagedEmbedder().modelId}; node ${node}, ${cpus} CPUs\n`);
  console.log(
    table(
      ['ranking', 'recall@5', 'MRR', 'recall@5 paraphrase', 'recall@5 exact'],
      MODES.map((m) => [m, quality[m].recallAt5, quality[m].mrr, quality[m].recallAt5Paraphrase, quality[m].recallAt5Exact]),
    ),
  );
  if (misses.length) console.log(`\nhybrid: queries with a relevant memory outside the top 5:\n${misses.map((m) => `  ${m}`).join('\n')}`);
  console.log(`\nat ${n} memories in one tenant (${evalSet.memories.length} labelled + pseudo-embedded filler), a restarted server process on the persisted data dir, query embedding excluded:\n`);
  console.log(table(['searches', 'p50 ms', 'p95 ms', 'p99 ms', 'RSS MB', 'restart→first search ms', 'ANN recall@10'], [[String(latency.samples), latency.p50Ms, latency.p95Ms, latency.p99Ms, scale.rssMb, scale.spawnToFirstSearchMs, scale.annRecallAt10]]));
  console.log(
    (scale.reusedBuild ? '\nbuild: reused (kept by --data from an earlier run of this scale and index format); ' : `\nbuild (table + both indexes, batches of ${BATCH}): ${scale.buildSeconds} s (table ${scale.tableSeconds} s, indexes ${scale.indexSeconds} s); `) +
      `restart: ${scale.spawnToFirstSearchMs} ms from spawn (${scale.firstSearchInProcessMs} ms from the process's start, ${scale.restartCpuMs} ms of CPU) to the first search's answer; ` +
      `machine load average ${scale.loadAverage.atStart} → ${scale.loadAverage.atEnd} on ${cpus} CPUs; RSS ${scale.rssMb} MB = ${scale.rssAnonMb} MB anonymous + ${scale.rssFileMb} MB file pages; heap ${scale.heapMb} MB; peak RSS once the packaged offline query model is also loaded (not a target: query embedding excluded) ${scale.rssWithOfflineModelMb} MB; ` +
      `labelled queries among the ${n}: hybrid recall@5 ${scale.atScale.recallAt5}, exact ids ${scale.atScale.recallAt5Exact}, MRR ${scale.atScale.mrr}.`,
  );
  console.log(`offline model cost (excluded above): storing ${round(model.storeMsPerMemory)} ms per memory, embedding a query ${round(model.queryEmbedMs)} ms.`);
  console.log('\ntargets:');
  for (const [name, t] of Object.entries(targets)) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${name}: ${t.value} ${t.unit} (limit ${t.limit})`);
  console.log('');
}
