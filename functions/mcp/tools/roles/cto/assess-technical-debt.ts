import * as z from 'zod';
import { assessTechnicalDebt } from '../../../../core/engineering/technical-debt.js';
import { defineTool } from '../../../tool.js';

const count = z.number().int().min(0).max(1e9);
const dimension = z.enum(['test_coverage', 'complexity', 'duplication', 'dependencies', 'bug_density', 'smell_density']);

export const assessTechnicalDebtTool = defineTool({
  name: 'assess_technical_debt',
  title: 'Assess technical debt',
  description:
    'Scores a codebase\'s technical debt from its metrics (0 none – 100 worst) and ranks the fixes. ' +
    'debt_score = 100 × Σ weight × penalty, each penalty rising linearly from 0 at the healthy bound to 1 at the worst: ' +
    'test coverage 25% (≥ 80% healthy, 0% worst), average cyclomatic complexity 20% (≤ 5, ≥ 20), duplication 15% (≤ 3%, ≥ 25%), ' +
    'outdated dependencies 15% (0, ≥ 20), open bugs per KLOC 15% (0, ≥ 5), code smells per KLOC 10% (0, ≥ 20). Rating: < 20 low, ' +
    '< 40 moderate, < 60 high, else critical. priority_fixes lists every penalized dimension, largest contribution first. ' +
    'Computes only; stores nothing.',
  input: z.object({
    codebase_metrics: z.object({
      test_coverage: z.number().min(0).max(100).describe('Line coverage, percent.'),
      avg_cyclomatic_complexity: z.number().min(1).max(1000),
      duplication_pct: z.number().min(0).max(100),
      outdated_dependencies: count,
      open_bugs: count,
      code_smells: count,
      lines_of_code: count.min(1),
    }),
  }),
  output: z.object({
    debt_score: z.number(),
    rating: z.enum(['low', 'moderate', 'high', 'critical']),
    priority_fixes: z.array(z.string()),
    breakdown: z.array(
      z.object({ dimension, value: z.number(), penalty: z.number(), weight: z.number(), contribution: z.number(), healthy: z.string() }),
    ),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['cto'],
  run: async (input) => assessTechnicalDebt(input.codebase_metrics),
});
