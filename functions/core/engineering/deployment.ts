import type { EndpointId, RoleId } from '../../contracts/roles.js';
import type { Deps, RequestContext } from '../context.js';
import { proposeDecision } from '../decisions/decisions.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { openIncidents } from '../operations/incidents.js';
import { iso } from '../operations/records.js';
import { latestGate, type QualityGate } from '../quality/quality-gate.js';
import { checkReleaseName } from '../quality/release.js';
import { field, updateRecord, type Codec } from '../versioned.js';

/** The record kind of deployment approvals (approved or refused). */
export const DEPLOYMENT = 'DEPLOYMENT';

/** Promotion stages, earliest first; an environment's stage decides its place in the plan. */
export const STAGES: readonly { stage: string; pattern: RegExp | null; bakeMinutes: number }[] = [
  { stage: 'development', pattern: /^(dev|development|local|sandbox)([-_.].*)?$/i, bakeMinutes: 15 },
  { stage: 'test', pattern: /^(test|testing|qa|integration|ci)([-_.].*)?$/i, bakeMinutes: 15 },
  // Names that match no stage go after test and before staging.
  { stage: 'other', pattern: null, bakeMinutes: 15 },
  { stage: 'staging', pattern: /^(staging|stage|preprod|pre-prod|uat)([-_.].*)?$/i, bakeMinutes: 30 },
  { stage: 'canary', pattern: /^canary([-_.].*)?$/i, bakeMinutes: 60 },
  { stage: 'production', pattern: /^(prod|production|live)([-_.].*)?$/i, bakeMinutes: 0 },
];

export interface PlanStep {
  readonly order: number;
  readonly environment: string;
  readonly stage: string;
  readonly action: string;
  readonly verification: string;
  /** Minutes without alerts before promoting to the next step (0 for the last). */
  readonly bake_minutes: number;
}

export interface DeploymentPlan {
  readonly release: string;
  readonly gate_id: string;
  readonly steps: PlanStep[];
  readonly rollback: { readonly trigger: string; readonly action: string; readonly order: string[] };
  readonly warnings: string[];
}

/**
 * Orders environments into a promotion plan, pure: by stage (development,
 * test, unrecognised names, staging, canary, production), keeping the given
 * order within a stage. Each step deploys, runs smoke tests and bakes
 * (15 min; staging 30; canary 60) before the next; the last step does not
 * bake. Rollback redeploys the previous release in reverse order. A plan that
 * reaches production with no staging or canary step carries a warning.
 */
export function planDeployment(release: string, gateId: string, environments: readonly string[]): DeploymentPlan {
  const stageOf = (env: string) => {
    const index = STAGES.findIndex((s) => s.pattern?.test(env) === true);
    return index === -1 ? STAGES.findIndex((s) => s.stage === 'other') : index;
  };
  const ordered = environments.map((env, i) => ({ env, i, stage: stageOf(env) })).sort((a, b) => a.stage - b.stage || a.i - b.i);
  const steps = ordered.map((e, n) => {
    const stage = STAGES[e.stage] as (typeof STAGES)[number];
    const last = n === ordered.length - 1;
    return {
      order: n + 1,
      environment: e.env,
      stage: stage.stage,
      action: `deploy ${release} to ${e.env}`,
      verification: stage.stage === 'production' ? 'smoke tests, error rate and p95 latency against the SLO' : 'smoke tests and health checks',
      bake_minutes: last ? 0 : stage.bakeMinutes,
    };
  });
  const warnings: string[] = [];
  const hasProduction = steps.some((s) => s.stage === 'production');
  const hasPreProduction = steps.some((s) => s.stage === 'staging' || s.stage === 'canary');
  if (hasProduction && !hasPreProduction) warnings.push('production is deployed without a staging or canary step before it');
  return {
    release,
    gate_id: gateId,
    steps,
    rollback: {
      trigger: 'a failed smoke test, an error rate above 1%, or p95 latency above its budget during a step or its bake',
      action: 'stop the rollout and redeploy the previous release to every environment already deployed, latest first',
      order: [...steps].reverse().map((s) => s.environment),
    },
    warnings,
  };
}

export type DeploymentStatus = 'approved' | 'refused' | 'awaiting' | 'rejected' | 'expired';

/** Who approves a deployment: the approver now (autonomous), its superior (hierarchical) or the board (human). */
export type DeploymentMode = 'autonomous' | 'hierarchical' | 'human';

export interface DeploymentApproval {
  readonly deployment_id: string;
  readonly release: string;
  readonly approved: boolean;
  /** `awaiting` a ruling (hierarchical/human), then approved, refused (by the rule), rejected or expired. */
  readonly status: DeploymentStatus;
  /** Why it was refused, or what it was approved on. */
  readonly reasons: string[];
  readonly gate_id: string | null;
  /** The promotion plan: approved, or proposed while it awaits a ruling; null when refused. */
  readonly deployment_plan: DeploymentPlan | null;
  /** The decision the ruler rules on (hierarchical/human), else null. */
  readonly decision_id: string | null;
  readonly awaiting: EndpointId | null;
}

