/**
 * Memory search: quality on a labelled set, and latency at 10,000 memories.
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
 * Latency. A second tenant holds the same labelled memories (same real
 * vectors) plus synthetic filler up to 10,000 memories, generated
 * deterministically (seeded PRNG, templates about meetings, tickets,
 * deploys, expenses, customers...). The filler is embedded with a cheap
 * deterministic PSEUDO-embedding (a seeded random unit vector per text) to
 * keep the run short: it has the real shape (512 dimensions, int8 on
 * disk, same model id, so every search compares 10,000 vectors) but no
 * meaning, so the 10k figures are about speed. Query vectors are embedded
 * once beforehand and served from a cache: the timed path is the whole
 * `searchMemories` use case minus the query embedding (revision check on the
 * store, scoring 10,000 vectors and BM25 postings, fusion, the strongly
 * consistent re-read of the results), on in-memory dynalite.
 */
import { readFile } from 'node:fs/promises';
import type { EndpointId } from '../functions/contracts/roles.js';
import { PackagedEmbedder } from '../functions/adapters/local/packaged-embedder.js';
import { DynamoStore } from '../functions/adapters/aws/dynamo-store.js';
import type { Deps } from '../functions/core/context.js';
import { memoryIndex } from '../functions/core/memory/memory-index.js';
import type { RankingMode } from '../functions/core/memory/ranking.js';
import { searchMemories } from '../functions/core/memory/search-memories.js';
import { storeMemory } from '../functions/core/memory/store-memory.js';
import type { Embedder } from '../functions/ports/embedder.js';
import type { Log } from '../functions/ports/logger.js';
import { LOCAL_TABLE, startLocal } from '../functions/runtime/local.js';
import { environment, quantile, round, table, target, verdict, type TargetResult } from './support.js';

const EVAL_FILE = new URL('./data/memory-eval.json', import.meta.url);
const TOTAL_MEMORIES = 10_000;
const MODES: readonly RankingMode[] = ['semantic', 'lexical', 'hybrid'];
const RECALL_AT = 5;
const MRR_DEPTH = 10;
const WARMUP_ROUNDS = 2;
const TIMED_ROUNDS = 10;
const LOAD_CONCURRENCY = 16;
const RECALL_TARGET = 0.9;
const P50_LIMIT_MS = 30;

interface EvalSet {
  readonly tenant: string;
  readonly memories: readonly { key: string; author: EndpointId; tags: string[]; content: string }[];
  readonly queries: readonly { id: string; query: string; kind: 'paraphrase' | 'exact'; relevant: string[] }[];
}

interface Quality {
  readonly recallAt5: number;
  readonly mrr: number;
  readonly recallAt5Paraphrase: number;
  readonly recallAt5Exact: number;
}

/** "At least" targets (support.ts's `target` judges "at most"). */
function atLeast(value: number, limit: number, unit: string): TargetResult {
  return { limit, value: round(value), unit, pass: value >= limit };
}

