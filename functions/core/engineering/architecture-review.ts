import type { RoleId } from '../../contracts/roles.js';
import type { Item, Precondition } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { iso, uniqueNames } from '../operations/records.js';

/** The record kind of designs (written by the senior architect's design_system). */
export const DESIGN = 'DESIGN';
/** The record kind of architecture reviews. */
export const REVIEW = 'REVIEW';

/**
 * A component counts as redundant when its description says so: replicas,
 * clustering, multi-AZ/region, failover/standby, active-active/passive,
 * autoscaling, load balancing, or a count of at least two ("x3", "3x", "(2)").
 */
export const REDUNDANCY_MARKER =
  /\b(replicas?|replicated|redundan(t|cy)|multi[- ]?(az|region)|clustered|cluster|ha|high[- ]availability|failover|standby|active[- ](active|passive)|auto[- ]?scal(ing|ed|es)?|load[- ]balanced|x[2-9]|x[1-9]\d+|[2-9]x|[1-9]\d+x|n\+[1-9])\b|\((?:[2-9]|[1-9]\d+)\)/i;
/** Managed services that are multi-AZ by construction, so never a single point of failure of the design. */
export const MANAGED_REDUNDANT = /\b(dynamo ?db|s3|sqs|sns|lambda|eventbridge|step ?functions|cloudfront|api ?gateway|route ?53|kinesis|cognito|bedrock|aurora serverless|waf|kms|secrets manager|iam)\b/i;
/** A component that collects logs, metrics, traces or alerts. */
export const OBSERVABILITY = /\b(logs?|logging|metrics?|monitor|monitoring|traces?|tracing|observability|cloudwatch|x-?ray|prometheus|grafana|datadog|otel|opentelemetry|alerts?|alerting|sentry|new ?relic)\b/i;
/** A component that authenticates, authorizes, filters or protects secrets and data. */
export const SECURITY =
  /\b(auth|authn|authz|authentication|authorization|iam|oauth2?|oidc|sso|waf|firewall|security|secrets?|kms|encryption|encrypted|tls|mtls|cognito|identity|vault)\b/i;

export interface ArchitectureCheck {
  readonly name: 'single_point_of_failure' | 'observability' | 'security' | 'scalability_quantified';
  readonly passed: boolean;
  readonly detail: string;
}

/**
 * The automatic checks of an architecture review, pure. Each failed check
 * adds modifications:
 * - single_point_of_failure: every component that is neither marked
 *   redundant (REDUNDANCY_MARKER) nor a managed multi-AZ service
 *   (MANAGED_REDUNDANT) nor an observability component is a single point of
 *   failure → "Add redundancy for <component>".
 * - observability: at least one component matches OBSERVABILITY.
 * - security: at least one component matches SECURITY.
 * - scalability_quantified: the scalability statement contains a number
 *   (a load, a latency, a volume) that can be verified.
 */
export function architectureChecks(components: readonly string[], scalability: string): { checks: ArchitectureCheck[]; modifications: string[] } {
  const spofs = components.filter((c) => !REDUNDANCY_MARKER.test(c) && !MANAGED_REDUNDANT.test(c) && !OBSERVABILITY.test(c));
  const hasObservability = components.some((c) => OBSERVABILITY.test(c));
  const hasSecurity = components.some((c) => SECURITY.test(c));
  const quantified = /\d/.test(scalability);
  const checks: ArchitectureCheck[] = [
    {
      name: 'single_point_of_failure',
      passed: spofs.length === 0,
      detail: spofs.length === 0 ? 'every component is redundant or a managed multi-AZ service' : `no redundancy noted for: ${spofs.join(', ')}`,
    },
    {
      name: 'observability',
      passed: hasObservability,
      detail: hasObservability ? 'logging/metrics/tracing present' : 'no logging, metrics, tracing or alerting component',
    },
    {
      name: 'security',
      passed: hasSecurity,
      detail: hasSecurity ? 'authentication/authorization or data protection present' : 'no authentication, authorization, WAF, secrets or encryption component',
    },
    {
      name: 'scalability_quantified',
      passed: quantified,
      detail: quantified ? 'the scalability statement gives figures' : 'the scalability statement has no figures to verify',
    },
  ];
  const modifications = [
    ...spofs.map((c) => `Add redundancy for ${c} (single point of failure): replicas, multi-AZ, or a managed service`),
    ...(hasObservability ? [] : ['Add observability: structured logs, metrics and traces with alerts on the key SLOs']),
    ...(hasSecurity ? [] : ['Add a security layer: authentication/authorization at the edge, secrets management and encryption at rest and in transit']),
    ...(quantified ? [] : ['Quantify scalability: target requests per second, p95 latency and data volume, and how the design reaches them']),
  ];
  return { checks, modifications };
}

