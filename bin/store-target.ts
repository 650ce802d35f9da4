/**
 * Where a command-line tool (`npm run keys`, `npm run memory`) runs its
 * command: a deployed stack's table (`--table`, with the standard AWS
 * credential chain), or the local data dir — through the running
 * `npm start` server's authenticated `/admin` route when a server holds it
 * (the admin token in the data dir, or CONCLAVE_ADMIN_KEY: a human key with
 * every role), else by taking the data dir's lock and opening it itself.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { DynamoStore, storeClientConfig } from '../functions/adapters/aws/dynamo-store.js';
import { S3VectorsIndex } from '../functions/adapters/aws/s3-vectors-index.js';
import { TableLexicalIndex } from '../functions/adapters/aws/table-lexical-index.js';
import { HnswVectorIndex } from '../functions/adapters/local/hnsw-vector-index.js';
import { LocalLexicalIndex } from '../functions/adapters/local/local-lexical-index.js';
import type { LexicalIndex } from '../functions/ports/lexical-index.js';
import type { VectorIndex } from '../functions/ports/vector-index.js';
import { ensureTable, startDynalite } from '../functions/adapters/local/dynalite.js';
import type { Deps } from '../functions/core/context.js';
import type { ReembedResult } from '../functions/core/memory/reembed-memories.js';
import type { Embedder } from '../functions/ports/embedder.js';
import type { Store } from '../functions/ports/store.js';
import { AdminCommandError, adminPath, runAdmin, type AdminRequest } from '../functions/runtime/admin.js';
import { loadLocalConfig } from '../functions/runtime/config.js';
import { acquireLock, dataFiles, describeHolder, DataDirError, liveHolder, prepareDataDir, readAdminToken } from '../functions/runtime/data-dir.js';
import { systemClock, timeOrderedIds } from '../functions/runtime/ids.js';
import { LOCAL_TABLE } from '../functions/runtime/local.js';

export interface AdminTarget {
  /** Where the command runs, for its output. */
  readonly description: string;
  /** Runs one command; `onProgress` is called only when the command runs in this process. */
  run(request: AdminRequest, onProgress?: (progress: ReembedResult) => void): Promise<unknown>;
  close(): Promise<void>;
}

export interface TargetOptions {
  readonly table?: string | undefined;
  readonly region?: string | undefined;
  /** The command-line tool, named in the data dir's lock while it holds it. */
  readonly tool: string;
  /** The embedder for a deployed table (the local data dir uses the packaged model). */
  readonly remoteEmbedder?: () => Embedder & { close?(): void };
  /** The local embedder, made only if the command runs in this process. */
  readonly localEmbedder?: () => Embedder;
  /**
   * With `table`: the stack's S3 Vectors index (output VectorIndexArn), so
   * `reembed` rebuilds the vectors too; without it, memories are marked for
   * the MCP function's retry path instead.
   */
  readonly vectorIndexArn?: string | undefined;
}