export async function run(): Promise<Record<string, unknown>> {
  const evalSet = JSON.parse(await readFile(EVAL_FILE, 'utf8')) as EvalSet;
  const packaged = new PackagedEmbedder();
  const embedder = new CachingEmbedder(packaged);
  const log = quietLog();
  const conclave = await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log, embedder });
  try {
    const deps = conclave.deps;
    const ctx = { correlationId: 'bench-memory' };

    // Quality: the labelled memories alone, real vectors.
    progress(`storing ${evalSet.memories.length} labelled memories with the offline model`);
    const storeStarted = performance.now();
    for (const m of evalSet.memories) {
      await storeMemory(deps, ctx, { tenantId: evalSet.tenant, key: m.key, content: m.content, tags: m.tags, author: m.author });
    }
    const storeMsPerMemory = (performance.now() - storeStarted) / evalSet.memories.length;
    const queryEmbedStarted = performance.now();
    // One at a time, as a search embeds its query.
    for (const q of evalSet.queries) await embedder.embed([q.query]);
    const queryEmbedMs = (performance.now() - queryEmbedStarted) / evalSet.queries.length;

    const quality = {} as Record<RankingMode, Quality>;
    const misses: string[] = [];
    for (const mode of MODES) {
      quality[mode] = await measureQuality(deps, evalSet.tenant, evalSet, mode, mode === 'hybrid' ? misses : undefined);
    }

    // Latency: the same memories plus filler up to 10,000.
    progress(`storing ${TOTAL_MEMORIES.toLocaleString('en')} memories for the latency run`);
    const bigTenant = `${evalSet.tenant}-10k`;
    embedder.fillerMode = true;
    const loadStarted = performance.now();
    const filler = syntheticMemories(TOTAL_MEMORIES - evalSet.memories.length);
    await pool(
      [...evalSet.memories, ...filler],
      LOAD_CONCURRENCY,
      (m) => storeMemory(deps, ctx, { tenantId: bigTenant, key: m.key, content: m.content, tags: m.tags, author: m.author }).then(() => undefined),
    );
    const loadSeconds = (performance.now() - loadStarted) / 1000;

    // A fresh process's first search pays a full index load: time it on a second store client (its own index registry).
    const coldClient = conclave.engineClient();
    const coldStore = new DynamoStore(coldClient, LOCAL_TABLE);
    const coldStarted = performance.now();
    const coldIndex = await memoryIndex({ store: coldStore, clock: deps.clock }, bigTenant);
    const coldLoadMs = performance.now() - coldStarted;
    coldClient.destroy();
    if (coldIndex.size !== TOTAL_MEMORIES) throw new Error(`index holds ${coldIndex.size} memories, expected ${TOTAL_MEMORIES}`);

    progress(`timing ${(WARMUP_ROUNDS + TIMED_ROUNDS) * evalSet.queries.length} searches`);
    const samples: number[] = [];
    const embedSamples: number[] = [];
    const timed = new CountingEmbedder(embedder, embedSamples);
    const searchDeps: Deps = { ...deps, embedder: timed };
    for (let round = 0; round < WARMUP_ROUNDS + TIMED_ROUNDS; round++) {
      for (const q of evalSet.queries) {
        const started = performance.now();
        const before = embedSamples.length;
        await searchMemories(searchDeps, { tenantId: bigTenant, query: q.query, limit: 10 });
        const embedMs = embedSamples.slice(before).reduce((a, b) => a + b, 0);
        if (round >= WARMUP_ROUNDS) samples.push(performance.now() - started - embedMs);
      }
    }
    const atScale = await measureQuality(searchDeps, bigTenant, evalSet, 'hybrid');
    const latency = { samples: samples.length, p50Ms: round(quantile(samples, 0.5)), p95Ms: round(quantile(samples, 0.95)), p99Ms: round(quantile(samples, 0.99)) };
    const cacheEmbedP50Ms = round(quantile(embedSamples, 0.5));

    const targets = {
      hybridRecallAt5: atLeast(quality.hybrid.recallAt5, RECALL_TARGET, 'recall@5'),
      searchP50Ms: target(latency.p50Ms, P50_LIMIT_MS, 'ms'),
    };
    report(evalSet, quality, misses, latency, { storeMsPerMemory, queryEmbedMs, loadSeconds, coldLoadMs, atScale, cacheEmbedP50Ms }, targets);
    return {
      evalSet: { memories: evalSet.memories.length, queries: evalSet.queries.length, model: packaged.modelId },
      quality: Object.fromEntries(MODES.map((m) => [m, roundAll(quality[m])])),
      hybridMisses: misses,
      latency: { memories: TOTAL_MEMORIES, excludes: 'query embedding', ...latency },
      scale: {
        fillerEmbedding: 'deterministic pseudo-embedding (seeded random unit vectors), latency only',
        loadSeconds: round(loadSeconds),
        coldIndexLoadMs: round(coldLoadMs),
        hybridRecallAt5Among10k: round(atScale.recallAt5),
        hybridMrrAmong10k: round(atScale.mrr),
      },
      offlineModel: { storeMsPerMemory: round(storeMsPerMemory), queryEmbedMs: round(queryEmbedMs) },
      targets,
      allTargetsPass: Object.values(targets).every((t) => t.pass),
      ...environment(),
    };
  } finally {
    await conclave.close();
  }
}

async function measureQuality(deps: Deps, tenantId: string, evalSet: EvalSet, mode: RankingMode, misses?: string[]): Promise<Quality> {
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
 * text); in filler mode, texts it has not seen get a pseudo-embedding.
 */
class CachingEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  fillerMode = false;
  private readonly cache = new Map<string, Float32Array>();

  constructor(private readonly inner: Embedder) {
    this.modelId = inner.modelId;
    this.dimensions = inner.dimensions;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const missing = texts.filter((t) => !this.cache.has(t));
    if (missing.length > 0) {
      const vectors = this.fillerMode ? missing.map((t) => pseudoEmbedding(t, this.dimensions)) : await this.inner.embed(missing);
      missing.forEach((t, i) => this.cache.set(t, vectors[i] as Float32Array));
    }
    return texts.map((t) => this.cache.get(t) as Float32Array);
  }
}

/** Records how long each embed call took, so it can be taken out of the search time. */
class CountingEmbedder implements Embedder {
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

/** A seeded random unit vector per text: the shape of an embedding, none of the meaning. */
function pseudoEmbedding(text: string, dims: number): Float32Array {
  const random = mulberry32(hash(text));
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

/** Deterministic filler: the same 9,885 memories on every run. */
function syntheticMemories(count: number): { key: string; author: EndpointId; tags: string[]; content: string }[] {
  const random = mulberry32(20261121);
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

function report(
  evalSet: EvalSet,
  quality: Record<RankingMode, Quality>,
  misses: readonly string[],
  latency: { samples: number; p50Ms: number; p95Ms: number; p99Ms: number },
  extra: { storeMsPerMemory: number; queryEmbedMs: number; loadSeconds: number; coldLoadMs: number; atScale: Quality; cacheEmbedP50Ms: number },
  targets: Record<string, TargetResult>,
): void {
  const { node, cpus } = environment();
  const paraphrases = evalSet.queries.filter((q) => q.kind === 'paraphrase').length;
  console.log(`\nmemory search quality: ${evalSet.memories.length} labelled memories, ${evalSet.queries.length} queries (${paraphrases} paraphrased, ${evalSet.queries.length - paraphrases} exact ids/names)`);
  console.log(`offline model ${new PackagedEmbedder().modelId}; node ${node}, ${cpus} CPUs\n`);
  console.log(
    table(
      ['ranking', 'recall@5', 'MRR', 'recall@5 paraphrase', 'recall@5 exact'],
      MODES.map((m) => [m, quality[m].recallAt5, quality[m].mrr, quality[m].recallAt5Paraphrase, quality[m].recallAt5Exact]),
    ),
  );
  if (misses.length) console.log(`\nhybrid: queries with a relevant memory outside the top 5:\n${misses.map((m) => `  ${m}`).join('\n')}`);
  console.log(`\nsearch latency over ${TOTAL_MEMORIES.toLocaleString('en')} memories (${evalSet.memories.length} labelled + synthetic filler with pseudo-embeddings), in-memory dynalite, query embedding excluded:\n`);
  console.log(table(['searches', 'p50 ms', 'p95 ms', 'p99 ms'], [[String(latency.samples), latency.p50Ms, latency.p95Ms, latency.p99Ms]]));
  console.log(
    `\nloading 10,000 memories through storeMemory: ${round(extra.loadSeconds)} s; a fresh process's first index load: ${round(extra.coldLoadMs)} ms ` +
      `(once per tenant per process); hybrid recall@5 of the labelled queries among the 10,000: ${round(extra.atScale.recallAt5)} (MRR ${round(extra.atScale.mrr)}).`,
  );
  console.log(
    `offline model cost (excluded above): storing ${round(extra.storeMsPerMemory)} ms per memory, embedding a query ${round(extra.queryEmbedMs)} ms; ` +
      `the cached query vectors took ${extra.cacheEmbedP50Ms} ms (p50) and were subtracted.`,
  );
  console.log('\ntargets:');
  const q = targets.hybridRecallAt5 as TargetResult;
  console.log(`${q.pass ? 'PASS' : 'FAIL'}  hybrid recall@5: ${q.value} (at least ${q.limit})`);
  console.log(verdict(`search p50 over ${TOTAL_MEMORIES.toLocaleString('en')} memories, query embedding excluded`, targets.searchP50Ms as TargetResult));
  console.log('');
}