/** approve_deployment's rule for a release now: why it may not ship (empty when it may), and its latest gate. */
async function deploymentRule(deps: Deps, tenantId: string, release: string): Promise<{ refusals: string[]; gate: QualityGate | undefined }> {
  const [gate, sev1] = await Promise.all([latestGate(deps, tenantId, release), openIncidents(deps, tenantId, 1)]);
  const refusals: string[] = [];
  if (!gate) refusals.push(`release ${release} has no quality gate: the test lead must run run_quality_gate and pass it`);
  else if (!gate.passed) refusals.push(`the latest quality gate ${gate.gate_id} of ${release} failed (${gate.failed_checks.join(', ')}) at ${gate.created_at}`);
  for (const incident of sev1) {
    refusals.push(`severity-1 incident ${incident.incident_id} "${incident.title}" is open since ${incident.declared_at}`);
  }
  return { refusals, gate };
}

const passedReasons = (gate: QualityGate, plan: DeploymentPlan) => [`quality gate ${gate.gate_id} passed at ${gate.created_at}`, 'no severity-1 incident is open', ...plan.warnings];

/**
 * Approves a release's deployment, or refuses it (a result, not an error)
 * while the release's latest quality gate is missing or failed, or while a
 * severity-1 incident is open for the tenant. Every outcome is recorded as a
 * DEPLOYMENT record. With mode `hierarchical` (the approver's superior rules)
 * or `human` (the board rules), a deployment the rule allows is not approved
 * yet: it awaits that ruling as a `deployment` decision carrying it as its
 * commitment, and once approved Conclave checks the rule again and approves
 * it once (applyDeploymentRuling); a rejection is recorded on it. A refused
 * deployment is put to nobody.
 */
export async function approveDeployment(
  deps: Deps,
  input: { tenantId: string; approver: RoleId; release: string; environments: readonly string[]; mode?: DeploymentMode },
  ctx?: RequestContext,
): Promise<DeploymentApproval> {
  const release = checkReleaseName(input.release);
  const environments = input.environments.map((e) => e.trim());
  if (environments.length === 0) throw new ValidationError('environments must name at least one environment');
  for (const env of environments) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(env)) throw new ValidationError(`environment "${env}" must be 1–40 letters, digits, ".", "_" or "-"`);
  }
  const dup = environments.find((e, i) => environments.findIndex((x) => x.toLowerCase() === e.toLowerCase()) !== i);
  if (dup) throw new ValidationError(`environments lists "${dup}" twice`);
  const mode = input.mode ?? 'autonomous';

  const { refusals, gate } = await deploymentRule(deps, input.tenantId, release);
  const allowed = refusals.length === 0 && gate !== undefined;
  const plan = allowed ? planDeployment(release, gate.gate_id, environments) : null;
  const ruled = allowed && mode !== 'autonomous';
  const status: DeploymentStatus = !allowed ? 'refused' : ruled ? 'awaiting' : 'approved';
  const reasons = allowed && plan ? passedReasons(gate, plan) : refusals;

  const deploymentId = deps.ids.next();
  const at = iso(deps.clock.now());
  const result: DeploymentApproval = {
    deployment_id: deploymentId,
    release,
    approved: status === 'approved',
    status,
    reasons,
    gate_id: gate?.gate_id ?? null,
    deployment_plan: plan,
    decision_id: null,
    awaiting: null,
  };
  const key = keys.record(input.tenantId, DEPLOYMENT, deploymentId);
  // Written before its decision, so a ruling always finds it.
  await deps.store.put(
    deploymentCodec.encode({
      tenant_id: input.tenantId,
      ...result,
      mode,
      environments,
      decided_by: ruled ? null : input.approver,
      decided_at: null,
      requested_by: input.approver,
      created_at: at,
      version: 1,
    }),
    { kind: 'absent' },
  );
  if (!ruled) return result;

  const decision = await proposeDecision(deps, ctx ?? { correlationId: deploymentId }, {
    tenantId: input.tenantId,
    initiator: input.approver,
    decisionType: 'deployment',
    mode,
    context: `Deploy release ${release} to ${environments.join(', ')}.\n\nThe rule allows it now: ${reasons.join('; ')}. Once approved, the rule is checked again and the deployment approved.`,
    commitment: { kind: 'deployment', params: { deployment_id: deploymentId, release } },
  });
  await updateRecord(deps.store, key, deploymentCodec, (d) => ({ ...d, decision_id: decision.decision_id, awaiting: d.status === 'awaiting' ? decision.awaiting : null }));
  return {
    ...result,
    reasons: [...reasons, `awaiting the ruling of ${decision.awaiting ?? 'the board'} on decision ${decision.decision_id}; approved once it approves (the rule is checked again then)`],
    decision_id: decision.decision_id,
    awaiting: decision.awaiting,
  };
}