export interface ReviewInput {
  readonly tenantId: string;
  readonly reviewer: RoleId;
  readonly designId?: string;
  readonly design: Record<string, unknown>;
  readonly components: readonly string[];
  readonly scalability: string;
  readonly verdict?: 'approve' | 'reject';
  readonly feedback?: string;
  readonly modifications?: readonly string[];
}

export interface ArchitectureReview {
  readonly review_id: string;
  readonly design_id: string | null;
  readonly approved: boolean;
  /** `cto` when the reviewer gave a verdict, `automatic` when it follows from the checks. */
  readonly verdict_source: 'cto' | 'automatic';
  readonly feedback: string;
  readonly modifications: string[];
  readonly checks: ArchitectureCheck[];
  readonly reviewed_at: string;
}

/**
 * Records a verdict on a design. The verdict is the reviewer's when given;
 * otherwise approved exactly when every automatic check passes. The
 * modifications are the checks' followed by the reviewer's (deduplicated).
 * With a design_id, the DESIGN record must exist and be `proposed`: its
 * status becomes `approved` or `rejected`, conditional on it not having
 * changed since it was read (a concurrent review is a conflict). The review
 * is written first and removed again if the design update loses.
 */
export async function reviewArchitecture(deps: Deps, input: ReviewInput): Promise<ArchitectureReview> {
  if (Object.keys(input.design).length === 0) throw new ValidationError('design must describe the design (an object with at least one field)');
  const components = uniqueNames(input.components, 'components');
  const { checks, modifications: automatic } = architectureChecks(components, input.scalability);
  const failed = checks.filter((c) => !c.passed);
  const own = (input.modifications ?? []).map((m) => m.trim()).filter((m) => m !== '');
  if (input.verdict === 'reject' && !input.feedback?.trim() && own.length === 0 && failed.length === 0) {
    throw new ValidationError('a rejection needs feedback or modifications: every automatic check passed, so say what must change');
  }
  const approved = input.verdict ? input.verdict === 'approve' : failed.length === 0;
  const modifications = [...new Set([...automatic, ...own])];
  const summary = failed.length === 0 ? 'all 4 automatic checks passed' : `${failed.length} of 4 automatic checks failed (${failed.map((c) => c.name).join(', ')})`;
  const verdictText = input.verdict
    ? `${approved ? 'Approved' : 'Rejected'} by ${input.reviewer}${approved && failed.length > 0 ? ' with the modifications as conditions' : ''}`
    : `${approved ? 'Approved' : 'Rejected'} automatically`;
  const feedback = `${verdictText}: ${summary}.${input.feedback?.trim() ? ` ${input.feedback.trim()}` : ''}`;

  const designKey = input.designId ? keys.record(input.tenantId, DESIGN, input.designId) : undefined;
  const design = designKey ? await deps.store.get(designKey) : undefined;
  if (designKey && !design) throw new NotFoundError(`no design ${input.designId}`);
  if (design && design.status !== 'proposed') throw new ConflictError(`design ${input.designId} is ${String(design.status)}, not proposed: it was reviewed already`);

  const reviewId = deps.ids.next();
  const at = iso(deps.clock.now());
  const review: ArchitectureReview = {
    review_id: reviewId,
    design_id: input.designId ?? null,
    approved,
    verdict_source: input.verdict ? 'cto' : 'automatic',
    feedback,
    modifications,
    checks,
    reviewed_at: at,
  };
  const reviewKey = keys.record(input.tenantId, REVIEW, reviewId);
  await deps.store.put(
    {
      ...reviewKey,
      gsi1pk: keys.recordIndex(input.tenantId, REVIEW),
      gsi1sk: `${at}#${reviewId}`,
      type: 'architecture_review',
      tenant_id: input.tenantId,
      reviewer: input.reviewer,
      ...review,
      design: input.design,
      components,
      scalability: input.scalability,
      version: 1,
    },
    { kind: 'absent' },
  );
  if (design) {
    try {
      await deps.store.put(
        {
          ...design,
          status: approved ? 'approved' : 'rejected',
          review_id: reviewId,
          reviewed_by: input.reviewer,
          reviewed_at: at,
          review_feedback: feedback,
          review_modifications: modifications,
          updated_at: at,
          ...(typeof design.version === 'number' ? { version: design.version + 1 } : {}),
        },
        unchangedSince(design),
      );
    } catch (error) {
      await deps.store.delete(reviewKey);
      if (error instanceof PreconditionFailedError) throw new ConflictError(`design ${input.designId} changed while being reviewed; read it again`, { cause: error });
      throw error;
    }
  }
  return review;
}

/** The precondition that the design is as read: its version when it keeps one, else its status (and update time). */
function unchangedSince(design: Item): Precondition {
  if (typeof design.version === 'number') return { kind: 'version', version: design.version };
  const attributes: Record<string, string> = { status: String(design.status) };
  if (typeof design.updated_at === 'string') attributes.updated_at = design.updated_at;
  return { kind: 'equals', attributes };
}
