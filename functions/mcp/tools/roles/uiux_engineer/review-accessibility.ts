import * as z from 'zod';
import { reviewAccessibility, WCAG_LEVELS } from '../../../../core/design/accessibility.js';
import { defineTool } from '../../../tool.js';

const issue = z.object({ criterion: z.string(), level: z.enum(WCAG_LEVELS), notes: z.string().nullable() });
const levelCount = z.object({ reviewed: z.number().int(), passed: z.number().int(), failed: z.number().int() });

export const reviewAccessibilityTool = defineTool({
  name: 'review_accessibility',
  title: 'Review accessibility (WCAG)',
  description:
    'Scores an accessibility review from your WCAG findings and says what blocks release. Use it after checking a design or ' +
    'build against WCAG success criteria: you judge each criterion, the server computes. score = 100 × Σ weight(passed) ÷ ' +
    'Σ weight(all) with weights A 3, AA 2, AAA 1. Blocking issues: every failed A or AA criterion; failed AAA criteria are ' +
    'advisories. conformance_level: the highest of A, AA, AAA such that every level up to it has at least one finding and all ' +
    'passed, else none (unreviewed levels are never claimed). Criterion ids look like "1.4.3"; one finding per criterion. ' +
    'Computes only; stores nothing.',
  input: z.object({
    subject: z.string().trim().min(1).max(300).optional().describe('What was reviewed (screen, flow, build).'),
    findings: z
      .array(
        z.object({
          criterion: z.string().trim().max(16).regex(/^[1-4]\.\d{1,2}\.\d{1,2}$/, 'a WCAG success criterion id like "1.4.3"'),
          level: z.enum(WCAG_LEVELS),
          passed: z.boolean(),
          notes: z.string().trim().max(2000).optional(),
        }),
      )
      .min(1)
      .max(200),
  }),
  output: z.object({
    subject: z.string().nullable(),
    score: z.number(),
    conformance_level: z.enum(['none', ...WCAG_LEVELS]),
    blocking_issues: z.array(issue),
    advisories: z.array(issue),
    by_level: z.object({ A: levelCount, AA: levelCount, AAA: levelCount }),
    rationale: z.string(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['uiux_engineer'],
  run: async (input) => ({ subject: input.subject ?? null, ...reviewAccessibility(input.findings) }),
});
