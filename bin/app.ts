/**
 * The CDK app (`npx cdk synth|deploy`). The only infra code that reads
 * context: everything below lib/ takes typed props.
 *
 * Context (cdk.json or `-c key=value`):
 * - `logRetentionDays`  days Lambda logs are kept; a CloudWatch Logs value (default 30)
 * - `allowedOrigins`    comma-separated browser origins allowed to call /mcp (default none)
 * - `removalPolicy`     `retain` (default) or `destroy` for the table and log groups
 * - `staleAfterSeconds` seconds without a heartbeat before an agent is stale (default 300)
 * - `embeddingModelId`  the Bedrock Titan Text Embeddings v2 model for memories (default amazon.titan-embed-text-v2:0)
 */
import { App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_EMBEDDING_MODEL_ID, EMBEDDING_MODEL_ID_PATTERN } from '../functions/contracts/embeddings.js';
import { ConclaveStack } from '../lib/conclave-stack.js';

const app = new App();

function context(key: string): unknown {
  const value: unknown = app.node.tryGetContext(key);
  return value === '' ? undefined : value;
}

function fail(key: string, message: string): never {
  throw new Error(`invalid context "${key}": ${message}`);
}

function positiveInteger(key: string, fallback: number): number {
  const raw = context(key);
  if (raw === undefined) return fallback;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(value) || value <= 0) fail(key, `expected a positive whole number, got ${JSON.stringify(raw)}`);
  return value;
}

function logRetention(): RetentionDays {
  const days = positiveInteger('logRetentionDays', 30);
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) fail('logRetentionDays', `CloudWatch Logs accepts ${allowed.join(', ')}; got ${days}`);
  return days as RetentionDays;
}

function allowedOrigins(): string[] {
  const raw = context('allowedOrigins');
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
  const origins = list.map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s,]+$/.test(origin)) fail('allowedOrigins', `"${origin}" is not an origin (scheme://host[:port], no path)`);
  }
  return origins;
}

function embeddingModelId(): string | undefined {
  const raw = context('embeddingModelId');
  if (raw === undefined) return undefined;
  const id = String(raw).trim();
  if (!EMBEDDING_MODEL_ID_PATTERN.test(id)) fail('embeddingModelId', `expected a Titan Text Embeddings v2 model id such as ${DEFAULT_EMBEDDING_MODEL_ID}, got ${JSON.stringify(raw)}`);
  return id;
}

function removalPolicy(): RemovalPolicy {
  const raw = context('removalPolicy') ?? 'retain';
  switch (String(raw).toLowerCase()) {
    case 'retain':
      return RemovalPolicy.RETAIN;
    case 'destroy':
      return RemovalPolicy.DESTROY;
    default:
      return fail('removalPolicy', `expected "retain" or "destroy", got ${JSON.stringify(raw)}`);
  }
}

new ConclaveStack(app, 'Conclave', {
  description: 'Conclave: an AI organization served as a remote MCP server',
  logRetention: logRetention(),
  allowedOrigins: allowedOrigins(),
  removalPolicy: removalPolicy(),
  staleAfterSeconds: positiveInteger('staleAfterSeconds', 300),
  embeddingModelId: embeddingModelId() ?? DEFAULT_EMBEDDING_MODEL_ID,
});

// cdk-nag 3 is a policy-validation plugin: any unacknowledged finding fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
