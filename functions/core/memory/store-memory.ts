import { buildEvent } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { ConflictError } from '../errors.js';
import { updateRecord } from '../versioned.js';
import { keys } from '../keys.js';
import { EMBED_BATCH } from './embedding-writes.js';
import { embedPending } from './embed-pending.js';
import { countChange, indexRecords, markUnindexed, unindexedKeys } from './search-index.js';
import {
  embeddingText,
  fromItem,
  hasVectorOf,
  normalizeTags,
  memoryCodec,
  toView,
  validateContent,
  validateKey,
  validateMetadata,
  type MemoryRecord,
  type MemoryView,
  type StoredVector,
  conflictBackoff,
} from './model.js';
import { encodeVector } from './vectors.js';
import { keepPreviousVersion } from './history.js';
import { assertMayEdit } from './ownership.js';

export interface StoreMemoryInput {
  readonly tenantId: string;
  readonly key: string;
  readonly content: string;
  /** Replaces the memory's tags; omitted on an update, the stored tags stay. */
  readonly tags?: readonly string[];
  /** Replaces the memory's metadata; omitted on an update, the stored metadata stays. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly author: EndpointId;
  /** The principal writing it: a key id, or `system:<component>` when Conclave records its own history (ownership.ts). */
  readonly principal?: string;
  /** Restoring: keep the owner of the key even over a forget (restore_memory). */
  readonly keepOwner?: boolean;
  /** Publish Memory.Stored.v1 (default true): false for Conclave's own records written by a consumer, which may not publish. */
  readonly publish?: boolean;
}

export interface StoreMemoryResult {
  readonly memory: MemoryView;
  /** True when the key was new (or had been forgotten). */
  readonly created: boolean;
}

/** Writers of one key retry on a version conflict; enough for a burst of concurrent writers. */
const ATTEMPTS = 12;
/** Pending memories embedded along the way by a store that embedded fine. */
const OPPORTUNISTIC_BATCH = EMBED_BATCH / 2;

/**
 * Stores a memory: an upsert by key within the tenant. The content is
 * embedded with the current model; if the embedder fails the memory is
 * stored anyway with `embedding: pending` (searchable lexically) and
 * embedPending gives it a vector later, so nothing is lost to a model outage.
 * Concurrent writers of one key are ordered by a version condition (the last
 * to commit wins, none is half-applied). Publishes Memory.Stored.v1.
 *
 * This is the one write path for memories: tools, workflows (a postmortem,
 * a spec) and decisions (a rationale) all store through it. Overwriting is
 * the owner's, its superiors' and the board's (ownership.ts); the version
 * replaced is kept in the key's history (history.ts).
 */
