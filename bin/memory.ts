/**
 * `npm run memory -- <command>`: maintenance of a tenant's organizational memory.
 *
 *   reembed       --tenant <id>   give every memory a vector of the current model
 *                                 (after changing CONCLAVE_EMBEDDING_MODEL_ID, or
 *                                 moving data between local mode and AWS); until
 *                                 then such memories are found by their words only
 *   embed-pending --tenant <id>   embed the memories stored while the model was failing
 *
 * Target: the local data dir (CONCLAVE_DATA_DIR, default .conclave) with the
 * packaged offline model — through the running `npm start` server's engine
 * when it is up, else by opening the data dir — or, with `--table <name>
 * [--region <region>] [--model <id>]`, a deployed stack's table with Bedrock
 * (Titan Text Embeddings v2) using the standard AWS credential chain.
 * Both commands are idempotent: run them again to resume.
 *
 * Search indexes. reembed also rebuilds them from the table. Locally with
 * no server running it writes the data dir's index directly; with the server
 * running, the server owns the index, so the memories are marked and the
 * server's retry path indexes them (a batch per search). With --table, pass
 * --vector-index (stack output VectorIndexArn) to write S3 Vectors;
 * without them the memories are marked for the MCP function's retry path.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { parseArgs } from 'node:util';
import { BedrockEmbedder } from '../functions/adapters/aws/bedrock-embedder.js';
import { PackagedEmbedder } from '../functions/adapters/local/packaged-embedder.js';
import { HnswVectorIndex } from '../functions/adapters/local/hnsw-vector-index.js';
import { LocalLexicalIndex } from '../functions/adapters/local/local-lexical-index.js';
import { S3VectorsIndex } from '../functions/adapters/aws/s3-vectors-index.js';
import { TableLexicalIndex } from '../functions/adapters/aws/table-lexical-index.js';
import type { LexicalIndex } from '../functions/ports/lexical-index.js';
import type { VectorIndex } from '../functions/ports/vector-index.js';
import { DEFAULT_EMBEDDING_MODEL_ID, EMBEDDING_MODEL_ID_PATTERN } from '../functions/contracts/embeddings.js';
import type { Deps } from '../functions/core/context.js';
import { ConclaveError } from '../functions/core/errors.js';
import { embedPending } from '../functions/core/memory/embed-pending.js';
import { reembedMemories } from '../functions/core/memory/reembed-memories.js';
import type { Embedder } from '../functions/ports/embedder.js';
import type { Store } from '../functions/ports/store.js';
import { ConfigError } from '../functions/runtime/config.js';
import { systemClock, timeOrderedIds } from '../functions/runtime/ids.js';
import { openStoreTarget } from './store-target.js';

const USAGE = `usage: npm run memory -- <command> --tenant <id> [options]

commands:
  reembed        re-embed every memory whose vector is not of the current model (and every pending one)
  embed-pending  embed the memories stored while the embedding model was failing

target (default: the local data dir, CONCLAVE_DATA_DIR or .conclave, with the packaged offline model):
  --table <name> [--region <region>] [--model <bedrock model id>]
                 a deployed stack's table (stack output TableName), embedding with Bedrock
                 (default model ${DEFAULT_EMBEDDING_MODEL_ID}: use the one the stack is configured with)
  --vector-index <arn>
                 with --table: the stack's S3 Vectors index (stack output VectorIndexArn), rebuilt by reembed
  --json         machine-readable output`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Target {
  readonly store: Store;
  readonly embedder: Embedder;
  readonly vectors: VectorIndex;
  readonly lexicon: LexicalIndex;
  readonly description: string;
  close(): Promise<void>;
}

/** Index ports for a process that does not own the index: every write is refused, so the memory stays marked for its owner's retry path. */
const elsewhere = (owner: string): { vectors: VectorIndex; lexicon: LexicalIndex } => {
  const refuse = () => Promise.reject(new Error(`the search index is written by ${owner}`));
  return {
    vectors: { name: 'deferred', maxTopK: 0, put: refuse, delete: refuse, query: () => Promise.resolve([]) },
    lexicon: { name: 'deferred', put: refuse, delete: refuse, search: () => Promise.resolve({ matches: [], stats: { documents: 0, totalLength: 0, documentFrequency: new Map() } }) },
  };
};

