import type { RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { sendMessage } from '../messages/messages.js';

export const REVIEW_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'] as const;
export type ReviewSize = (typeof REVIEW_SIZES)[number];
export type ReviewRisk = 'low' | 'medium' | 'high';
export type Reviewer = 'senior_architect' | 'test_lead';

/** Lines reviewed per hour while review stays effective (SmartBear/Cisco study: under 400–500 LOC/hour). */
export const LINES_PER_HOUR = 400;

/**
 * Size class by lines changed (the Kubernetes size labels): XS < 10,
 * S < 30, M < 100, L < 500, XL < 1000, XXL ≥ 1000; more than 20 files
 * raises it one class (capped at XXL).
 */
export function classifySize(linesChanged: number, filesChanged: number): ReviewSize {
  const byLines = linesChanged < 10 ? 0 : linesChanged < 30 ? 1 : linesChanged < 100 ? 2 : linesChanged < 500 ? 3 : linesChanged < 1000 ? 4 : 5;
  return REVIEW_SIZES[Math.min(5, byLines + (filesChanged > 20 ? 1 : 0))] as ReviewSize;
}

/** Review time in minutes: max(10, ⌈lines × 60 ÷ 400 + 2 × files⌉). */
export function reviewMinutes(linesChanged: number, filesChanged: number): number {
  return Math.max(10, Math.ceil((linesChanged * 60) / LINES_PER_HOUR + 2 * filesChanged));
}

/** The reviewer: test_lead for high risk (it owns the quality gate), senior_architect otherwise. */
export function reviewerFor(risk: ReviewRisk): Reviewer {
  return risk === 'high' ? 'test_lead' : 'senior_architect';
}

/** The checklist for a change: the base items, then by risk and size. */
export function reviewChecklist(title: string, risk: ReviewRisk, size: ReviewSize): string[] {
  const list = [
    `The change does what it says: ${title}`,
    'Tests cover the changed behaviour and fail without the change',
    'No secrets, credentials or personal data in the diff or the logs',
    'Errors are handled, with a clear message and the correlation id logged',
    'Comments state contracts and reasons, not mechanics',
  ];
  if (risk !== 'low') list.push('Changed interfaces stay backward compatible, or callers are migrated in the same change');
  if (risk === 'high') {
    list.push('A rollback plan is written and has been tried', 'The change ships behind a feature flag or a staged rollout', 'Security review of the touched surface', 'Performance measured under load');
  }
  if (REVIEW_SIZES.indexOf(size) >= REVIEW_SIZES.indexOf('L')) list.push(`Review in passes of at most ${LINES_PER_HOUR} lines`);
  if (REVIEW_SIZES.indexOf(size) >= REVIEW_SIZES.indexOf('XL')) list.push('Split into smaller changes before merging if at all possible');
  return list;
}

export interface CodeReviewRequest {
  readonly message_id: string;
  readonly thread_id: string;
  readonly reviewer: Reviewer;
  readonly size: ReviewSize;
  readonly risk: ReviewRisk;
  readonly estimated_review_minutes: number;
  readonly split_recommended: boolean;
  readonly checklist: string[];
}

/**
 * Requests a code review: classifies the change (classifySize,
 * reviewMinutes), builds its checklist, and sends a `request` message to the
 * reviewer (reviewerFor; high priority for high risk). Splitting is
 * recommended from XL (≥ 500 lines). The reviewer answers with `reply`.
 */
export async function requestCodeReview(
  deps: Deps,
  ctx: RequestContext,
  input: { tenantId: string; author: RoleId; title: string; filesChanged: number; linesChanged: number; risk: ReviewRisk; summary?: string; link?: string },
): Promise<CodeReviewRequest> {
  if (!Number.isInteger(input.filesChanged) || input.filesChanged < 1) throw new ValidationError('files_changed must be an integer ≥ 1');
  if (!Number.isInteger(input.linesChanged) || input.linesChanged < 0) throw new ValidationError('lines_changed must be an integer ≥ 0');
  const size = classifySize(input.linesChanged, input.filesChanged);
  const minutes = reviewMinutes(input.linesChanged, input.filesChanged);
  const split = REVIEW_SIZES.indexOf(size) >= REVIEW_SIZES.indexOf('XL');
  const checklist = reviewChecklist(input.title, input.risk, size);
  const reviewer = reviewerFor(input.risk);
  const content = [
    `${input.author} asks for a code review: ${input.title}`,
    `Size ${size} (${input.linesChanged} lines in ${input.filesChanged} files), risk ${input.risk}, about ${minutes} minutes to review.`,
    ...(input.link ? [`Change: ${input.link}`] : []),
    ...(input.summary ? ['', input.summary] : []),
    '',
    'Checklist:',
    ...checklist.map((c) => `- [ ] ${c}`),
    '',
    'Reply with your verdict (approve / request changes) and findings.',
  ].join('\n');
  const sent = await sendMessage(deps, ctx, {
    tenantId: input.tenantId,
    from: input.author,
    to: reviewer,
    subject: `Code review [${size}, ${input.risk} risk]: ${input.title}`.slice(0, 200),
    content,
    type: 'request',
    priority: input.risk === 'high' ? 'high' : 'normal',
  });
  return {
    message_id: sent.message_id,
    thread_id: sent.thread_id,
    reviewer,
    size,
    risk: input.risk,
    estimated_review_minutes: minutes,
    split_recommended: split,
    checklist,
  };
}
