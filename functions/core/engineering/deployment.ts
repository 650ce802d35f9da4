import type { RoleId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import { openIncidents } from '../operations/incidents.js';
import { iso } from '../operations/records.js';
import { latestGate } from '../quality/quality-gate.js';
import { checkReleaseName } from '../quality/release.js';

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

export interface DeploymentApproval {
  readonly deployment_id: string;
  readonly release: string;
  readonly approved: boolean;
  /** Why it was refused, or what it was approved on. */
  readonly reasons: string[];
  readonly gate_id: string | null;
  readonly deployment_plan: DeploymentPlan | null;
}

/**
 * Approves a release's deployment, or refuses it (a result, not an error)
 * while the release's latest quality gate is missing or failed, or while a
 * severity-1 incident is open for the tenant. Both outcomes are recorded as
 * a DEPLOYMENT record.
 */
export async function approveDeployment(
  deps: Deps,
  input: { tenantId: string; approver: RoleId; release: string; environments: readonly string[] },
): Promise<DeploymentApproval> {
  const release = checkReleaseName(input.release);
  const environments = input.environments.map((e) => e.trim());
  if (environments.length === 0) throw new ValidationError('environments must name at least one environment');
  for (const env of environments) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(env)) throw new ValidationError(`environment "${env}" must be 1–40 letters, digits, ".", "_" or "-"`);
  }
  const dup = environments.find((e, i) => environments.findIndex((x) => x.toLowerCase() === e.toLowerCase()) !== i);
  if (dup) throw new ValidationError(`environments lists "${dup}" twice`);

  const [gate, sev1] = await Promise.all([latestGate(deps, input.tenantId, release), openIncidents(deps, input.tenantId, 1)]);
  const refusals: string[] = [];
  if (!gate) refusals.push(`release ${release} has no quality gate: the test lead must run run_quality_gate and pass it`);
  else if (!gate.passed) refusals.push(`the latest quality gate ${gate.gate_id} of ${release} failed (${gate.failed_checks.join(', ')}) at ${gate.created_at}`);
  for (const incident of sev1) {
    refusals.push(`severity-1 incident ${incident.incident_id} "${incident.title}" is open since ${incident.declared_at}`);
  }
  const approved = refusals.length === 0 && gate !== undefined;
  const plan = approved ? planDeployment(release, gate.gate_id, environments) : null;
  const reasons = approved
    ? [`quality gate ${gate.gate_id} passed at ${gate.created_at}`, 'no severity-1 incident is open', ...(plan?.warnings ?? [])]
    : refusals;

  const deploymentId = deps.ids.next();
  const at = iso(deps.clock.now());
  const result: DeploymentApproval = { deployment_id: deploymentId, release, approved, reasons, gate_id: gate?.gate_id ?? null, deployment_plan: plan };
  await deps.store.put(
    {
      ...keys.record(input.tenantId, DEPLOYMENT, deploymentId),
      gsi1pk: keys.recordIndex(input.tenantId, DEPLOYMENT),
      gsi1sk: `${at}#${deploymentId}`,
      type: 'deployment',
      tenant_id: input.tenantId,
      ...result,
      status: approved ? 'approved' : 'refused',
      environments,
      decided_by: input.approver,
      created_at: at,
      version: 1,
    },
    { kind: 'absent' },
  );
  return result;
}