/**
 * Puts a ruling on an awaiting deployment into effect, once: approved → the
 * rule is checked again now (a gate failed or a severity-1 incident opened
 * meanwhile refuses it, with the reasons) and the deployment approved with
 * its plan; rejected or expired → recorded so. A deployment no longer
 * awaiting (a redelivered ruling) changes nothing. Returns what happened.
 */
export async function applyDeploymentRuling(deps: Deps, decision: { tenant_id: string; decision_id: string; status: string; ruled_by: EndpointId | null }, deploymentId: string): Promise<string> {
  const key = keys.record(decision.tenant_id, DEPLOYMENT, deploymentId);
  const stored = await deps.store.get(key);
  if (!stored) return `not applied: deployment ${deploymentId} is not recorded`;
  const release = deploymentCodec.decode(stored).release;
  const rule = decision.status === 'approved' ? await deploymentRule(deps, decision.tenant_id, release) : undefined;
  const updated = await updateRecord(deps.store, key, deploymentCodec, (d): DeploymentRecord | undefined => {
    if (d.status !== 'awaiting') return undefined;
    const base = { ...d, awaiting: null, decided_by: decision.ruled_by, decided_at: iso(deps.clock.now()), decision_id: decision.decision_id };
    if (!rule) return { ...base, status: decision.status === 'expired' ? 'expired' : 'rejected', approved: false, deployment_plan: null };
    const gate = rule.gate;
    if (rule.refusals.length > 0 || !gate) return { ...base, status: 'refused', approved: false, reasons: rule.refusals, deployment_plan: null, gate_id: gate?.gate_id ?? null };
    const plan = planDeployment(release, gate.gate_id, d.environments);
    return { ...base, status: 'approved', approved: true, reasons: passedReasons(gate, plan), gate_id: gate.gate_id, deployment_plan: plan };
  });
  if (!updated) return `not applied: deployment ${deploymentId} is not recorded`;
  const now = updated.record;
  if (!updated.changed) return `deployment ${deploymentId} of ${release} was already ${now.status}`;
  if (now.status === 'approved') return `deployment ${deploymentId} of ${release} approved (quality gate ${now.gate_id ?? '?'} passed, no severity-1 incident open)`;
  if (now.status === 'refused') return `not applied: approve_deployment now refuses ${release}: ${now.reasons.join('; ')}`;
  return `deployment ${deploymentId} of ${release} recorded as ${now.status}`;
}

/** A deployment approval as stored (one per approve_deployment call; a ruled one changes once, when ruled). */
export interface DeploymentRecord extends DeploymentApproval {
  readonly tenant_id: string;
  readonly mode: DeploymentMode;
  readonly environments: string[];
  readonly decided_by: EndpointId | null;
  readonly decided_at: string | null;
  readonly requested_by: RoleId;
  readonly created_at: string;
  readonly version: number;
}

export const deploymentCodec: Codec<DeploymentRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    deployment_id: field.reqStr(i, 'deployment_id'),
    release: field.reqStr(i, 'release'),
    approved: field.bool(i, 'approved'),
    status: field.oneOf<DeploymentStatus>(i, 'status', 'refused', ['approved', 'refused', 'awaiting', 'rejected', 'expired']),
    reasons: field.strs(i, 'reasons'),
    gate_id: field.strOrNull(i, 'gate_id'),
    deployment_plan: field.objOrNull(i, 'deployment_plan') as DeploymentPlan | null,
    decision_id: field.strOrNull(i, 'decision_id'),
    awaiting: field.strOrNull(i, 'awaiting') as EndpointId | null,
    mode: field.oneOf<DeploymentMode>(i, 'mode', 'autonomous', ['autonomous', 'hierarchical', 'human']),
    environments: field.strs(i, 'environments'),
    decided_by: field.strOrNull(i, 'decided_by') as EndpointId | null,
    decided_at: field.strOrNull(i, 'decided_at'),
    requested_by: field.oneOf<RoleId>(i, 'requested_by', 'cto'),
    created_at: field.str(i, 'created_at'),
    version: field.num(i, 'version', 1),
  }),
  encode: (d) => ({
    ...keys.record(d.tenant_id, DEPLOYMENT, d.deployment_id),
    gsi1pk: keys.recordIndex(d.tenant_id, DEPLOYMENT),
    gsi1sk: `${d.created_at}#${d.deployment_id}`,
    type: 'deployment',
    ...d,
  }),
};