export async function storeMemory(deps: Deps, ctx: RequestContext, input: StoreMemoryInput): Promise<StoreMemoryResult> {
  const key = validateKey(input.key);
  const content = validateContent(input.content);
  const tags = input.tags === undefined ? undefined : normalizeTags(input.tags);
  const metadata = input.metadata === undefined ? undefined : validateMetadata(input.metadata);
  const itemKey = keys.memory(input.tenantId, key);

  const first = await read(deps, itemKey);
  const vector = await vectorFor(deps, key, content, first);
  // What the winning attempt replaced (undefined: the key was new).
  const seen: { existing?: MemoryRecord } = {};
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  // The new version replaces what is stored only if nobody wrote the key meanwhile (else: re-read, re-check, retry after a short random pause).
  const stub: MemoryRecord = { key, state: 'forgotten', version: 0, content: '', tags: [], metadata: {}, author: input.author, createdBy: input.author, createdAt: at, updatedAt: at, embedding: 'pending' };
  const written = await updateRecord(
    deps.store,
    itemKey,
    memoryCodec(input.tenantId, now),
    async (current) => {
      // Version 0: nothing stored yet (the stub is written only if the key is still absent).
      const existing = current.version === 0 ? undefined : current;
      seen.existing = existing;
      const live = existing?.state === 'active' ? existing : undefined;
      const owner = input.keepOwner ? existing : live;
      if (live) await assertMayEdit(deps, input.tenantId, live, { role: input.author, ...(input.principal ? { principal: input.principal } : {}) }, 'overwrite');
      const next: MemoryRecord = {
        key,
        state: 'active',
        version: current.version + 1,
        content,
        tags: tags ?? live?.tags ?? [],
        metadata: metadata ?? live?.metadata ?? {},
        author: input.author,
        ...(input.principal ? { authorPrincipal: input.principal } : {}),
        createdBy: owner?.createdBy ?? input.author,
        ...((owner ? owner.createdByPrincipal : input.principal) ? { createdByPrincipal: (owner ? owner.createdByPrincipal : input.principal) as string } : {}),
        createdAt: owner?.createdAt ?? at,
        updatedAt: at,
        embedding: vector ? 'ready' : 'pending',
        ...(vector ? { vector } : {}),
      };
      await markUnindexed(deps, input.tenantId, key, next.version);
      if (existing) await keepPreviousVersion(deps, input.tenantId, existing);
      return next;
    },
    { attempts: ATTEMPTS, what: `memory "${key}"`, backoff: conflictBackoff, create: () => stub },
  );
  if (!written) throw new ConflictError(`memory "${key}" is being written concurrently; try again`);
  const record = written.record;
  const { existing } = seen;
  {
    await countChange(deps, input.tenantId, existing, record);
    await indexRecords(deps, input.tenantId, [record]);
    const created = existing?.state !== 'active';
    if (input.publish !== false) await deps.bus.publish([
      buildEvent('Memory.Stored.v1', {
        tenant_id: input.tenantId,
        correlation_id: ctx.correlationId,
        occurred_at: at,
        key,
        author: input.author,
        tags: [...record.tags],
        created,
      }),
    ]);
    if (vector && vector !== existing?.vector) await embedSomePending(deps, input.tenantId);
    return { memory: toView(record, deps.embedder.modelId, deps.embedder.dimensions), created };
  }
}

/**
 * The embedder just answered: give a few memories left pending by an earlier
 * failure (or not yet indexed) their vector too. Failures only leave them pending.
 */
async function embedSomePending(deps: Deps, tenantId: string): Promise<void> {
  if ((await unindexedKeys(deps, tenantId, 1)).length === 0) return;
  try {
    await embedPending(deps, tenantId, { limit: OPPORTUNISTIC_BATCH });
  } catch (error) {
    deps.log.warn('pending memories not embedded yet', { model: deps.embedder.modelId, error: String(error) });
  }
}

async function read(deps: Deps, itemKey: { pk: string; sk: string }): Promise<MemoryRecord | undefined> {
  const item = await deps.store.get(itemKey);
  return item ? fromItem(item) : undefined;
}

/**
 * The vector to store: the existing one when the embedded text is unchanged
 * and it is of the current model, else a fresh embedding; undefined when
 * the embedder fails (the memory is then stored as pending).
 */
async function vectorFor(deps: Deps, key: string, content: string, existing: MemoryRecord | undefined): Promise<StoredVector | undefined> {
  const { modelId, dimensions } = deps.embedder;
  if (existing?.state === 'active' && existing.content === content && existing.vector && hasVectorOf(existing, modelId, dimensions)) {
    return existing.vector;
  }
  try {
    const [vector] = await deps.embedder.embed([embeddingText(key, content)]);
    if (!vector || vector.length !== dimensions) throw new Error(`the embedder returned ${vector?.length ?? 0} dimensions, not ${dimensions}`);
    return { model: modelId, dims: dimensions, bytes: encodeVector(vector) };
  } catch (error) {
    deps.log.warn('memory stored without a vector; it will be embedded later', { key, model: modelId, error: String(error) });
    return undefined;
  }
}
