import * as z from 'zod';
import { isRoleId } from '../../../../contracts/roles.js';
import { defineFeature } from '../../../../core/product/features.js';
import { ValidationError } from '../../../../core/errors.js';
import { defineTool } from '../../../tool.js';
import { usdAmount } from '../../decision-schemas.js';
import { priorityLevel, requirements } from './schemas.js';

export const defineFeatureTool = defineTool({
  name: 'define_feature',
  title: 'Define a feature',
  description:
    'Defines a product feature from user stories and records it (returns feature_id for design, specs and plans). Use it when a ' +
    'feature is agreed enough to be designed. Each story is parsed as "As a <role>, I want <goal>, so that <benefit>" into a ' +
    'numbered functional requirement (FR-n); stories in another form or without the benefit are kept but flagged. Priority: ' +
    'give all four RICE factors (reach per quarter; impact 0.25 minimal, 0.5 low, 1 medium, 2 high, 3 massive; confidence 0..1; ' +
    'effort in person-months > 0) and RICE = reach × impact × confidence ÷ effort sets it: critical ≥ 1000, high ≥ 250, ' +
    'medium ≥ 50, else low; with none given it is medium; some but not all is an error. Authority: an optional budget (USD) ' +
    'is a commitment proposed as an autonomous decision: approved within your authority (100,000 USD by default), escalated ' +
    'above it with an escalation_id (never refused).',
  input: z.object({
    name: z.string().trim().min(1).max(200),
    user_stories: z.array(z.string().trim().min(1).max(2000)).min(1).max(50).describe('"As a <role>, I want <goal>, so that <benefit>".'),
    business_value: z.string().trim().min(1).max(5000).describe('Why the business wants it.'),
    reach: z.number().nonnegative().max(1e12).optional().describe('RICE: people or events reached per quarter.'),
    impact: z.number().min(0).max(3).optional().describe('RICE: 0.25 minimal, 0.5 low, 1 medium, 2 high, 3 massive.'),
    confidence: z.number().min(0).max(1).optional().describe('RICE: 0..1 (0.8 = 80 %).'),
    effort: z.number().positive().max(1e6).optional().describe('RICE: person-months.'),
    budget: usdAmount.optional().describe('Build budget in USD committed with the feature; checked against your authority.'),
  }),
  output: z.object({
    feature_id: z.string(),
    name: z.string(),
    requirements,
    priority: priorityLevel,
    rice_score: z.number().nullable(),
    priority_basis: z.string(),
    budget: z
      .object({
        amount: z.number(),
        decision_id: z.string(),
        status: z.string(),
        awaiting: z.string().nullable(),
        escalation_id: z.string().nullable(),
      })
      .nullable(),
    created_at: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
  availableTo: ['product_manager'],
  run: async (input, { deps, actor, correlationId }) => {
    if (!isRoleId(actor.actingAs)) throw new ValidationError('only a role defines features');
    const feature = await defineFeature(deps, { correlationId }, {
      tenantId: actor.tenantId,
      author: actor.actingAs,
      name: input.name,
      userStories: input.user_stories,
      businessValue: input.business_value,
      rice: { reach: input.reach, impact: input.impact, confidence: input.confidence, effort: input.effort },
      ...(input.budget !== undefined ? { budget: input.budget } : {}),
    });
    return {
      feature_id: feature.feature_id,
      name: feature.name,
      requirements: feature.requirements,
      priority: feature.priority,
      rice_score: feature.rice_score,
      priority_basis: feature.priority_basis,
      budget: feature.budget,
      created_at: feature.created_at,
    };
  },
});
