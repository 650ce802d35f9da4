import { buildEvent, type EventDetail } from '../../contracts/events.js';
import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { PreconditionFailedError } from '../errors.js';
import { keys } from '../keys.js';
import { deliver, notificationId } from '../messages/messages.js';
import { field, type Codec } from '../versioned.js';

/** The record kind of reported outcomes: one per decision or run, so each is reported once. */
export const OUTCOME = 'OUTCOME';

export interface OutcomeReport {
  readonly tenantId: string;
  readonly correlationId: string;
  readonly subject: EventDetail<'Outcome.Reported.v1'>['subject'];
  readonly subjectId: string;
  /** What was asked for: the decision type (budget_allocation, hire…) or the workflow. */
  readonly kind: string;
  readonly initiator: EndpointId;
  readonly status: EventDetail<'Outcome.Reported.v1'>['status'];
  readonly decidedBy: EndpointId | null;
  readonly reason: string;
  /** What an approval put into effect, when it applied something. */
  readonly applied: string | null;
  /** When it ended (the message's time: a redelivery yields the same message id). */
  readonly endedAt: string;
  /** How to see more (a tool call), appended to the message. */
  readonly seeMore: string;
  /** The message's subject, when the default ("Outcome: your … was …") does not fit. */
  readonly title?: string;
  /** Who is told: the initiator (default), or a role that escalated someone else's request (escalate_to_board). */
  readonly audience?: 'initiator' | 'escalator';
}

/** The record of a reported outcome: what ended, how, by whom, and what its approval applied (written once). */
export interface OutcomeRecord {
  readonly tenant_id: string;
  readonly subject: OutcomeReport['subject'];
  readonly subject_id: string;
  readonly kind: string;
  readonly initiator: EndpointId;
  readonly status: OutcomeReport['status'];
  readonly decided_by: EndpointId | null;
  readonly reason: string;
  readonly applied: string | null;
  readonly reported_at: string;
}

export const outcomeCodec: Codec<OutcomeRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    subject: field.oneOf<OutcomeReport['subject']>(i, 'subject', 'decision', ['decision', 'workflow_run']),
    subject_id: field.reqStr(i, 'subject_id'),
    kind: field.str(i, 'kind'),
    initiator: field.oneOf<EndpointId>(i, 'initiator', 'board'),
    status: field.oneOf<OutcomeReport['status']>(i, 'status', 'expired', ['approved', 'rejected', 'expired', 'succeeded', 'failed', 'timed_out']),
    decided_by: field.strOrNull(i, 'decided_by') as EndpointId | null,
    reason: field.str(i, 'reason'),
    applied: field.strOrNull(i, 'applied'),
    reported_at: field.str(i, 'reported_at'),
  }),
  encode: (o) => ({ ...keys.record(o.tenant_id, OUTCOME, `${o.subject}#${o.subject_id}`), type: 'outcome', ...o }),
};

/**
 * Tells the initiator how a request ended, once: one outcome message in its
 * inbox (called again for a role that escalated the request, which gets its
 * own one message; the record and event are written by the first call only) (a deterministic id, so a redelivery adds nothing), the OUTCOME
 * record that links the request to what it applied, and
 * Outcome.Reported.v1 for integrators — published only by the call that
 * wrote the record. Returns false when it had been reported already.
 */
export async function reportOutcome(deps: Deps, r: OutcomeReport): Promise<boolean> {
  const what = r.subject === 'decision' ? `${r.kind.replace(/_/g, ' ')} request (decision ${r.subjectId})` : `${r.kind} run ${r.subjectId}`;
  const by = r.decidedBy ? ` by ${r.decidedBy}` : '';
  const whose = r.audience === 'escalator' ? { subject: `the ${what} you escalated`, content: `The ${what} you escalated` } : { subject: `your ${what}`, content: `Your ${what}` };
  await deliver(deps, {
    tenantId: r.tenantId,
    messageId: notificationId(r.endedAt, `outcome:${r.subject}:${r.subjectId}`, r.initiator),
    from: 'conclave',
    to: r.initiator,
    recipients: [r.initiator],
    type: 'notification',
    priority: r.status === 'approved' || r.status === 'succeeded' ? 'normal' : 'high',
    subject: (r.title ?? `Outcome: ${whose.subject} was ${r.status.replace('_', ' ')}${by}`).slice(0, 200),
    content: `${whose.content} was ${r.status.replace('_', ' ')}${by}.\n\nWhy: ${r.reason || 'not recorded'}${r.applied ? `\n\nApplied: ${r.applied}` : ''}\n\n${r.seeMore}`.slice(0, 8000),
    threadId: r.subject === 'decision' ? r.subjectId : `run-${r.subjectId}`,
    replyTo: null,
    correlationId: r.correlationId,
    sentAt: r.endedAt,
  });
  const at = new Date(deps.clock.now()).toISOString();
  try {
    await deps.store.put(
      outcomeCodec.encode({
        tenant_id: r.tenantId,
        subject: r.subject,
        subject_id: r.subjectId,
        kind: r.kind,
        initiator: r.initiator,
        status: r.status,
        decided_by: r.decidedBy,
        reason: r.reason.slice(0, 2000),
        applied: r.applied,
        reported_at: at,
      }),
      { kind: 'absent' },
    );
  } catch (error) {
    if (error instanceof PreconditionFailedError) return false;
    throw error;
  }
  await deps.bus.publish([
    buildEvent('Outcome.Reported.v1', {
      tenant_id: r.tenantId,
      correlation_id: r.correlationId,
      occurred_at: at,
      subject: r.subject,
      subject_id: r.subjectId,
      kind: r.kind.slice(0, 100),
      initiator: r.initiator,
      status: r.status,
      decided_by: r.decidedBy,
      reason: r.reason.slice(0, 2000),
      applied: r.applied?.slice(0, 500) ?? null,
    }),
  ]);
  return true;
}