export async function openAdminTarget(options: TargetOptions): Promise<AdminTarget> {
  if (options.table) {
    const client = new DynamoDBClient({ ...storeClientConfig, ...(options.region ? { region: options.region } : {}) });
    const embedder = options.remoteEmbedder?.();
    const store = new DynamoStore(client, options.table);
    const s3vectors = options.vectorIndexArn ? new S3VectorsClient({ maxAttempts: 1, ...(options.region ? { region: options.region } : {}) }) : undefined;
    const vectors = s3vectors && options.vectorIndexArn ? new S3VectorsIndex(s3vectors, { indexArn: options.vectorIndexArn }) : deferredVectors;
    const deps = cliDeps(store, embedder, { vectors, lexicon: new TableLexicalIndex(store) });
    return {
      description: `DynamoDB table ${options.table}`,
      run: (request, onProgress) => runAdmin(deps, request, { kind: 'operator' }, onProgress ? { onProgress } : {}),
      close: async () => {
        embedder?.close?.();
        s3vectors?.destroy();
        client.destroy();
      },
    };
  }
  const { dataDir } = loadLocalConfig();
  const holder = await liveHolder(dataDir);
  if (holder?.holder === 'server' && holder.port !== undefined) return serverTarget(dataDir, holder.port);
  if (holder) throw new DataDirError(`data dir ${dataDir} is in use by ${describeHolder(holder)}; try again in a moment`);
  await prepareDataDir(dataDir);
  const lock = await acquireLock(dataDir, options.tool);
  try {
    const engine = await startDynalite({ path: dataFiles.engine(dataDir) });
    await ensureTable(engine.client, LOCAL_TABLE);
    // This process holds the data dir's lock, so it owns the memory index files too.
    const vectors = new HnswVectorIndex({ dir: dataFiles.memoryIndex(dataDir) });
    const lexicon = new LocalLexicalIndex({ dir: dataFiles.memoryIndex(dataDir) });
    const deps = cliDeps(new DynamoStore(engine.client, LOCAL_TABLE), options.localEmbedder?.(), { vectors, lexicon });
    return {
      description: `the local data dir ${dataDir}`,
      run: (request, onProgress) => runAdmin(deps, request, { kind: 'operator' }, onProgress ? { onProgress } : {}),
      close: async () => {
        await vectors.flush();
        await lexicon.flush();
        engine.client.destroy();
        await engine.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** The running server's admin route. */
async function serverTarget(dataDir: string, port: number): Promise<AdminTarget> {
  const token = process.env.CONCLAVE_ADMIN_KEY || (await readAdminToken(dataDir));
  if (!token) throw new DataDirError(`no admin token in ${dataDir}; set CONCLAVE_ADMIN_KEY to a human key with every role`);
  const base = `http://127.0.0.1:${port}`;
  return {
    description: `the running local server (${dataDir})`,
    run: async (request) => {
      const { command, ...args } = request;
      let response: Response;
      try {
        response = await fetch(`${base}${adminPath(command)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(args),
          signal: AbortSignal.timeout(10 * 60_000),
        });
      } catch (error) {
        throw new DataDirError(`the server holding ${dataDir} (${base}) did not answer: ${(error as Error).message}`);
      }
      const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: { message?: string } };
      if (!response.ok) throw new AdminCommandError(body.error?.message ?? `the server answered ${response.status}`);
      return body.result;
    },
    close: async () => {},
  };
}

/** Deps for operator commands: they publish no events and start no workflows, so those ports refuse loudly. */
function cliDeps(store: Store, embedder: Embedder | undefined, indexes: { vectors: VectorIndex; lexicon: LexicalIndex }): Deps {
  const refuse = (what: string) => async (): Promise<never> => {
    throw new Error(`this command does not ${what}`);
  };
  const quiet = () => undefined;
  return {
    store,
    bus: { publish: refuse('publish events') },
    clock: systemClock,
    ids: timeOrderedIds(systemClock),
    log: { debug: quiet, info: quiet, warn: (message, fields) => process.stderr.write(`warning: ${message} ${JSON.stringify(fields ?? {})}\n`), error: quiet },
    embedder: embedder ?? {
      modelId: 'none',
      dimensions: 0,
      embed: refuse('embed text'),
    },
    ...indexes,
    workflows: {
      start: refuse('start workflows'),
      sendTaskSuccess: refuse('resume workflows'),
      sendTaskFailure: refuse('resume workflows'),
      sendTaskHeartbeat: refuse('resume workflows'),
      stop: refuse('stop workflows'),
      describe: refuse('read workflows'),
    },
    settings: { staleAfterMs: 300_000 },
  };
}

/** Without the stack's vector index the command cannot write vectors: every write is refused, so the memories stay marked for the MCP function's retry path. */
const deferredVectors: VectorIndex = {
  name: 'deferred',
  maxTopK: 0,
  put: () => Promise.reject(new Error('no --vector-index given: the MCP function indexes these memories')),
  delete: () => Promise.reject(new Error('no --vector-index given: the MCP function indexes these memories')),
  query: () => Promise.resolve([]),
};
