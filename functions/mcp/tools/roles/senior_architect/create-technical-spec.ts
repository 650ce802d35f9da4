import * as z from 'zod';
import { isRoleId } from '../../../../contracts/roles.js';
import { createTechnicalSpec } from '../../../../core/design/technical-spec.js';
import { ValidationError } from '../../../../core/errors.js';
import { defineTool } from '../../../tool.js';
import { jsonObject } from './schemas.js';

export const createTechnicalSpecTool = defineTool({
  name: 'create_technical_spec',
  title: 'Create a technical specification',
  description:
    'Writes a technical specification and implementation guide for a feature and records it (returns spec_id for the ' +
    'developer\'s implementation plan). Pass feature_id (a define_feature result: its numbered requirements are used; unknown ' +
    '→ not_found) or feature (free text), not both; architecture is your design (architecture.components: names or ' +
    '{name, type}); design_id links a design_system result and supplies its components when you list none. Components are ' +
    'ordered for building: 1 data and infrastructure, 2 services and workers (and unknown types), 3 entry points and ' +
    'adapters, 4 observability. Each requirement gets an acceptance test; flagged user stories and a missing component list ' +
    'become open questions. Stores a SPEC record (status draft); it commits no money.',
  input: z
    .object({
      feature_id: z.string().min(1).max(64).optional(),
      feature: z.string().trim().min(1).max(2000).optional(),
      design_id: z.string().min(1).max(64).optional(),
      architecture: jsonObject.describe('Your architecture, e.g. {"style": "serverless", "components": ["api_gateway", {"name": "orders_db", "type": "datastore"}]}'),
    })
    .superRefine((v, issue) => {
      if ((v.feature_id === undefined) === (v.feature === undefined)) {
        issue.addIssue({ code: 'custom', path: ['feature_id'], message: 'pass exactly one of feature_id or feature' });
      }
    }),
  output: z.object({
    spec_id: z.string(),
    feature_id: z.string().nullable(),
    design_id: z.string().nullable(),
    status: z.literal('draft'),
    spec_document: z.object({
      title: z.string(),
      feature: z.object({ feature_id: z.string().nullable(), name: z.string(), business_value: z.string().nullable(), priority: z.string().nullable() }),
      design_id: z.string().nullable(),
      requirements: z.array(z.object({ id: z.string(), statement: z.string() })),
      architecture: z.record(z.string(), z.unknown()),
      components: z.array(z.object({ name: z.string(), type: z.string().nullable(), phase: z.number().int() })),
      test_strategy: z.array(z.string()),
      open_questions: z.array(z.string()),
    }),
    implementation_guide: z.string(),
    created_at: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['senior_architect'],
  run: async (input, { deps, actor, correlationId }) => {
    if (!isRoleId(actor.actingAs)) throw new ValidationError('only a role writes specifications');
    return createTechnicalSpec(deps, {
      tenantId: actor.tenantId,
      author: actor.actingAs,
      architecture: input.architecture,
      ...(input.feature_id !== undefined ? { featureId: input.feature_id } : {}),
      ...(input.feature !== undefined ? { feature: input.feature } : {}),
      ...(input.design_id !== undefined ? { designId: input.design_id } : {}),
    }, { correlationId });
  },
});
