import type { RoleId } from '../../contracts/roles.js';
import type { TaskOutcome, WorkflowInput } from '../../contracts/workflows.js';
import type { Deps, RequestContext } from '../context.js';
import { approveDeployment } from '../engineering/deployment.js';
import { ConflictError, ValidationError } from '../errors.js';
import { listBudgets } from '../finance/budget.js';
import { formatUsd, normalizeDepartment, resolvePeriod } from '../finance/money.js';
import { runQualityGate } from '../quality/quality-gate.js';
import type { RunRecord, TaskRecord } from './records.js';
import { updateRun } from './run-record.js';
import { stageRule } from './stage-rules.js';

export interface StageCompletion {
  readonly run: RunRecord;
  readonly task: TaskRecord;
  readonly outcome: TaskOutcome;
  readonly result: Record<string, unknown>;
  readonly rationale: string;
}

export interface Governed {
  /** What the governed act recorded, merged into the task's result. */
  readonly result: Record<string, unknown>;
  /** The act's verdict, when it decides the outcome (a failed gate is `failed` whatever the caller said). */
  readonly outcome?: TaskOutcome;
}

/** The ids a run carries from stage to stage, taken from stage results. */
const SUBJECT_FIELDS = ['release_id', 'feature_id', 'design_id'] as const;

/**
 * A stage that stands for a governed act runs that act's use case when its
 * task is completed, so the rule is the tool's rule: a refusal throws the
 * tool's reason (nothing changes, the task stays open).
 * - quality gate: run_quality_gate over the run's release with the reported
 *   test results; open defects are counted from report_defect records. The
 *   gate's verdict is the stage's outcome.
 * - deploy approval: approving runs approve_deployment for the run's
 *   release; a refusal (no passed gate, an open severity-1 incident) refuses
 *   the approval.
 * - budget allocation: completes only when every planned department has its
 *   planned amount allocated for the planned period (allocate_budget).
 * Every completion also carries release/feature/design ids from its result
 * into the run's subject, which later stages see in their context.
 */
export async function governStageCompletion(deps: Deps, ctx: RequestContext, c: StageCompletion): Promise<Governed | undefined> {
  const rule = stageRule(c.run.workflow, c.task.stage);
  const positive = c.outcome === 'done' || c.outcome === 'approve';
  const subject = { ...c.run.subject };
  for (const name of SUBJECT_FIELDS) {
    const value = c.result[name];
    if (positive && typeof value === 'string' && value.trim()) subject[name] = value.trim();
  }
  let governed: Governed | undefined;
  if (positive && rule?.governs) governed = await GOVERNED[rule.governs](deps, ctx, c, subject);
  if (JSON.stringify(subject) !== JSON.stringify(c.run.subject)) {
    await updateRun(deps, c.run.tenant_id, c.run.run_id, (r) => ({ ...r, subject: { ...r.subject, ...subject } }));
  }
  return governed;
}

type GovernedAct = (deps: Deps, ctx: RequestContext, c: StageCompletion, subject: Record<string, string>) => Promise<Governed>;

function releaseOf(c: StageCompletion, subject: Record<string, string>): string {
  const release = subject.release_id;
  if (!release) throw new ValidationError(`run ${c.run.run_id} has no release: the define stage records it (result.release_id), or pass result.release_id here`);
  return release;
}

/** A figure of the stage's result (checked against the stage's result schema); anything else fails the gate's own checks. */
const reported = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

const roleOf = (c: StageCompletion, fallback: RoleId): RoleId => (c.task.assignee === 'board' ? fallback : c.task.assignee);

const GOVERNED: Readonly<Record<NonNullable<ReturnType<typeof stageRule>>['governs'] & string, GovernedAct>> = {
  quality_gate: async (deps, _ctx, c, subject) => {
    const release = releaseOf(c, subject);
    const r = c.result;
    const gate = await runQualityGate(deps, {
      tenantId: c.run.tenant_id,
      runBy: roleOf(c, 'test_lead'),
      release,
      results: {
        tests_total: reported(r.tests_total),
        tests_passed: reported(r.tests_passed),
        coverage_pct: reported(r.coverage_pct),
        ...(typeof r.performance_p95_ms === 'number' ? { performance_p95_ms: r.performance_p95_ms } : {}),
        ...(typeof r.performance_budget_ms === 'number' ? { performance_budget_ms: r.performance_budget_ms } : {}),
      },
    });
    return {
      result: { release_id: release, gate_id: gate.gate_id, gate_passed: gate.passed, failed_checks: gate.failed_checks, checks: gate.checks },
      outcome: gate.passed ? 'done' : 'failed',
    };
  },
  deployment_approval: async (deps, _ctx, c, subject) => {
    const release = releaseOf(c, subject);
    const environments = Array.isArray(c.result.environments) && c.result.environments.length ? c.result.environments.map(String) : ['staging', 'production'];
    const approval = await approveDeployment(deps, { tenantId: c.run.tenant_id, approver: roleOf(c, 'cto'), release, environments });
    if (!approval.approved) throw new ConflictError(`approve_deployment refuses release ${release}: ${approval.reasons.join('; ')}. The task stays open.`);
    return { result: { release_id: release, deployment_id: approval.deployment_id, gate_id: approval.gate_id, deployment_plan: approval.deployment_plan } };
  },
  budget_allocation: async (deps, _ctx, c) => {
    const plan = c.run.input as unknown as WorkflowInput<'strategic_planning'>;
    const period = resolvePeriod(plan.period, deps.clock.now());
    const { budgets } = await listBudgets(deps, c.run.tenant_id, { period });
    const missing: string[] = [];
    for (const a of plan.allocations ?? []) {
      const department = normalizeDepartment(a.department);
      const budget = budgets.find((b) => b.department === department);
      const allocated = budget?.allocated_total ?? 0;
      if (allocated + 0.005 < a.amount) missing.push(`${department}: ${formatUsd(allocated)} of ${formatUsd(a.amount)} USD allocated`);
    }
    if (missing.length) {
      throw new ConflictError(
        `the budgets for ${period} are not allocated yet (${missing.join('; ')}): allocate them with allocate_budget ` +
          `(an allocation above your authority counts once it is approved), then complete this task`,
      );
    }
    return { result: { period, allocated: budgets.filter((b) => (plan.allocations ?? []).some((a) => normalizeDepartment(a.department) === b.department)) } };
  },
};
