import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { inboxCodec, type InboxRecord } from '../messages/message-record.js';
import { sendMessage } from '../messages/messages.js';
import { field, updateRecord, type Codec } from '../versioned.js';
import { extractAcceptanceCriteria } from './scoring.js';

/** The record kind of a requirements request (`keys.record(tenant, REQUIREMENTS_KIND, id)`). */
export const REQUIREMENTS_KIND = 'REQUIREMENTS';

/** Asked when the caller gives no questions. */
export const DEFAULT_QUESTIONS = [
  'What must this feature do for your area?',
  'What constraints, risks or dependencies do you see?',
  'How will we know it works? Give acceptance criteria.',
] as const;

export interface StakeholderAnswer {
  readonly message_id: string;
  readonly content: string;
  readonly sent_at: string;
}

export interface RequirementsDoc {
  readonly feature: string;
  readonly questions: string[];
  /** Each stakeholder's replies in the request's thread, oldest first (stakeholders with none are absent). */
  readonly answers: Record<string, StakeholderAnswer[]>;
  readonly answered: EndpointId[];
  readonly pending: EndpointId[];
}

export interface RequirementsRequest {
  readonly request_id: string;
  readonly thread_id: string;
  /** `collecting` until every stakeholder has answered, then `complete` (more replies are still collected). */
  readonly status: 'collecting' | 'complete';
  readonly asked: EndpointId[];
  readonly requirements_doc: RequirementsDoc;
  readonly acceptance_criteria: string[];
}

/** A requirements request as stored (its items carry no tenant: the key does, so the codec is made per tenant). */
export interface RequirementsRecord {
  readonly request_id: string;
  readonly thread_id: string;
  readonly requester: RoleId;
  readonly feature: string;
  readonly stakeholders: EndpointId[];
  readonly questions: string[];
  readonly status: 'collecting' | 'complete';
  readonly answered: EndpointId[];
  readonly pending: EndpointId[];
  readonly acceptance_criteria: string[];
  readonly created_at: string;
  readonly updated_at: string;
  readonly version: number;
}

export function requirementsCodec(tenantId: string): Codec<RequirementsRecord> {
  return {
    decode: (i) => ({
      request_id: field.reqStr(i, 'request_id'),
      thread_id: field.reqStr(i, 'thread_id'),
      requester: field.oneOf<RoleId>(i, 'requester', 'product_manager'),
      feature: field.str(i, 'feature'),
      stakeholders: field.strs(i, 'stakeholders') as EndpointId[],
      questions: field.strs(i, 'questions'),
      status: field.oneOf(i, 'status', 'collecting', ['collecting', 'complete'] as const),
      answered: field.strs(i, 'answered') as EndpointId[],
      pending: field.strs(i, 'pending') as EndpointId[],
      acceptance_criteria: field.strs(i, 'acceptance_criteria'),
      created_at: field.str(i, 'created_at'),
      updated_at: field.str(i, 'updated_at'),
      version: field.num(i, 'version', 1),
    }),
    encode: (r) => ({
      ...keys.record(tenantId, REQUIREMENTS_KIND, r.request_id),
      gsi1pk: keys.recordIndex(tenantId, REQUIREMENTS_KIND),
      gsi1sk: `${r.created_at}#${r.request_id}`,
      type: 'requirements',
      ...r,
    }),
  };
}

export interface StartInput {
  readonly tenantId: string;
  readonly requester: RoleId;
  readonly feature: string;
  readonly stakeholders: readonly EndpointId[];
  readonly questions?: readonly string[];
}

/**
 * Starts gathering requirements: one `request` message to each stakeholder,
 * all in one new thread, and a REQUIREMENTS record (status `collecting`)
 * that remembers the thread. Stakeholders answer with `reply`, which lands in
 * the requester's inbox in that thread.
 */
