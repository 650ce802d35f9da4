import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Item } from '../../ports/store.js';
import type { Deps, RequestContext } from '../context.js';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { sendMessage } from '../messages/messages.js';
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
    {
      ...keys.record(input.tenantId, REQUIREMENTS_KIND, requestId),
      gsi1pk: keys.recordIndex(input.tenantId, REQUIREMENTS_KIND),
      gsi1sk: `${now}#${requestId}`,
      type: 'requirements',
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
    },
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
  const record = await deps.store.get(keys.record(input.tenantId, REQUIREMENTS_KIND, input.requestId));
  if (!record || record.requester !== input.requester) throw new NotFoundError(`no requirements request ${input.requestId}`);
  const threadId = String(record.thread_id);
  const stakeholders = record.stakeholders as EndpointId[];
  const replies = await threadMessages(deps, input.tenantId, input.requester, threadId);

  const answers: Record<string, StakeholderAnswer[]> = {};
  for (const item of replies) {
    const from = item.from as EndpointId;
    if (!stakeholders.includes(from)) continue;
    (answers[from] ??= []).push({ message_id: String(item.message_id), content: String(item.content), sent_at: String(item.sent_at) });
  }
  const answered = stakeholders.filter((s) => answers[s]);
  const pending = stakeholders.filter((s) => !answers[s]);
  const criteria = extractAcceptanceCriteria(answered.flatMap((s) => (answers[s] as StakeholderAnswer[]).map((a) => a.content)));
  const status = pending.length === 0 ? 'complete' : 'collecting';

  try {
    await deps.store.put(
      {
        ...record,
        status,
        answered,
        pending,
        acceptance_criteria: criteria,
        updated_at: new Date(deps.clock.now()).toISOString(),
        version: Number(record.version) + 1,
      },
      { kind: 'version', version: Number(record.version) },
    );
  } catch (error) {
    // A concurrent collect stored a snapshot of the same thread: the result below is as current.
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
  return {
    request_id: input.requestId,
    thread_id: threadId,
    status,
    asked: stakeholders,
    requirements_doc: { feature: String(record.feature), questions: record.questions as string[], answers, answered, pending },
    acceptance_criteria: criteria,
  };
}

/**
 * The requester's inbox entries in one thread, oldest first. Message ids
 * start with their time (10 characters), and every reply is later than the
 * thread id, so the scan starts at the thread's creation time.
 */
async function threadMessages(deps: Deps, tenantId: string, recipient: EndpointId, threadId: string): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query({
      pk: keys.inbox(tenantId, recipient),
      skBetween: [`MSG#${threadId.slice(0, 10)}`, 'MSG#\uffff'],
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items.filter((i) => i.thread_id === threadId));
    cursor = page.cursor;
  } while (cursor);
  return out;
}
