import * as z from 'zod';
import { listQualityGates } from '../../../../core/quality/quality-gate.js';
import { defineTool } from '../../../tool.js';
import { cursor, qualityGate, releaseName } from './schemas.js';

export const listQualityGatesTool = defineTool({
  name: 'list_quality_gates',
  title: 'List quality gates',
  description:
    'Lists recorded quality gates newest first, optionally of one release and/or only passed or failed ones, with each check ' +
    'and its detail. The first gate listed for a release is the one deployment approval uses. Pass next_cursor back as cursor.',
  input: z.object({
    release: releaseName.optional(),
    passed: z.boolean().optional(),
    limit: z.number().int().min(1).max(50).default(20),
    cursor,
  }),
  output: z.object({ gates: z.array(qualityGate), next_cursor: z.string().nullable() }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  availableTo: ['test_lead'],
  run: async (input, { deps, actor }) =>
    listQualityGates(deps, {
      tenantId: actor.tenantId,
      limit: input.limit,
      ...(input.release !== undefined ? { release: input.release } : {}),
      ...(input.passed !== undefined ? { passed: input.passed } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
    }),
});
