import type { BusEvent } from '../../contracts/events.js';
import type { Deps } from '../context.js';
import { ConclaveError } from '../errors.js';
import { auditSystemChange } from './audit.js';

/**
 * The system's driving adapters, audited: every workflow step (stage
 * transitions, tasks opened, reminders, timeouts, deadline checks,
 * escalations) and every bus consumer that changed something leaves one audit
 * line with the component as the actor, the run or decision it acted for and
 * the correlation id. Like tool calls, never arguments or results. The
 * Lambda handlers and the local runtime both run steps and consumers through
 * these, so the two modes audit the same lines.
 */

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

const errorCode = (error: unknown): string => (error instanceof ConclaveError ? error.code : error instanceof Error ? error.name : 'error');

/** Runs one workflow step and audits it as `step:<machine>.<step>` by `workflow:<machine>`. */
export async function auditedStep<T>(deps: Deps, machine: string, payload: unknown, run: () => Promise<T>): Promise<T> {
  const head = (payload ?? {}) as { step?: unknown; decision_id?: unknown; run?: { run_id?: unknown; tenant_id?: unknown; correlation_id?: unknown } };
  const tenantId = str(head.run?.tenant_id);
  const runId = str(head.run?.run_id);
  const decisionId = str(head.decision_id);
  const started = deps.clock.now();
  const audit = async (outcome: 'ok' | 'error', code?: string) => {
    if (!tenantId) return; // a payload without a run is refused by the step itself; nothing of a tenant changed
    await auditSystemChange(deps, {
      tenantId,
      component: `workflow:${machine}`,
      action: `step:${machine}.${str(head.step) ?? 'unknown'}`,
      correlationId: str(head.run?.correlation_id) ?? runId ?? 'none',
      outcome,
      durationMs: deps.clock.now() - started,
      ...(runId ? { runId } : {}),
      ...(decisionId ? { decisionId } : {}),
      ...(decisionId ?? runId ? { objectId: (decisionId ?? runId) as string } : {}),
      ...(code ? { errorCode: code } : {}),
    });
  };
  try {
    const result = await run();
    await audit('ok');
    return result;
  } catch (error) {
    await audit('error', errorCode(error));
    throw error;
  }
}

/** The ids a consumer acted for, as its event names them. */
function idsOf(detail: Record<string, unknown>): { runId?: string; decisionId?: string; objectId?: string } {
  const runId = str(detail.run_id);
  const decisionId = str(detail.decision_id);
  const objectId = decisionId ?? runId ?? str(detail.task_id) ?? str(detail.message_id) ?? str(detail.alert_id) ?? str(detail.key);
  return { ...(runId ? { runId } : {}), ...(decisionId ? { decisionId } : {}), ...(objectId ? { objectId } : {}) };
}

/**
 * A consumer that audits what it changed as `consumer:<id>` (with the event's
 * detail-type as part of the action): a redelivered event that changed
 * nothing (`delivered: 0`) leaves no line; a failure leaves an error line.
 */
export function auditedConsumer<R extends { readonly delivered: number }>(
  consumer: string,
  useCase: (deps: Deps, event: BusEvent) => Promise<R>,
): (deps: Deps, event: BusEvent) => Promise<R> {
  return async (deps, event) => {
    const detail = (event.detail ?? {}) as Record<string, unknown>;
    const tenantId = str(detail.tenant_id);
    const started = deps.clock.now();
    const audit = async (outcome: 'ok' | 'error', code?: string) => {
      if (!tenantId) return;
      await auditSystemChange(deps, {
        tenantId,
        component: `consumer:${consumer}`,
        action: `consumer:${consumer}:${event['detail-type']}`,
        correlationId: str(detail.correlation_id) ?? event.id,
        outcome,
        durationMs: deps.clock.now() - started,
        ...idsOf(detail),
        ...(code ? { errorCode: code } : {}),
      });
    };
    try {
      const result = await useCase(deps, event);
      if (result.delivered > 0) await audit('ok');
      return result;
    } catch (error) {
      await audit('error', errorCode(error));
      throw error;
    }
  };
}
