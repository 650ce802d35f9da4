import type { EndpointId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import type { Decision } from '../decisions/model.js';
import { keys } from '../keys.js';
import { fromItem } from './model.js';
import { storeMemory } from './store-memory.js';

/**
 * The organization remembers its records: a closed decision or ruled
 * escalation, a design, a technical or UX spec, an incident and its
 * resolution become memories keyed by kind and id (`decision/<id>`,
 * `design/<id>`, …), tagged by kind, written by the system on behalf of the
 * role that made the record (who then owns it). Paraphrased questions about
 * past choices find them through search_memories. A failure to remember is
 * logged and never undoes the record itself.
 */

export type RecordKind = 'decision' | 'design' | 'spec' | 'ux_spec' | 'incident' | 'postmortem';

export interface RecordMemory {
  readonly tenantId: string;
  readonly kind: RecordKind;
  readonly id: string;
  /** The role that made the record: the memory's owner. */
  readonly author: EndpointId;
  /** Self-contained text: what was decided or designed, the outcome, who ruled and why. */
  readonly content: string;
  readonly tags?: readonly string[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Publish Memory.Stored.v1 (default true; false where the caller may not publish, e.g. a bus consumer). */
  readonly publish?: boolean;
}

const CONTENT_CHARS = 8_000;

/** The key a record is remembered under. */
export function recordKey(kind: RecordKind, id: string): string {
  return `${kind}/${id}`;
}

/** Stores (or updates) the memory of a record; never throws. */
export async function rememberRecord(deps: Deps, ctx: RequestContext, record: RecordMemory): Promise<string | undefined> {
  const key = recordKey(record.kind, record.id);
  try {
    const content = record.content.length > CONTENT_CHARS ? `${record.content.slice(0, CONTENT_CHARS - 1)}…` : record.content;
    // The same record again (a redelivered event, a step run twice) adds no version.
    const item = await deps.store.get(keys.memory(record.tenantId, key));
    const current = item && fromItem(item);
    if (current?.state === 'active' && current.content === content) return key;
    const tags = [record.kind, ...(record.tags ?? [])].map((t) => t.toLowerCase().replace(/[^\p{L}\p{N} ._:/#+-]/gu, '-').replace(/^[^\p{L}\p{N}]+/u, '').slice(0, 64)).filter(Boolean);
    await storeMemory(deps, ctx, {
      tenantId: record.tenantId,
      key,
      content,
      tags: [...new Set(tags)].slice(0, 20),
      metadata: { [`${record.kind}_id`]: record.id, ...record.metadata },
      author: record.author,
      principal: `system:${record.kind}s`,
      ...(record.publish === false ? { publish: false } : {}),
    });
    return key;
  } catch (error) {
    deps.log.warn('record not remembered', { key, correlation_id: ctx.correlationId, error: String(error) });
    return undefined;
  }
}

const ruledBy = (outcome: string | null): string | null => /^(?:approved|rejected) by ([a-z_]+):/.exec(outcome ?? '')?.[1] ?? null;

/** The memory of a closed decision (approved, rejected or expired): what, the outcome, the ruler and the rationale, the votes. */
export function decisionMemory(tenantId: string, d: Decision): RecordMemory {
  const ruler = ruledBy(d.outcome) ?? (d.mode === 'collaborative' ? 'the participants\u2019 vote' : null);
  const rationale = /^(?:approved|rejected) by [a-z_]+: ([\s\S]*)$/.exec(d.outcome ?? '')?.[1];
  // The subject first: what was decided is what a later question is about (the embedding weighs the opening most).
  const lines = [
    `Decision: ${d.context}`,
    `Outcome: ${d.status}${d.outcome ? ` \u2014 ${d.outcome}` : ''}.`,
    ...(ruler ? [`Ruled by ${ruler}.`] : []),
    ...(rationale ? [`Rationale: ${rationale}`] : []),
    ...(d.amount !== null ? [`Amount: ${d.amount.toLocaleString('en-US')} USD.`] : []),
    ...d.votes.map((v) => `${v.voter} voted ${v.vote} (confidence ${v.confidence})${v.rationale ? `: ${v.rationale}` : ''}`),
    ...d.escalations.map((e) => `Escalated from ${e.from} to ${e.to}: ${e.reason}`),
    `(${d.decision_type} decision ${d.decision_id}, ${d.mode}, proposed by ${d.initiator})`,
  ];
  return {
    tenantId,
    kind: 'decision',
    id: d.decision_id,
    author: d.initiator,
    content: lines.join('\n'),
    tags: [d.decision_type, d.status, ...(d.escalations.length ? ['escalation'] : [])],
    metadata: { status: d.status, mode: d.mode, ruled_by: ruler, completed_at: d.completed_at },
  };
}
