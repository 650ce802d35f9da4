import * as z from 'zod';
import { isRoleId } from '../../../../contracts/roles.js';
import { REVIEW_SIZES, requestCodeReview } from '../../../../core/delivery/code-review.js';
import { ValidationError } from '../../../../core/errors.js';
import { defineTool } from '../../../tool.js';

export const requestCodeReviewTool = defineTool({
  name: 'request_code_review',
  title: 'Request a code review',
  description:
    'Asks for a code review by message, with a size class, a time estimate and a checklist. Use it when a change is ready to ' +
    'merge. Reviewer: test_lead for high risk, senior_architect otherwise (they answer with reply in the returned thread). ' +
    'Size by lines changed: XS < 10, S < 30, M < 100, L < 500, XL < 1000, XXL ≥ 1000, one class up for more than 20 files; ' +
    'splitting is recommended from XL. Review time = max(10, ⌈lines × 60 ÷ 400 + 2 × files⌉) minutes (400 lines an hour). ' +
    'The checklist grows with risk (compatibility for medium; rollback, flag, security and load for high) and size. The ' +
    'reviewer, not you, approves the change.',
  input: z.object({
    title: z.string().trim().min(1).max(150),
    files_changed: z.number().int().min(1).max(100_000),
    lines_changed: z.number().int().nonnegative().max(10_000_000),
    risk: z.enum(['low', 'medium', 'high']),
    summary: z.string().trim().min(1).max(10_000).optional().describe('What changed and why.'),
    link: z.string().trim().min(1).max(500).optional().describe('Where the change is (pull request URL, branch).'),
  }),
  output: z.object({
    message_id: z.string(),
    thread_id: z.string(),
    reviewer: z.enum(['senior_architect', 'test_lead']),
    size: z.enum(REVIEW_SIZES),
    risk: z.enum(['low', 'medium', 'high']),
    estimated_review_minutes: z.number().int(),
    split_recommended: z.boolean(),
    checklist: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['senior_developer'],
  run: async (input, { deps, actor, correlationId }) => {
    if (!isRoleId(actor.actingAs)) throw new ValidationError('only a role requests code reviews');
    return requestCodeReview(deps, { correlationId }, {
      tenantId: actor.tenantId,
      author: actor.actingAs,
      title: input.title,
      filesChanged: input.files_changed,
      linesChanged: input.lines_changed,
      risk: input.risk,
      ...(input.summary !== undefined ? { summary: input.summary } : {}),
      ...(input.link !== undefined ? { link: input.link } : {}),
    });
  },
});
