/**
 * Embedding settings shared by the CDK stack (lib/) and the runtime: the
 * Bedrock model the MCP function may invoke and the one vector size every
 * Conclave embedder produces (Titan Text Embeddings v2 and the packaged
 * offline model both give 512 dimensions, so one index layout serves both).
 */
export const EMBEDDING_DIMENSIONS = 512;

/** Titan Text Embeddings v2: the default Bedrock model (CONCLAVE_EMBEDDING_MODEL_ID, CDK prop `embeddingModelId`). */
export const DEFAULT_EMBEDDING_MODEL_ID = 'amazon.titan-embed-text-v2:0';

/**
 * Model ids the Bedrock adapter can call: it speaks Titan Text Embeddings v2's
 * request body (`inputText`, `dimensions`, `normalize`), so only v2 revisions
 * are accepted; another model family needs its own adapter.
 */
export const EMBEDDING_MODEL_ID_PATTERN = /^amazon\.titan-embed-text-v2(:\d+)?$/;

/**
 * The memory vector index in S3 Vectors (lib/ creates it; the runtime writes
 * and queries it): cosine distance, float32, EMBEDDING_DIMENSIONS wide, and
 * these metadata keys. `tenant` and `model` are filterable (every query
 * filters on both); `key` (the memory key) is returned with a match but not
 * filterable, so it does not count against the 2 KB filterable budget.
 */
export const MEMORY_VECTOR_METADATA = { tenant: 'tenant', model: 'model', key: 'key' } as const;
export const MEMORY_VECTOR_NON_FILTERABLE_KEYS: readonly string[] = [MEMORY_VECTOR_METADATA.key];
