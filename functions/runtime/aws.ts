import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3VectorsClient } from '@aws-sdk/client-s3vectors';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Logger } from '@aws-lambda-powertools/logger';
import { EVENT_SOURCE } from '../contracts/events.js';
import { BedrockEmbedder } from '../adapters/aws/bedrock-embedder.js';
import { DynamoStore, storeClientConfig } from '../adapters/aws/dynamo-store.js';
import { EventBridgeBus } from '../adapters/aws/eventbridge-bus.js';
import { S3VectorsIndex } from '../adapters/aws/s3-vectors-index.js';
import { TableLexicalIndex } from '../adapters/aws/table-lexical-index.js';
import { StepFunctionsWorkflows } from '../adapters/aws/step-functions.js';
import type { Deps } from '../core/context.js';
import { DependencyError } from '../core/errors.js';
import type { VectorIndex } from '../ports/vector-index.js';
import type { AwsConfig } from './config.js';
import { systemClock, timeOrderedIds } from './ids.js';
import { powertoolsLog } from './log.js';

export interface AwsDepsOptions {
  /**
   * Wraps every AWS SDK client as it is built (the Powertools Tracer's
   * `captureAWSv3Client` in the functions that trace; see functions/handlers).
   * Passed in rather than imported here, so a function that does not trace
   * (the MCP function) does not bundle the tracer.
   */
  readonly instrument?: <T>(client: T) => T;
}

/** The AWS composition root: builds Deps once per cold start. */
export function buildAwsDeps(config: AwsConfig, logger: Logger, options: AwsDepsOptions = {}): Deps {
  const client = options.instrument ?? (<T>(c: T): T => c);
  const store = new DynamoStore(client(new DynamoDBClient({ ...storeClientConfig, maxAttempts: 5 })), config.tableName);
  return {
    store,
    bus: new EventBridgeBus(client(new EventBridgeClient({ maxAttempts: 5 })), config.eventBusName, EVENT_SOURCE),
    clock: systemClock,
    ids: timeOrderedIds(systemClock),
    log: powertoolsLog(logger),
    // maxAttempts 1: the adapter owns retries (backoff with jitter on throttling).
    embedder: new BedrockEmbedder(client(new BedrockRuntimeClient({ maxAttempts: 1 })), config.embeddingModelId),
    // maxAttempts 1: the adapter owns retries, as for Bedrock.
    vectors: config.vectorIndexArn ? new S3VectorsIndex(client(new S3VectorsClient({ maxAttempts: 1 })), { indexArn: config.vectorIndexArn }) : noVectorIndex,
    lexicon: new TableLexicalIndex(store),
    workflows: new StepFunctionsWorkflows(client(new SFNClient({ maxAttempts: 5 })), config.stateMachineArns),
    settings: {
      staleAfterMs: config.staleAfterMs,
      retention: config.retention,
      autopilotModelIds: config.autopilotModelIds,
      ...(config.rateLimits ? { rateLimits: config.rateLimits } : {}),
    },
  };
}

/**
 * A function deployed without the vector index (it neither searches nor
 * writes memories): a memory write from it still lands in the table,
 * marked, and the MCP function's retry path indexes it.
 */
const noVectorIndex: VectorIndex = {
  name: 'none',
  maxTopK: 0,
  put: () => Promise.reject(new DependencyError('this function has no memory vector index (CONCLAVE_VECTOR_INDEX_ARN is not set)')),
  delete: () => Promise.reject(new DependencyError('this function has no memory vector index (CONCLAVE_VECTOR_INDEX_ARN is not set)')),
  query: () => Promise.resolve([]),
};
