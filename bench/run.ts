/**
 * Benchmark dispatcher: `npm run bench -- <name>...` runs the named
 * benchmarks in order; with no name it runs them all.
 *
 * Output contract, per benchmark: a human-readable report on stdout, then
 * exactly ONE line of JSON holding every figure (printed here, so all
 * benchmarks end the same way and scripts can take the last line).
 * Exit status: 0 when every benchmark ran (a missed target is a result, not
 * a failure; read `targets` in the JSON); 1 for an unknown name or a
 * benchmark that could not run.
 */

/** A benchmark module: prints its report and resolves with its figures (JSON-serializable). */
export interface Benchmark {
  run(options: BenchOptions): Promise<Record<string, unknown>>;
}

/**
 * Options after the names: `--scale <n>` (the memory benchmark's tenant size);
 * `--data <dir>` (the memory benchmark keeps the tenant it builds there and
 * reuses it on the next run of the same scale and index format, so a
 * 100,000-memory run need not rebuild for 15 minutes each time).
 */
export interface BenchOptions {
  readonly scale?: number;
  readonly dataDir?: string;
}

/**
 * The registry, in run-all order. Modules load lazily so running one
 * benchmark does not pay for (or depend on) the others' imports.
 */
const BENCHMARKS: Readonly<Record<string, () => Promise<Benchmark>>> = {
  mcp: () => import('./mcp.js'),
  /** The mcp benchmark's token mode: an OAuth access token against an API key on the same call. */
  'mcp-token': () => import('./mcp-token.js'),
  cold: () => import('./cold.js'),
  bus: () => import('./bus.js'),
  workflow: () => import('./workflow.js'),
  memory: () => import('./memory.js'),
  autopilot: () => import('./autopilot.js'),
  reject: () => import('./reject.js'),
  console: () => import('./console.js'),
  soak: () => import('./soak.js'),
};

async function main(args: readonly string[]): Promise<number> {
  const names: string[] = [];
  const options: { scale?: number; dataDir?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--scale') {
      const scale = Number(args[++i]);
      if (!Number.isInteger(scale) || scale < 1) {
        console.error('--scale takes a positive whole number of memories');
        return 1;
      }
      options.scale = scale;
    } else if (arg === '--data') {
      const dir = args[++i];
      if (!dir) {
        console.error('--data takes a directory');
        return 1;
      }
      options.dataDir = dir;
    } else names.push(arg);
  }
  const known = Object.keys(BENCHMARKS);
  const unknown = names.filter((name) => !Object.hasOwn(BENCHMARKS, name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; available: ${known.join(', ')}`);
    return 1;
  }
  for (const name of names.length > 0 ? names : known) {
    const load = BENCHMARKS[name] as () => Promise<Benchmark>;
    try {
      const figures = await (await load()).run(options);
      console.log(JSON.stringify({ bench: name, ...figures }));
    } catch (error) {
      console.error(`benchmark ${name} could not run:`, error);
      return 1;
    }
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
