/**
 * Cold-start cost of the MCP Lambda: bundles `functions/handlers/mcp.ts` the
 * way the CDK stack does, reports the bundle size (everything deployed: the
 * handler file and the chunks it loads on demand; and, when it is over the
 * limit, what it is made of), then times `await import(handler)` in fresh
 * `node` processes: module evaluation plus the handler's once-per-cold-start
 * setup (config, logger, SDK clients, app), which is what Lambda's init phase
 * runs before the first request. Each role's own tools are a chunk loaded by
 * the first request to that role's endpoint; the same processes then load
 * every chunk, and the report shows that too (the most a cold instance can
 * ever load).
 */
import type { Metafile } from 'esbuild';
import { bundleHandler, bundleSizes } from '../scripts/bundle.js';
import { spawn } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { environment, median, round, table, target, verdict, type TargetResult } from './support.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = join(REPO, 'functions/handlers/mcp.ts');
/** Rebuilt on every run; `.bench/` is git-ignored. */
const OUT_DIR = join(REPO, '.bench', 'cold');
const OUT_FILE = join(OUT_DIR, 'index.mjs');


/** 1 MB read as 1,000,000 bytes (the stricter reading). */
const BUNDLE_LIMIT_BYTES = 1_000_000;
const IMPORT_LIMIT_MS = 150;
/** Fresh processes per measurement; import times on a shared VM swing by tens of ms, so the median needs enough of them. */
const RUNS = 11;
const TOP = 10;

/** The environment the handler's config requires (functions/runtime/config.ts) plus the region the SDK clients need. */
const HANDLER_ENV = {
  CONCLAVE_TABLE_NAME: 'bench',
  CONCLAVE_EVENT_BUS_NAME: 'bench',
  AWS_REGION: 'us-east-1',
};

/**
 * Runs in the child. Lambda's runtime provides the `awslambda` global that
 * middy's streaming mode calls at module load; the shim stands in for it
 * before the import. Prints one JSON line: the import time, and the time
 * since the process started (Node's own start-up included).
 */
const CHILD_SCRIPT = (bundleUrl: string, chunkUrls: readonly string[]) => `
globalThis.awslambda = {
  streamifyResponse: (f) => f,
  HttpResponseStream: { from: (stream) => stream },
};
const started = performance.now();
const module = await import(${JSON.stringify(bundleUrl)});
const importMs = performance.now() - started;
const sinceProcessStartMs = performance.now();
if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler function');
for (const chunk of ${JSON.stringify(chunkUrls)}) await import(chunk);
process.stdout.write(JSON.stringify({ importMs, sinceProcessStartMs, withEveryChunkMs: performance.now() - started }));
`;

interface ImportRun {
  readonly importMs: number;
  readonly sinceProcessStartMs: number;
  /** The import plus every on-demand chunk (all roles' tools). */
  readonly withEveryChunkMs: number;
}

interface Contributor {
  readonly path: string;
  readonly bytes: number;
}

/** The largest contributors to the bundle, by file, by npm package and by folder (bytes in output). */
interface Breakdown {
  readonly inputs: Contributor[];
  readonly packages: Contributor[];
  readonly directories: Contributor[];
}

export async function run(): Promise<Record<string, unknown>> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  // The stack's own recipe (lib/constructs/lambda-code.ts runs the same function).
  const metafile = await bundleHandler(ENTRY, OUT_DIR);
  await writeFile(join(OUT_DIR, 'metafile.json'), JSON.stringify(metafile));
  const { handlerBytes, totalBytes: bundleBytes, chunks } = bundleSizes(metafile);
  const breakdown = contributors(metafile);

  const plain = await importRuns({});

  const bundleOverLimit = bundleBytes > BUNDLE_LIMIT_BYTES;
  const targets: Record<string, TargetResult> = {
    bundleBytes: target(bundleBytes, BUNDLE_LIMIT_BYTES, 'bytes'),
    coldImportMedianMs: target(plain.medianMs, IMPORT_LIMIT_MS, 'ms'),
  };

  report({ bundleBytes, handlerBytes, chunks }, plain, targets, bundleOverLimit ? breakdown : undefined);
  return {
    entry: relative(REPO, ENTRY),
    bundlePath: relative(REPO, OUT_FILE),
    bundleBytes,
    bundleMB: round(bundleBytes / 1_000_000),
    handlerFileBytes: handlerBytes,
    chunks,
    coldImport: plain,
    // Always in the JSON (cheap, and useful for tracking); printed only when over the limit.
    topPackages: breakdown.packages,
    topDirectories: breakdown.directories,
    topInputs: breakdown.inputs,
    targets,
    allTargetsPass: Object.values(targets).every((t) => t.pass),
    ...environment(),
  };
}

/**
 * What the output is made of: esbuild's bytes-in-output per input file (after
 * minification, so they add up to the bundle), and the same summed per npm
 * package (`node_modules/<name>` or `node_modules/@scope/<name>`) or `(own code)`.
 */
