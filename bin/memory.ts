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
 * packaged offline model — through the running `npm start` server's
 * authenticated /admin route when it holds the data dir, else by opening the
 * data dir — or, with `--table <name>
 * [--region <region>] [--model <id>]`, a deployed stack's table with Bedrock
 * (Titan Text Embeddings v2) using the standard AWS credential chain.
 * Both commands are idempotent: run them again to resume.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockEmbedder } from '../functions/adapters/aws/bedrock-embedder.js';
import { PackagedEmbedder } from '../functions/adapters/local/packaged-embedder.js';
import { DEFAULT_EMBEDDING_MODEL_ID, EMBEDDING_MODEL_ID_PATTERN } from '../functions/contracts/embeddings.js';
import type { EmbedPendingResult } from '../functions/core/memory/embed-pending.js';
import type { ReembedResult } from '../functions/core/memory/reembed-memories.js';
import { parseCommand, runCli, UsageError } from './cli.js';
import { openAdminTarget, type AdminTarget } from './store-target.js';

const USAGE = `usage: npm run memory -- <command> --tenant <id> [options]

commands:
  reembed        re-embed every memory whose vector is not of the current model (and every pending one)
  embed-pending  embed the memories stored while the embedding model was failing

target (default: the local data dir, CONCLAVE_DATA_DIR or .conclave, with the packaged offline model):
  --table <name> [--region <region>] [--model <bedrock model id>]
                 a deployed stack's table (stack output TableName), embedding with Bedrock
                 (default model ${DEFAULT_EMBEDDING_MODEL_ID}: use the one the stack is configured with)
  --vector-index <arn>
                 with --table: the stack's S3 Vectors index (stack output VectorIndexArn); reembed
                 then rebuilds the vectors too (without it they are left to the MCP function's retry path)
  --json         machine-readable output`;

async function openTarget(table: string | undefined, region: string | undefined, model: string | undefined, vectorIndexArn: string | undefined): Promise<AdminTarget> {
  if (!table && model) throw new UsageError('--model applies to --table (Bedrock); locally the packaged model is used');
  if (!table && vectorIndexArn) throw new UsageError('--vector-index applies to --table; locally the data dir holds the index');
  const modelId = model ?? DEFAULT_EMBEDDING_MODEL_ID;
  if (table && !EMBEDDING_MODEL_ID_PATTERN.test(modelId)) throw new UsageError(`--model must be a Titan Text Embeddings v2 model id such as ${DEFAULT_EMBEDDING_MODEL_ID}`);
  const target = await openAdminTarget({
    table,
    region,
    vectorIndexArn,
    tool: 'npm run memory',
    localEmbedder: () => new PackagedEmbedder(),
    remoteEmbedder: () => {
      const bedrock = new BedrockRuntimeClient({ maxAttempts: 1, ...(region ? { region } : {}) });
      return Object.assign(new BedrockEmbedder(bedrock, modelId), { close: () => bedrock.destroy() });
    },
  });
  return table ? { ...target, description: `${target.description} with Bedrock ${modelId}`, run: target.run, close: target.close } : target;
}

async function main(argv: string[]): Promise<void> {
  const parsed = parseCommand(argv, USAGE, ['reembed', 'embed-pending'], {
    tenant: { type: 'string' },
    model: { type: 'string' },
    'vector-index': { type: 'string' },
  });
  if (!parsed) return;
  const { command, rest, values, print } = parsed;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (!values.tenant) throw new UsageError(`${command} needs --tenant`);
  const tenant = values.tenant;

  const target = await openTarget(values.table, values.region, values.model, values['vector-index']);
  try {
    if (command === 'reembed') {
      const result = (await target.run({ command: 'memory.reembed', tenant }, (p) => {
        if (!values.json) process.stderr.write(`  ${p.embedded} re-embedded of ${p.scanned} read so far\n`);
      })) as ReembedResult & { model: string };
      print(
        `Re-embedded tenant ${tenant} in ${target.description} with ${result.model}:\n` +
          `  ${result.scanned} memories read, ${result.embedded} re-embedded, ${result.current} already current, ${result.skipped} changed meanwhile (left to their writer), ` +
          `${result.reindexed} re-indexed (the rest stay marked for the retry path)`,
        result,
      );
    } else {
      const result = (await target.run({ command: 'memory.embed-pending', tenant })) as EmbedPendingResult & { model: string };
      print(
        `Embedded pending memories of tenant ${tenant} in ${target.description} with ${result.model}:\n` +
          `  ${result.embedded} embedded, ${result.skipped} changed meanwhile, ${result.remaining} still pending`,
        result,
      );
    }
  } finally {
    await target.close();
  }
}

runCli(USAGE, main);
