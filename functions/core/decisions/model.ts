import type { EndpointId, RoleId } from '../../contracts/roles.js';

export type DecisionMode = 'autonomous' | 'collaborative' | 'hierarchical' | 'human';
export type DecisionStatus = 'pending' | 'approved' | 'rejected' | 'escalated' | 'expired';
export type VoteChoice = 'approve' | 'reject' | 'abstain';

/** Statuses a decision never leaves. `escalated` is open: it awaits a ruling higher up. */
export const CLOSED: readonly DecisionStatus[] = ['approved', 'rejected', 'expired'];

export interface Vote {
  readonly voter: EndpointId;
  readonly vote: VoteChoice;
  readonly confidence: number;
  readonly rationale: string;
  readonly cast_at: string;
}

export interface Escalation {
  readonly escalation_id: string;
  readonly from: EndpointId;
  readonly to: EndpointId;
  readonly reason: string;
  readonly at: string;
}

/** The governed acts an approval can commit the organization to. */
export const COMMITMENT_KINDS = ['budget_ceiling', 'budget_allocation', 'change_window', 'hire', 'strategic_initiative', 'deployment'] as const;
export type CommitmentKind = (typeof COMMITMENT_KINDS)[number];

/**
 * What approving a decision commits the organization to: the governed act and
 * its parameters as the initiator asked for it. When the decision is
 * approved, Conclave applies it once (keyed on the decision id) and records
 * the link; a rejection or expiry is recorded the same way.
 */
export interface Commitment {
  readonly kind: CommitmentKind;
  readonly params: Readonly<Record<string, unknown>>;
}

/** A decision as clients see it (SPEC "Decisions"). */
export interface Decision {
  readonly decision_id: string;
  readonly decision_type: string;
  readonly initiator: RoleId;
  readonly participants: EndpointId[];
  readonly mode: DecisionMode;
  readonly context: string;
  readonly status: DecisionStatus;
  readonly amount: number | null;
  readonly threshold: number;
  /** Minimum share of participants that must cast a vote (abstentions count toward quorum). */
  readonly quorum: number;
  readonly consensus_score: number | null;
  readonly outcome: string | null;
  /** Who must rule next (hierarchical, human and escalated decisions), or null. */
  readonly awaiting: EndpointId | null;
  readonly escalations: Escalation[];
  readonly votes: Vote[];
  readonly created_at: string;
  readonly completed_at: string | null;
  readonly deadline: string | null;
  /** What approving it commits the organization to (applied by Conclave once approved), or null. */
  readonly commitment: Commitment | null;
}

export interface Tally {
  readonly approve: number;
  readonly reject: number;
  readonly abstain: number;
  /** Confidence-weighted share of approvals among non-abstaining votes; null when there are none. */
  readonly score: number | null;
  readonly quorumMet: boolean;
  readonly tie: boolean;
}

/**
 * Tallies collaborative votes. score = Σ confidence(approve) / Σ confidence(approve ∪ reject).
 * A tie is equal approving and rejecting weight (or no non-abstaining weight at all).
 */
export function tally(votes: readonly Vote[], participants: number, quorum: number): Tally {
  const weight = (choice: VoteChoice) => votes.filter((v) => v.vote === choice).reduce((sum, v) => sum + v.confidence, 0);
  const approve = weight('approve');
  const reject = weight('reject');
  const total = approve + reject;
  return {
    approve: votes.filter((v) => v.vote === 'approve').length,
    reject: votes.filter((v) => v.vote === 'reject').length,
    abstain: votes.filter((v) => v.vote === 'abstain').length,
    score: total > 0 ? round(approve / total) : null,
    quorumMet: votes.length >= Math.ceil(participants * quorum - 1e-9),
    tie: Math.abs(approve - reject) < 1e-9,
  };
}

/** What a closed collaborative vote resolves to. Ties and missed quorum escalate. */
export function resolveVote(t: Tally, threshold: number): { status: 'approved' | 'rejected' | 'escalate'; outcome: string } {
  const counts = `${t.approve} approve, ${t.reject} reject, ${t.abstain} abstain`;
  if (!t.quorumMet) return { status: 'escalate', outcome: `quorum not met (${counts})` };
  if (t.tie || t.score === null) return { status: 'escalate', outcome: `tie (${counts})` };
  if (t.score >= threshold) return { status: 'approved', outcome: `approved with consensus ${t.score} ≥ ${threshold} (${counts})` };
  return { status: 'rejected', outcome: `rejected with consensus ${t.score} < ${threshold} (${counts})` };
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
