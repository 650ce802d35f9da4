/**
 * The "server" half of `npm run bench -- memory` (bench/memory.ts spawns it):
 * a fresh process that opens a persisted data dir the way `npm start` does
 * (startLocal: dynalite on disk, the HNSW and postings indexes loaded from
 * their files), searches at once, then times searches and reports on its
 * last stdout line as JSON. Queries are embedded beforehand: the embedder
 * here only looks their vectors up (and refuses anything else).
 *
 * usage: tsx bench/memory-server.ts <dataDir> <request.json>
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PackagedEmbedder } from '../functions/adapters/local/packaged-embedder.js';
import { searchMemories } from '../functions/core/memory/search-memories.js';
import { modelTag } from '../functions/core/memory/search-index.js';
import type { Embedder } from '../functions/ports/embedder.js';
import { startLocal } from '../functions/runtime/local.js';
import { CountingEmbedder, measureQuality, type EvalSet, type ServerReport } from './memory.js';

const WARMUP_ROUNDS = 2;
const TIMED_ROUNDS = 10;

interface Request {
  readonly tenant: string;
  readonly model: string;
  readonly evalSet: EvalSet;
  readonly queryVectors: Record<string, number[]>;
  readonly annVectors: number[][];
}

async function main(dataDir: string, requestFile: string): Promise<void> {
  const request = JSON.parse(await readFile(requestFile, 'utf8')) as Request;
  const vectors = new Map(Object.entries(request.queryVectors).map(([text, v]) => [text, Float32Array.from(v)]));
  const lookup: Embedder = {
    modelId: request.model,
    dimensions: 512,
    embed: async (texts) =>
      texts.map((t) => {
        const v = vectors.get(t);
        if (!v) throw new Error(`no precomputed vector for "${t}"`);
        return v;
      }),
  };
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string, f?: Record<string, unknown>) => console.error(m, f ?? '') };
  const started = performance.now();
  const server = await startLocal({ dataDir, port: 0, allowedOrigins: [], staleAfterMs: 300_000, log, embedder: lookup });
  let rss = process.memoryUsage().rss;
  let split = { anonMb: 0, fileMb: 0 };
  const sample = () => {
    const now = process.memoryUsage().rss;
    if (now >= rss) split = rssSplit();
    rss = Math.max(rss, now);
  };
  try {
    const first = request.evalSet.queries[0] as EvalSet['queries'][number];
    await searchMemories(server.deps, { tenantId: request.tenant, query: first.query, limit: 10 });
    const firstSearchMs = performance.now() - started;
    const cpu = process.cpuUsage();
    const firstSearchCpuMs = (cpu.user + cpu.system) / 1000;
    process.stdout.write('first-search-done\n');
    sample();

    const samples: number[] = [];
    const embedSamples: number[] = [];
    const deps = { ...server.deps, embedder: new CountingEmbedder(lookup, embedSamples) };
    for (let round = 0; round < WARMUP_ROUNDS + TIMED_ROUNDS; round++) {
      for (const q of request.evalSet.queries) {
        const before = embedSamples.length;
        const t = performance.now();
        await searchMemories(deps, { tenantId: request.tenant, query: q.query, limit: 10 });
        const embedMs = embedSamples.slice(before).reduce((a, b) => a + b, 0);
        if (round >= WARMUP_ROUNDS) samples.push(performance.now() - t - embedMs);
      }
      sample();
    }
    const atScale = await measureQuality(server.deps, request.tenant, request.evalSet, 'hybrid');
    const annKeys: string[][] = [];
    const tag = modelTag(request.model, 512);
    for (const v of request.annVectors) annKeys.push((await server.deps.vectors.query(request.tenant, tag, Float32Array.from(v), 10)).map((m) => m.key));
    sample();
    // The peak the kernel recorded over the process's whole life (start-up and every search included), when it tells.
    const peakMb = Math.max(rss / 2 ** 20, highWaterMb());
    const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
    // Apart from the targets (they exclude the query embedding): the same server once it also holds the packaged offline
    // model, as a local server embedding with it does after its first search.
    const model = new PackagedEmbedder();
    for (const q of request.evalSet.queries) await searchMemories({ ...server.deps, embedder: model }, { tenantId: request.tenant, query: q.query, limit: 10 });
    const withModelMb = Math.max(process.memoryUsage().rss / 2 ** 20, highWaterMb());
    const report: ServerReport = { firstSearchMs, firstSearchCpuMs, samples, rssMb: peakMb, rssAnonMb: split.anonMb, rssFileMb: split.fileMb, heapMb, rssWithModelMb: withModelMb, atScale, annKeys };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await server.close();
  }
}

/** The process's peak resident set (VmHWM, Linux; 0 elsewhere). */
function highWaterMb(): number {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The resident set split as Linux reports it: anonymous memory (the process's own) and file pages (mapped files: the engine's table files, libraries). */
function rssSplit(): { anonMb: number; fileMb: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { anonMb: kb('RssAnon') / 1024, fileMb: (kb('RssFile') + kb('RssShmem')) / 1024 };
  } catch {
    return { anonMb: 0, fileMb: 0 };
  }
}

const [dataDir, requestFile] = process.argv.slice(2);
if (!dataDir || !requestFile) {
  console.error('usage: tsx bench/memory-server.ts <dataDir> <request.json>');
  process.exit(2);
}
await main(dataDir, requestFile);
