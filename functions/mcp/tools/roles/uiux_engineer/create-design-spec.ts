import * as z from 'zod';
import { isRoleId } from '../../../../contracts/roles.js';
import { createDesignSpec, PLATFORMS } from '../../../../core/design/ux-spec.js';
import { ValidationError } from '../../../../core/errors.js';
import { defineTool } from '../../../tool.js';

export const createDesignSpecTool = defineTool({
  name: 'create_design_spec',
  title: 'Create a UX design specification',
  description:
    'Records a UX design specification (screens, their components, platforms) and computes its component inventory. Use it ' +
    'when the screens of a feature are sketched, before the developer plans the work. Component names match ' +
    'case-insensitively; reuse_rate = 1 − unique components ÷ total uses; shared components appear on ≥ 2 screens; design ' +
    'system candidates on ≥ 3 screens (or on ≥ half the screens when there are 4 or more); variants = screens × platforms. ' +
    'Duplicate screen names are an error. Optional feature_id links it to a feature (unknown → not_found). Stores a UXSPEC ' +
    'record; it commits no money.',
  input: z.object({
    feature: z.string().trim().min(1).max(200),
    feature_id: z.string().min(1).max(64).optional(),
    screens: z
      .array(z.object({ name: z.string().trim().min(1).max(200), components: z.array(z.string().trim().min(1).max(100)).max(100) }))
      .min(1)
      .max(100),
    platforms: z.array(z.enum(PLATFORMS)).min(1).max(PLATFORMS.length),
  }),
  output: z.object({
    spec_id: z.string(),
    feature: z.string(),
    feature_id: z.string().nullable(),
    platforms: z.array(z.enum(PLATFORMS)),
    inventory: z.array(z.object({ component: z.string(), uses: z.number().int(), screens: z.array(z.string()) })),
    total_uses: z.number().int(),
    unique_components: z.number().int(),
    reuse_rate: z.number(),
    shared_components: z.array(z.string()),
    one_off_components: z.array(z.string()),
    design_system_candidates: z.array(z.string()),
    variants: z.number().int(),
    created_at: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['uiux_engineer'],
  run: async (input, { deps, actor, correlationId }) => {
    if (!isRoleId(actor.actingAs)) throw new ValidationError('only a role writes design specifications');
    const { screens: _screens, ...spec } = await createDesignSpec(deps, {
      tenantId: actor.tenantId,
      author: actor.actingAs,
      feature: input.feature,
      screens: input.screens,
      platforms: input.platforms,
      ...(input.feature_id !== undefined ? { featureId: input.feature_id } : {}),
    }, { correlationId });
    return spec;
  },
});
