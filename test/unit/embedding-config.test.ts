import { describe, expect, it } from 'vitest';
import { ConfigError, loadAwsConfig } from '../../functions/runtime/config.js';

const base = { CONCLAVE_TABLE_NAME: 't', CONCLAVE_EVENT_BUS_NAME: 'b' };

describe('embedding model configuration (CONCLAVE_EMBEDDING_MODEL_ID)', () => {
  it('defaults to Titan Text Embeddings v2', () => {
    expect(loadAwsConfig(base).embeddingModelId).toBe('amazon.titan-embed-text-v2:0');
  });

  it('takes another Titan v2 revision', () => {
    expect(loadAwsConfig({ ...base, CONCLAVE_EMBEDDING_MODEL_ID: ' amazon.titan-embed-text-v2:1 ' }).embeddingModelId).toBe('amazon.titan-embed-text-v2:1');
  });

  it('fails fast, naming the variable, on a model the adapter cannot call', () => {
    expect(() => loadAwsConfig({ ...base, CONCLAVE_EMBEDDING_MODEL_ID: 'amazon.titan-embed-text-v1' })).toThrow(ConfigError);
    expect(() => loadAwsConfig({ ...base, CONCLAVE_EMBEDDING_MODEL_ID: 'cohere.embed-english-v3' })).toThrow(/CONCLAVE_EMBEDDING_MODEL_ID: expected a Titan Text Embeddings v2 model id/);
  });
});
