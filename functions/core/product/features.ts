import type { RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { proposeDecision } from '../decisions/decisions.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';
import { deriveRequirements, priorityFromRice, riceScore, round2, type FeatureRequirements, type Priority, type RiceFactors } from './scoring.js';

/** The record kind of a feature (`keys.record(tenant, FEATURE_KIND, id)`). */
export const FEATURE_KIND = 'FEATURE';

export interface DefineFeatureInput {
  readonly tenantId: string;
  readonly author: RoleId;
  readonly name: string;
  readonly userStories: readonly string[];
  readonly businessValue: string;
  /** All four RICE factors or none. */
  readonly rice: Partial<RiceFactors>;
  /** A build budget in USD committed with the feature: checked against the author's authority. */
  readonly budget?: number;
}

export interface FeatureBudget {
  readonly amount: number;
  readonly decision_id: string;
  /** `approved` within the author's authority, `escalated` above it. */
  readonly status: string;
  readonly awaiting: string | null;
  readonly escalation_id: string | null;
}

export interface Feature {
  readonly feature_id: string;
  readonly name: string;
  readonly business_value: string;
  readonly user_stories: string[];
  readonly requirements: FeatureRequirements;
  readonly priority: Priority;
  readonly rice_score: number | null;
  readonly priority_basis: string;
  readonly budget: FeatureBudget | null;
  readonly status: string;
  readonly created_by: string;
  readonly created_at: string;
}

const RICE_KEYS = ['reach', 'impact', 'confidence', 'effort'] as const;

/** A feature as stored: the feature, the RICE factors given (or null) and its version. Its items carry no tenant (the key does). */
export interface FeatureRecord extends Feature {
  readonly rice: Partial<RiceFactors> | null;
  readonly version: number;
}

export function featureCodec(tenantId: string): Codec<FeatureRecord> {
  return {
    decode: (i) => ({
      feature_id: field.reqStr(i, 'feature_id'),
      name: field.str(i, 'name'),
      business_value: field.str(i, 'business_value'),
      user_stories: field.strs(i, 'user_stories'),
      requirements: field.obj(i, 'requirements') as unknown as FeatureRequirements,
      priority: field.oneOf<Priority>(i, 'priority', 'medium', ['low', 'medium', 'high', 'critical']),
      rice_score: field.numOrNull(i, 'rice_score'),
      priority_basis: field.str(i, 'priority_basis'),
      budget: field.objOrNull(i, 'budget') as FeatureBudget | null,
      status: field.str(i, 'status', 'defined'),
      created_by: field.str(i, 'created_by'),
      created_at: field.str(i, 'created_at'),
      rice: field.objOrNull(i, 'rice') as Partial<RiceFactors> | null,
      version: field.num(i, 'version', 1),
    }),
    encode: (f) => ({
      ...keys.record(tenantId, FEATURE_KIND, f.feature_id),
      gsi1pk: keys.recordIndex(tenantId, FEATURE_KIND),
      gsi1sk: `${f.created_at}#${f.feature_id}`,
      type: 'feature',
      ...f,
    }),
  };
}

/**
 * Defines a feature: requirements parsed from the user stories, priority
 * from RICE = reach × impact × confidence ÷ effort when all four factors are
 * given (critical ≥ 1000, high ≥ 250, medium ≥ 50, else low), `medium` when
 * none are. A budget is a commitment: it is proposed as an autonomous
 * decision, approved within the author's authority and escalated above it
 * (never refused). Stores a FEATURE record listed through GSI1.
 */
export async function defineFeature(deps: Deps, ctx: RequestContext, input: DefineFeatureInput): Promise<Feature> {
  const given = RICE_KEYS.filter((k) => input.rice[k] !== undefined);
  if (given.length > 0 && given.length < RICE_KEYS.length) {
    const missing = RICE_KEYS.filter((k) => input.rice[k] === undefined);
    throw new ValidationError(`give all four RICE factors (reach, impact, confidence, effort) or none; missing: ${missing.join(', ')}`);
  }
  if (input.userStories.length === 0) throw new ValidationError('user_stories needs at least one story');
  const score = given.length ? riceScore(input.rice as RiceFactors) : null;
  const priority = score === null ? 'medium' : priorityFromRice(score);
  const requirements = deriveRequirements(input.userStories);

  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const featureId = deps.ids.next();
  let budget: FeatureBudget | null = null;
  if (input.budget !== undefined) {
    const decision = await proposeDecision(deps, ctx, {
      tenantId: input.tenantId,
      initiator: input.author,
      decisionType: 'feature_budget',
      mode: 'autonomous',
      context: `Build budget for feature "${input.name}" (${featureId}): ${input.businessValue}`.slice(0, 10_000),
      amount: input.budget,
    });
    budget = {
      amount: input.budget,
      decision_id: decision.decision_id,
      status: decision.status,
      awaiting: decision.awaiting,
      escalation_id: decision.escalations[0]?.escalation_id ?? null,
    };
  }
  const feature: Feature = {
    feature_id: featureId,
    name: input.name,
    business_value: input.businessValue,
    user_stories: requirements.functional.map((r) => r.story),
    requirements,
    priority,
    rice_score: score === null ? null : round2(score),
    priority_basis:
      score === null
        ? 'no RICE factors given: default medium'
        : `RICE = ${input.rice.reach} × ${input.rice.impact} × ${input.rice.confidence} ÷ ${input.rice.effort} = ${round2(score)} (critical ≥ 1000, high ≥ 250, medium ≥ 50)`,
    budget,
    status: 'defined',
    created_by: input.author,
    created_at: at,
  };
  await deps.store.put(featureCodec(input.tenantId).encode({ ...feature, rice: score === null ? null : { ...input.rice }, version: 1 }), { kind: 'absent' });
  return feature;
}

/** A feature of the tenant, or NotFoundError. */
export async function getFeature(deps: Deps, tenantId: string, featureId: string): Promise<Feature> {
  const item = await deps.store.get(keys.record(tenantId, FEATURE_KIND, featureId));
  if (!item) throw new NotFoundError(`no feature ${featureId}`);
  const { rice: _rice, version: _version, ...feature } = featureCodec(tenantId).decode(item);
  return feature;
}
