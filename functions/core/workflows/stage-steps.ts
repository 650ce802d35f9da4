import { LEADERSHIP, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { WorkflowInput } from '../../contracts/workflows.js';
import type { Deps } from '../context.js';
import { storeMemory } from '../memory/store-memory.js';
import { deliver, notificationId } from '../messages/messages.js';
import type { RunRef } from './model.js';
import { loadRun } from './run-record.js';
import { runWaits } from './wait-record.js';
import type { Assignment } from './waits.js';

const usd = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** `notify_leadership`: a severity-1 incident is put in front of the whole leadership at once (an urgent escalation message). */
export async function notifyLeadership(deps: Deps, ref: RunRef, input: WorkflowInput<'incident_response'>): Promise<{ notified: EndpointId[] }> {
  const run = await loadRun(deps, ref.tenant_id, ref.run_id);
  const delivered = await deliver(deps, {
    tenantId: ref.tenant_id,
    // One message per run, however often the step runs.
    messageId: notificationId(run.started_at, `incident:${ref.run_id}`, 'leadership'),
    from: 'conclave',
    to: 'leadership',
    recipients: [...LEADERSHIP],
    type: 'escalation',
    priority: 'urgent',
    subject: `[SEV${input.severity}] Incident: ${input.title}`.slice(0, 200),
    content:
      `Severity ${input.severity} incident response started (run ${ref.run_id}).\n\n${input.description || input.title}` +
      `${input.affected_services.length ? `\n\nAffected services: ${input.affected_services.join(', ')}` : ''}` +
      `\n\nTriage: operations_head → fix: senior_developer → verify: test_lead → postmortem. Follow it with workflow_status { run_id: "${ref.run_id}" }.`,
    threadId: `run-${ref.run_id}`,
    replyTo: null,
    correlationId: ref.correlation_id,
    sentAt: run.started_at,
  });
  return { notified: [...delivered.delivered, ...delivered.duplicates] };
}

function section(title: string, stage: unknown): string {
  const s = stage as { assignee?: string; outcome?: string; result?: Record<string, unknown>; completed_at?: string } | undefined;
  if (!s) return `## ${title}\n\n(no record)`;
  const result = s.result && Object.keys(s.result).length ? Object.entries(s.result).map(([k, v]) => `- ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n') : '(no notes)';
  return `## ${title} — ${s.assignee ?? 'unknown'}, ${s.outcome ?? ''} ${s.completed_at ? `at ${s.completed_at}` : ''}\n\n${result}`;
}

/**
 * `store_postmortem`: the incident's postmortem — the alert, then what
 * triage, the fix, verification and the postmortem stage recorded — stored
 * as an organizational memory (key `postmortem/<run id>`, tags `postmortem`,
 * `incident`, `sev<n>`), searchable by every role of the tenant.
 */
export async function storePostmortem(
  deps: Deps,
  ref: RunRef,
  input: WorkflowInput<'incident_response'>,
  results: Record<string, unknown>,
): Promise<{ key: string }> {
  const run = await loadRun(deps, ref.tenant_id, ref.run_id);
  const key = `postmortem/${ref.run_id}`;
  const rounds = await stageRounds(deps, ref);
  const content = [
    `# Postmortem: ${input.title} (severity ${input.severity})`,
    '',
    `Incident response run ${ref.run_id}, started ${run.started_at} by ${ref.initiator}${input.alert_id ? ` from alert ${input.alert_id}` : ''}.`,
    input.affected_services.length ? `Affected services: ${input.affected_services.join(', ')}.` : '',
    '',
    input.description,
    '',
    // Every round of every stage, in order: a failed verification and the fix that followed are part of the story.
    ...rounds.flatMap((round) => [section(round.title, round.record), '']),
    ...(results.postmortem && !rounds.some((r) => r.stage === 'postmortem') ? [section('Postmortem', results.postmortem)] : []),
  ]
    .join('\n')
    .slice(0, 32_000);
  const stored = await storeMemory(deps, { correlationId: ref.correlation_id }, {
    tenantId: ref.tenant_id,
    key,
    content,
    tags: ['postmortem', 'incident', `sev${input.severity}`],
    metadata: { run_id: ref.run_id, severity: input.severity, title: input.title, ...(input.alert_id ? { alert_id: input.alert_id } : {}) },
    author: 'operations_head',
    // Conclave's own record (a step may run again): written by the system, owned by the operations head.
    principal: 'system:postmortems',
  });
  return { key: stored.memory.key };
}

const TITLES: Readonly<Record<string, string>> = { triage: 'Triage', fix: 'Fix', verify: 'Verification', postmortem: 'Postmortem' };

/** The resolved rounds of a run's stages, oldest first, each with what its assignee recorded (or why it failed). */
async function stageRounds(deps: Deps, ref: RunRef): Promise<{ stage: string; title: string; record: unknown }[]> {
  const waits = (await runWaits(deps, ref.tenant_id, ref.run_id)).filter((w) => w.status === 'resolved').sort((a, b) => a.opened_at.localeCompare(b.opened_at));
  const rounds = new Map<string, number>();
  return waits.map((w) => {
    const n = (rounds.get(w.stage) ?? 0) + 1;
    rounds.set(w.stage, n);
    const title = `${TITLES[w.stage] ?? w.stage} (round ${n})`;
    const r = w.resolution;
    if (r && 'output' in r) return { stage: w.stage, title, record: r.output };
    if (r && 'error' in r) return { stage: w.stage, title, record: { outcome: 'failed', result: { reason: r.cause } } };
    return { stage: w.stage, title, record: { outcome: r && 'closed' in r ? r.closed : 'unknown', result: {} } };
  });
}

/**
 * `plan_department_tasks`: one task per owning role, listing its
 * departments' budgets and objectives; the run ends when every owner has
 * completed theirs.
 */
export function planDepartmentTasks(input: WorkflowInput<'strategic_planning'>): { assignments: Assignment[] } {
  const byOwner = new Map<RoleId, WorkflowInput<'strategic_planning'>['allocations']>();
  for (const a of input.allocations) byOwner.set(a.owner, [...(byOwner.get(a.owner) ?? []), a]);
  return {
    assignments: [...byOwner.entries()].map(([owner, allocations]) => ({
      assignee: owner,
      title: `Carry out the plan for ${allocations.map((a) => a.department).join(', ')}`,
      instructions:
        `The leadership approved "${input.initiative}"${input.period ? ` for ${input.period}` : ''}: ${input.objective}\n\n` +
        allocations.map((a) => `- ${a.department}: ${usd(a.amount)} USD${a.objective ? ` — ${a.objective}` : ''}`).join('\n') +
        '\n\nComplete with done (result: what you committed to) or failed (result.reason).',
    })),
  };
}