function contributors(metafile: Metafile): Breakdown {
  const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
  if (outputs.length === 0) throw new Error('esbuild reported no .mjs output');
  const inputs = outputs.flatMap(([, output]) => Object.entries(output.inputs).map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput })));
  const sum = (key: (path: string) => string) => {
    const totals = new Map<string, number>();
    for (const { path, bytes } of inputs) {
      const name = key(path);
      totals.set(name, (totals.get(name) ?? 0) + bytes);
    }
    return [...totals].map(([path, bytes]) => ({ path, bytes }));
  };
  const top = (list: Contributor[]) => list.sort((a, b) => b.bytes - a.bytes).slice(0, TOP);
  return {
    inputs: top(inputs),
    packages: top(sum((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? '(own code)')),
    // Many small files from one folder (e.g. translations) hide in the per-file list but not here.
    directories: top(sum((path) => dirname(path))),
  };
}

/** Times the import in RUNS fresh processes; the environment holds only what the handler needs (as in Lambda, no inherited NODE_OPTIONS or loaders). */
async function importRuns(extraEnv: Record<string, string>): Promise<{
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  medianProcessMs: number;
  medianWithEveryChunkMs: number;
  samplesMs: number[];
}> {
  const chunkDir = join(OUT_DIR, 'chunks');
  const chunkFiles = (await readdir(chunkDir).catch(() => [] as string[])).filter((name) => name.endsWith('.mjs'));
  const script = CHILD_SCRIPT(
    pathToFileURL(OUT_FILE).href,
    chunkFiles.map((name) => pathToFileURL(join(chunkDir, name)).href),
  );
  const env = { PATH: process.env.PATH ?? '', ...HANDLER_ENV, ...extraEnv };
  const samples: ImportRun[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await child(script, env));
  const ms = samples.map((s) => s.importMs);
  return {
    runs: RUNS,
    medianMs: round(median(ms)),
    minMs: round(Math.min(...ms)),
    maxMs: round(Math.max(...ms)),
    medianProcessMs: round(median(samples.map((s) => s.sinceProcessStartMs))),
    medianWithEveryChunkMs: round(median(samples.map((s) => s.withEveryChunkMs))),
    samplesMs: ms.map(round),
  };
}

function child(script: string, env: Record<string, string>): Promise<ImportRun> {
  return new Promise((resolve, reject) => {
    const node = spawn(process.execPath, ['--input-type=module', '--eval', script], { env, cwd: OUT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    node.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    node.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    node.on('error', reject);
    node.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the import process exited with ${code}: ${stderr.trim()}`));
      try {
        resolve(JSON.parse(stdout) as ImportRun);
      } catch {
        reject(new Error(`the import process printed no figures: ${stdout} ${stderr}`));
      }
    });
  });
}

function report(
  { bundleBytes, handlerBytes, chunks }: { bundleBytes: number; handlerBytes: number; chunks: number },
  plain: Awaited<ReturnType<typeof importRuns>>,
  targets: Record<string, TargetResult>,
  breakdown: Breakdown | undefined,
): void {
  const { node, cpus } = environment();
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  console.log(`\nMCP Lambda cold start: ${relative(REPO, ENTRY)} bundled by scripts/bundle.ts, as the stack deploys it`);
  console.log(
    `bundle ${relative(REPO, OUT_DIR)}: ${bundleBytes} bytes (${(bundleBytes / 1_000_000).toFixed(2)} MB) deployed: ` +
      `index.mjs ${handlerBytes} bytes + ${chunks} chunks loaded on demand`,
  );
  console.log(`import timed in ${RUNS} fresh node ${node} processes (${cpus} CPUs)\n`);
  console.log(
    table(
      ['import', 'median ms', 'min ms', 'max ms', 'process median ms', 'then every chunk, median ms'],
      [['handler bundle', plain.medianMs, plain.minMs, plain.maxMs, plain.medianProcessMs, plain.medianWithEveryChunkMs]],
    ),
  );
  if (breakdown) {
    console.log(`\nbundle over the limit; largest packages (bytes in output):`);
    console.log(table(['package', 'bytes', 'size'], breakdown.packages.map((p) => [p.path, String(p.bytes), kb(p.bytes)])));
    console.log(`\nlargest folders (bytes in output):`);
    console.log(table(['folder', 'bytes', 'size'], breakdown.directories.map((p) => [p.path, String(p.bytes), kb(p.bytes)])));
    console.log(`\nlargest input files (bytes in output):`);
    console.log(table(['input', 'bytes', 'size'], breakdown.inputs.map((p) => [p.path, String(p.bytes), kb(p.bytes)])));
    console.log(`(full metafile: ${relative(REPO, join(OUT_DIR, 'metafile.json'))})`);
  }
  console.log('\ntargets:');
  console.log(verdict('bundle size', targets.bundleBytes as TargetResult));
  console.log(verdict(`cold import, median of ${RUNS}`, targets.coldImportMedianMs as TargetResult));
  console.log('');
}
