import type { RoleId } from '../../contracts/roles.js';
import type { Precondition } from '../../ports/store.js';
import type { Deps } from '../context.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { documentCodec } from '../documents.js';
import { designCodec, type DesignRecord } from '../design/design-record.js';
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
  /** The design as reviewed; optional with a stored design (designId), which is reviewed as stored. */
  readonly design?: Record<string, unknown>;
  readonly components?: readonly string[];
  readonly scalability?: string;
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
  const designKey = input.designId ? keys.record(input.tenantId, DESIGN, input.designId) : undefined;
  const item = designKey ? await deps.store.get(designKey) : undefined;
  if (designKey && !item) throw new NotFoundError(`no design ${input.designId}`);
  const designs = designCodec(input.tenantId);
  const design = item && designs.decode(item);
  if (design && design.status !== 'proposed') throw new ConflictError(`design ${input.designId} is ${design.status}, not proposed: it was reviewed already`);
  // A stored design is reviewed as stored: its components and quality attributes, plus anything given inline.
  const stored = design ? storedDesignFacts(design) : undefined;
  const designBody = Object.keys(input.design ?? {}).length ? (input.design ?? {}) : (stored?.design ?? {});
  if (Object.keys(designBody).length === 0) throw new ValidationError('design must describe the design (an object with at least one field), or name a stored design with design_id');
  const storedNames = new Set((stored?.components ?? []).map((c) => c.toLowerCase()));
  const components = uniqueNames([...(stored?.components ?? []), ...(input.components ?? []).filter((c) => !storedNames.has(c.trim().toLowerCase()))], 'components');
  if (components.length === 0) throw new ValidationError('components must list at least one component, or name a stored design with design_id');
  const scalability = [input.scalability?.trim(), stored?.scalability].filter((x): x is string => !!x).join('; ');
  if (!scalability) throw new ValidationError('scalability must say how the design scales, or name a stored design with design_id');
  const { checks, modifications: automatic } = architectureChecks(components, scalability);
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
    reviewCodec(input.tenantId).encode({ tenant_id: input.tenantId, reviewer: input.reviewer, ...review, design: designBody, components, scalability, version: 1 }),
    { kind: 'absent' },
  );
  if (design) {
    try {
      // One conditional write (not retried): a design changed meanwhile was reviewed by someone else, a conflict.
      await deps.store.put(
        designs.encode({
          ...design,
          status: approved ? 'approved' : 'rejected',
          rest: { ...design.rest, review_id: reviewId, reviewed_by: input.reviewer, reviewed_at: at, review_feedback: feedback, review_modifications: modifications },
          updated_at: at,
          version: design.version === null ? null : design.version + 1,
        }),
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
function unchangedSince(design: DesignRecord): Precondition {
  if (design.version !== null) return { kind: 'version', version: design.version };
  const attributes: Record<string, string> = { status: design.status };
  if (design.updated_at !== null) attributes.updated_at = design.updated_at;
  return { kind: 'equals', attributes };
}

/** What a stored design (design_system) says, in the terms the checks read: components with their redundancy, and figures. */
function storedDesignFacts(design: DesignRecord): { design: Record<string, unknown>; components: string[]; scalability: string } {
  const components = design.components;
  const architecture = design.architecture as { redundancy?: string; quality_attributes?: { availability_pct?: number | null; latency_ms?: number | null; throughput_rps?: number | null } };
  const multi = architecture.redundancy === 'multi_az' || architecture.redundancy === 'multi_region';
  const described = components.map((c) => {
    const replicas = c.replicas ?? 1;
    return `${c.name} (${c.type}${replicas >= 2 ? `, x${replicas}` : ''}${multi ? `, ${architecture.redundancy === 'multi_region' ? 'multi-region' : 'multi-AZ'}` : ''})`;
  });
  const q = architecture.quality_attributes ?? {};
  const figures = [
    q.throughput_rps != null ? `${q.throughput_rps} req/s` : '',
    q.latency_ms != null ? `latency ${q.latency_ms} ms` : '',
    q.availability_pct != null ? `availability ${q.availability_pct}%` : '',
  ].filter(Boolean);
  return {
    design: { name: design.name, architecture: design.architecture, data_flow: design.data_flow },
    components: described,
    scalability: figures.length ? `stored design targets ${figures.join(', ')}` : '',
  };
}

/** An architecture review as stored: the review, what it reviewed and who (written once; removed again if its design changed meanwhile). */
export type ReviewRecord = ArchitectureReview & {
  readonly tenant_id: string;
  readonly reviewer: RoleId;
  readonly design: Record<string, unknown>;
  readonly components: string[];
  readonly scalability: string;
  readonly version: number;
};

export function reviewCodec(tenantId: string) {
  return documentCodec<ReviewRecord>(tenantId, { kind: REVIEW, type: 'architecture_review', id: 'review_id', at: 'reviewed_at', required: ['checks'] });
}
