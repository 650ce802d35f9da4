import type { RateLimits } from '../contracts/rate-limits.js';
import type { Bus } from '../ports/bus.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { Embedder } from '../ports/embedder.js';
import type { LexicalIndex } from '../ports/lexical-index.js';
import type { Log } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { VectorIndex } from '../ports/vector-index.js';
import type { Workflows } from '../ports/workflows.js';
import type { Retention } from './retention.js';

/** Settings the core needs, validated once by the runtime config. */
export interface CoreSettings {
  /** An agent with no heartbeat for this long is reported stale. */
  readonly staleAfterMs: number;
  /** The model ids autopilot may be set to (the deployment's IAM grant names exactly these); empty or absent: any well-formed id. */
  readonly autopilotModelIds?: readonly string[];
  /** The front door's default limits (each tenant's board may override them); absent when limits are off. */
  readonly rateLimits?: RateLimits;
  /** How long audit entries and memory versions are kept (retention.ts); defaults when omitted. */
  readonly retention?: Partial<Retention>;
}

/** Everything a use case may touch. Built once per process by a composition root. */
export interface Deps {
  readonly store: Store;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly log: Log;
  /** Embeds memories and search queries: Bedrock in AWS, the packaged model locally. */
  readonly embedder: Embedder;
  /** Memory vectors searched by similarity: S3 Vectors in AWS, an HNSW index in the data dir locally. */
  readonly vectors: VectorIndex;
  /** Memory words searched by BM25: postings in the table in AWS, an inverted index in the data dir locally. */
  readonly lexicon: LexicalIndex;
  /** Starts and resumes workflow runs: Step Functions in AWS, the local ASL runner locally. */
  readonly workflows: Workflows;
  readonly settings: CoreSettings;
}

/** Per-request context: the correlation id that follows the request through events and logs. */
export interface RequestContext {
  readonly correlationId: string;
}