async function openTarget(
  table: string | undefined,
  region: string | undefined,
  model: string | undefined,
  vectorIndexArn: string | undefined,
): Promise<Target> {
  if (!table && model) throw new UsageError('--model applies to --table (Bedrock); locally the packaged model is used');
  if (!table && vectorIndexArn) throw new UsageError('--vector-index applies to --table');
  const modelId = model ?? DEFAULT_EMBEDDING_MODEL_ID;
  if (table && !EMBEDDING_MODEL_ID_PATTERN.test(modelId)) throw new UsageError(`--model must be a Titan Text Embeddings v2 model id such as ${DEFAULT_EMBEDDING_MODEL_ID}`);
  const target = await openStoreTarget(table, region);
  if (!target.remote) {
    const indexes = target.indexDir
      ? { vectors: new HnswVectorIndex({ dir: target.indexDir }), lexicon: new LocalLexicalIndex({ dir: target.indexDir }) }
      : elsewhere('the running server');
    return {
      store: target.store,
      embedder: new PackagedEmbedder(),
      ...indexes,
      description: target.description,
      close: async () => {
        if (indexes.vectors instanceof HnswVectorIndex) await indexes.vectors.flush();
        await target.close();
      },
    };
  }
  const bedrock = new BedrockRuntimeClient({ maxAttempts: 1, ...(region ? { region } : {}) });
  const s3vectors = vectorIndexArn ? new S3VectorsClient({ maxAttempts: 1, ...(region ? { region } : {}) }) : undefined;
  return {
    store: target.store,
    embedder: new BedrockEmbedder(bedrock, modelId),
    vectors: s3vectors && vectorIndexArn ? new S3VectorsIndex(s3vectors, { indexArn: vectorIndexArn }) : elsewhere('the MCP function').vectors,
    lexicon: new TableLexicalIndex(target.store),
    description: `${target.description} with Bedrock ${modelId}`,
    close: async () => {
      bedrock.destroy();
      s3vectors?.destroy();
      await target.close();
    },
  };
}

/** The memory maintenance use cases publish no events and start no workflows: those ports refuse loudly. */
function depsFor(target: Target): Deps {
  const refuse = (what: string) => async (): Promise<never> => {
    throw new Error(`npm run memory does not ${what}`);
  };
  const quiet = () => undefined;
  return {
    store: target.store,
    bus: { publish: refuse('publish events') },
    clock: systemClock,
    ids: timeOrderedIds(systemClock),
    log: { debug: quiet, info: quiet, warn: (message, fields) => process.stderr.write(`warning: ${message} ${JSON.stringify(fields ?? {})}\n`), error: quiet },
    embedder: target.embedder,
    vectors: target.vectors,
    lexicon: target.lexicon,
    workflows: {
      start: refuse('start workflows'),
      sendTaskSuccess: refuse('resume workflows'),
      sendTaskFailure: refuse('resume workflows'),
      sendTaskHeartbeat: refuse('resume workflows'),
      describe: refuse('read workflows'),
    },
    settings: { staleAfterMs: 300_000 },
  };
}

// The SDK's advisory about future Node releases is noise for a local tool whose SDK version the lockfile pins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      model: { type: 'string' },
      'vector-index': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    if (!command && !values.help) process.exitCode = 2;
    return;
  }
  if (!['reembed', 'embed-pending'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (!values.tenant) throw new UsageError(`${command} needs --tenant`);
  const tenant = values.tenant;

  const target = await openTarget(values.table, values.region, values.model, values['vector-index']);
  const deps = depsFor(target);
  const print = (human: string, machine: unknown) => process.stdout.write(`${values.json ? JSON.stringify(machine) : human}\n`);
  try {
    if (command === 'reembed') {
      const result = await reembedMemories(deps, tenant, {
        onProgress: (p) => {
          if (!values.json) process.stderr.write(`  ${p.embedded} re-embedded of ${p.scanned} read so far\n`);
        },
      });
      print(
        `Re-embedded tenant ${tenant} in ${target.description} with ${target.embedder.modelId}:\n` +
          `  ${result.scanned} memories read, ${result.embedded} re-embedded, ${result.current} already current, ${result.skipped} changed meanwhile (left to their writer), ` +
          `${result.reindexed} re-indexed (${target.vectors.name === 'deferred' ? 'the rest are marked for the index owner' : `${target.vectors.name} and ${target.lexicon.name}`})`,
        { tenant, model: target.embedder.modelId, ...result },
      );
    } else {
      const result = await embedPending(deps, tenant);
      print(
        `Embedded pending memories of tenant ${tenant} in ${target.description} with ${target.embedder.modelId}:\n` +
          `  ${result.embedded} embedded, ${result.skipped} changed meanwhile, ${result.remaining} still pending`,
        { tenant, model: target.embedder.modelId, ...result },
      );
    }
  } finally {
    await target.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof ConclaveError || error instanceof UsageError || error instanceof ConfigError || (error as Error)?.name === 'TypeError';
  process.stderr.write(`error: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