export async function startRequirements(deps: Deps, ctx: RequestContext, input: StartInput): Promise<RequirementsRequest> {
  const stakeholders = [...new Set(input.stakeholders)];
  if (stakeholders.length === 0) throw new ValidationError('name at least one stakeholder');
  if (stakeholders.includes(input.requester)) throw new ValidationError(`${input.requester} cannot be its own stakeholder`);
  const questions = (input.questions?.length ? input.questions : DEFAULT_QUESTIONS).map((q) => q.trim()).filter((q) => q.length > 0);
  if (questions.length === 0) throw new ValidationError('questions must not be blank');

  const requestId = deps.ids.next();
  // A fresh id as thread id: every request message (and every reply to one) shares it.
  const threadId = deps.ids.next();
  const content =
    `The ${input.requester} is gathering requirements for "${input.feature}" (request ${requestId}).\n` +
    'Please answer with the reply tool on this message. Write each acceptance criterion on its own line, ' +
    'starting with "must", "should" or "Given … / When … / Then …".\n\n' +
    questions.map((q, i) => `${i + 1}. ${q}`).join('\n');
  for (const stakeholder of stakeholders) {
    await sendMessage(deps, ctx, {
      tenantId: input.tenantId,
      from: input.requester,
      to: stakeholder,
      subject: `Requirements: ${input.feature}`.slice(0, 200),
      content,
      type: 'request',
      priority: 'normal',
      threadId,
    });
  }
  const now = new Date(deps.clock.now()).toISOString();
  await deps.store.put(
    requirementsCodec(input.tenantId).encode({
      request_id: requestId,
      thread_id: threadId,
      requester: input.requester,
      feature: input.feature,
      stakeholders,
      questions,
      status: 'collecting',
      answered: [],
      pending: stakeholders,
      acceptance_criteria: [],
      created_at: now,
      updated_at: now,
      version: 1,
    }),
    { kind: 'absent' },
  );
  return {
    request_id: requestId,
    thread_id: threadId,
    status: 'collecting',
    asked: stakeholders,
    requirements_doc: { feature: input.feature, questions, answers: {}, answered: [], pending: stakeholders },
    acceptance_criteria: [],
  };
}

/**
 * Collects the answers to a request: every message in the request's thread
 * in the requester's inbox that comes from one of the stakeholders. Builds
 * the requirements document (answers by stakeholder, who is still pending)
 * and the acceptance criteria (answer lines starting with must/should/shall
 * or Given … When … Then …). Updates the record's status and snapshot.
 */
export async function collectRequirements(deps: Deps, input: { tenantId: string; requester: RoleId; requestId: string }): Promise<RequirementsRequest> {
  const codec = requirementsCodec(input.tenantId);
  const key = keys.record(input.tenantId, REQUIREMENTS_KIND, input.requestId);
  const stored = await deps.store.get(key);
  const record = stored && codec.decode(stored);
  if (!record || record.requester !== input.requester) throw new NotFoundError(`no requirements request ${input.requestId}`);
  const { thread_id: threadId, stakeholders } = record;
  const replies = await threadMessages(deps, input.tenantId, input.requester, threadId);

  const answers: Record<string, StakeholderAnswer[]> = {};
  for (const m of replies) {
    if (m.from === 'conclave' || !stakeholders.includes(m.from)) continue;
    (answers[m.from] ??= []).push({ message_id: m.message_id, content: m.content, sent_at: m.sent_at });
  }
  const answered = stakeholders.filter((s) => answers[s]);
  const pending = stakeholders.filter((s) => !answers[s]);
  const criteria = extractAcceptanceCriteria(answered.flatMap((s) => (answers[s] as StakeholderAnswer[]).map((a) => a.content)));
  const status: RequirementsRecord['status'] = pending.length === 0 ? 'complete' : 'collecting';
  // A concurrent collect stores a snapshot of the same thread: a lost race just stores this one on the fresh record.
  const updatedAt = new Date(deps.clock.now()).toISOString();
  await updateRecord(deps.store, key, codec, (current) => ({ ...current, status, answered, pending, acceptance_criteria: criteria, updated_at: updatedAt }), {
    what: `requirements request ${input.requestId}`,
  });
  return {
    request_id: input.requestId,
    thread_id: threadId,
    status,
    asked: stakeholders,
    requirements_doc: { feature: record.feature, questions: record.questions, answers, answered, pending },
    acceptance_criteria: criteria,
  };
}

/**
 * The requester's inbox entries in one thread, oldest first. Message ids
 * start with their time (10 characters), and every reply is later than the
 * thread id, so the scan starts at the thread's creation time.
 */
async function threadMessages(deps: Deps, tenantId: string, recipient: EndpointId, threadId: string): Promise<InboxRecord[]> {
  const codec = inboxCodec(tenantId, recipient);
  const out: InboxRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({
      pk: keys.inbox(tenantId, recipient),
      skBetween: [`MSG#${threadId.slice(0, 10)}`, 'MSG#\uffff'],
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items.map((i) => codec.decode(i)).filter((m) => m.thread_id === threadId));
    cursor = page.cursor;
  } while (cursor);
  return out;
}
