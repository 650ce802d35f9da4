import type { RoleId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { ValidationError } from '../errors.js';
import { documentCodec } from '../documents.js';
import { requireSpec } from '../design/technical-spec.js';
import { getFeature } from '../product/features.js';

/** The record kind of an implementation plan (`keys.record(tenant, PLAN_KIND, id)`). */
export const PLAN_KIND = 'PLAN';

export interface PlanTask {
  readonly title: string;
  readonly estimate_hours: number;
  readonly depends_on?: readonly string[];
}

export interface ScheduledTask {
  readonly step: number;
  readonly title: string;
  readonly estimate_hours: number;
  readonly depends_on: string[];
  readonly earliest_start: number;
  readonly earliest_finish: number;
  /** How long the task can slip without delaying the plan. */
  readonly slack: number;
  readonly critical: boolean;
}

export interface Schedule {
  readonly order: ScheduledTask[];
  readonly critical_path: string[];
  readonly critical_path_hours: number;
  readonly total_hours: number;
  /** total_hours ÷ critical_path_hours: how many people can usefully work in parallel on average. */
  readonly parallelism: number;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const EPSILON = 1e-9;

/**
 * Orders tasks by their dependencies and finds the critical path (CPM).
 *
 * Order: Kahn's topological sort; among ready tasks the one given first
 * goes first, so the order is deterministic. Earliest start = max earliest
 * finish of its dependencies (0 without); earliest finish = start +
 * estimate. Plan length = max earliest finish. Latest finish = min latest
 * start of its dependents (plan length without); slack = latest finish −
 * earliest finish; critical ⇔ slack = 0. The critical path walks back from
 * the last-finishing critical task through critical dependencies that
 * finish exactly when it starts.
 *
 * Refused: duplicate titles, a dependency on an unknown title, a cycle
 * (named, e.g. "a → b → a").
 */
export function scheduleTasks(tasks: readonly PlanTask[]): Schedule {
  if (tasks.length === 0) throw new ValidationError('give at least one task');
  const index = new Map<string, number>();
  tasks.forEach((t, i) => {
    if (index.has(t.title)) throw new ValidationError(`duplicate task title "${t.title}"`);
    if (!(t.estimate_hours >= 0)) throw new ValidationError(`task "${t.title}": estimate_hours must be ≥ 0`);
    index.set(t.title, i);
  });
  const deps = tasks.map((t) => [...new Set(t.depends_on ?? [])]);
  deps.forEach((list, i) => {
    const unknown = list.filter((d) => !index.has(d));
    if (unknown.length) throw new ValidationError(`task "${tasks[i]?.title}" depends on unknown task(s): ${unknown.map((u) => `"${u}"`).join(', ')}`);
  });
  const depIdx = deps.map((list) => list.map((d) => index.get(d) as number));
  const dependents: number[][] = tasks.map(() => []);
  depIdx.forEach((list, i) => list.forEach((d) => dependents[d]?.push(i)));

  const remaining = depIdx.map((l) => l.length);
  const ready: number[] = [];
  remaining.forEach((n, i) => n === 0 && ready.push(i));
  const order: number[] = [];
  while (ready.length) {
    ready.sort((a, b) => a - b);
    const next = ready.shift() as number;
    order.push(next);
    for (const d of dependents[next] ?? []) if (--(remaining[d] as number) === 0) ready.push(d);
  }
  if (order.length < tasks.length) throw new ValidationError(`the dependencies form a cycle: ${findCycle(depIdx, remaining).map((i) => tasks[i]?.title).join(' → ')}`);

  const es = new Array<number>(tasks.length).fill(0);
  const ef = new Array<number>(tasks.length).fill(0);
  for (const i of order) {
    es[i] = Math.max(0, ...(depIdx[i] as number[]).map((d) => ef[d] as number));
    ef[i] = (es[i] as number) + (tasks[i] as PlanTask).estimate_hours;
  }
  const length = Math.max(...ef);
  const lf = new Array<number>(tasks.length).fill(length);
  for (const i of [...order].reverse()) {
    const after = (dependents[i] as number[]).map((d) => (lf[d] as number) - (tasks[d] as PlanTask).estimate_hours);
    lf[i] = after.length ? Math.min(...after) : length;
  }
  const slack = tasks.map((_, i) => (lf[i] as number) - (ef[i] as number));
  const critical = slack.map((s) => Math.abs(s) < EPSILON);

  const path: number[] = [];
  let current = order.filter((i) => critical[i] && Math.abs((ef[i] as number) - length) < EPSILON)[0];
  while (current !== undefined) {
    path.unshift(current);
    const at = current;
    current = order.find((d) => (depIdx[at] as number[]).includes(d) && critical[d] && Math.abs((ef[d] as number) - (es[at] as number)) < EPSILON);
  }
  const total = tasks.reduce((sum, t) => sum + t.estimate_hours, 0);
  return {
    order: order.map((i, step) => ({
      step: step + 1,
      title: (tasks[i] as PlanTask).title,
      estimate_hours: (tasks[i] as PlanTask).estimate_hours,
      depends_on: deps[i] as string[],
      earliest_start: round2(es[i] as number),
      earliest_finish: round2(ef[i] as number),
      slack: round2(slack[i] as number),
      critical: critical[i] as boolean,
    })),
    critical_path: path.map((i) => (tasks[i] as PlanTask).title),
    critical_path_hours: round2(length),
    total_hours: round2(total),
    parallelism: length > 0 ? round2(total / length) : 1,
  };
}

/** A cycle among the tasks Kahn's sort could not place (each has an unplaced dependency), in dependency order. */
function findCycle(depIdx: readonly number[][], remaining: readonly number[]): number[] {
  const stuck = new Set(remaining.flatMap((n, i) => (n > 0 ? [i] : [])));
  // Following unplaced dependencies from a stuck task must revisit a task: that loop is a cycle.
  let node = Math.min(...stuck);
  const seenAt = new Map<number, number>();
  const walk: number[] = [];
  while (!seenAt.has(node)) {
    seenAt.set(node, walk.length);
    walk.push(node);
    node = (depIdx[node] as number[]).find((d) => stuck.has(d)) as number;
  }
  const loop = walk.slice(seenAt.get(node));
  // Walked from dependent to dependency; show it as work flows: dependency → dependent.
  return [...loop.reverse(), loop[0] as number];
}

export interface ImplementationPlan extends Schedule {
  readonly plan_id: string;
  readonly feature_id: string | null;
  readonly spec_id: string | null;
  readonly created_at: string;
}

/**
 * Creates an implementation plan (see scheduleTasks) and stores it as a
 * PLAN record, linked to a feature and/or a spec (unknown → NotFoundError).
 */
export async function createImplementationPlan(
  deps: Deps,
  input: { tenantId: string; author: RoleId; featureId?: string; specId?: string; tasks: readonly PlanTask[] },
): Promise<ImplementationPlan> {
  const schedule = scheduleTasks(input.tasks);
  if (input.featureId !== undefined) await getFeature(deps, input.tenantId, input.featureId);
  if (input.specId !== undefined) await requireSpec(deps, input.tenantId, input.specId);
  const planId = deps.ids.next();
  const at = new Date(deps.clock.now()).toISOString();
  const plan: ImplementationPlan = { plan_id: planId, feature_id: input.featureId ?? null, spec_id: input.specId ?? null, created_at: at, ...schedule };
  await deps.store.put(planCodec(input.tenantId).encode({ ...plan, status: 'planned', created_by: input.author, version: 1 }), { kind: 'absent' });
  return plan;
}

/** An implementation plan as stored (written once). */
export type ImplementationPlanRecord = ImplementationPlan & { readonly status: 'planned'; readonly created_by: RoleId; readonly version: number };

export function planCodec(tenantId: string) {
  return documentCodec<ImplementationPlanRecord>(tenantId, { kind: PLAN_KIND, type: 'plan', id: 'plan_id', at: 'created_at' });
}
