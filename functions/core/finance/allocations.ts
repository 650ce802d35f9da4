import type { EndpointId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { PreconditionFailedError } from '../errors.js';
import { keys } from '../keys.js';
import { ALLOCATION, allocationCodec, budgetCodec } from './budget-record.js';
import { formatUsd, fromCents } from './money.js';

/** The ledger record kind of allocations (shared with allocate_budget). */
export { ALLOCATION };

export type Draw = { readonly drawn: true; readonly remaining: number } | { readonly drawn: false; readonly reason: string };

/**
 * Draws a commitment (a hire's annual cost) on a department's budget for a
 * period: one guarded addition (never above the ceiling) and one ledger
 * record under `trackingId`, exactly once — a second draw with the same id
 * draws nothing. No budget set for the department and period: nothing drawn.
 */
export async function drawOnBudget(
  deps: Deps,
  input: { tenantId: string; department: string; period: string; amountCents: number; trackingId: string; by: EndpointId; justification: string },
): Promise<Draw> {
  const ledgerKey = keys.record(input.tenantId, ALLOCATION, input.trackingId);
  if (await deps.store.get(ledgerKey)) return { drawn: false, reason: `already drawn (allocation ${input.trackingId})` };
  const key = keys.budget(input.tenantId, input.period, input.department);
  if (!(await deps.store.get(key))) return { drawn: false, reason: `no ${input.department} budget is set for ${input.period}` };
  const now = new Date(deps.clock.now()).toISOString();
  let updated;
  try {
    updated = budgetCodec.decode(
      await deps.store.increment({
        key,
        add: { allocated_cents: input.amountCents, overage_cents: input.amountCents, allocation_count: 1, version: 1 },
        set: { updated_at: now },
        ceilings: { overage_cents: 0 },
      }),
    );
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    return { drawn: false, reason: `${formatUsd(fromCents(input.amountCents))} USD would exceed the ${input.department} budget for ${input.period}` };
  }
  try {
    await deps.store.put(
      allocationCodec.encode({
        tenant_id: input.tenantId,
        tracking_id: input.trackingId,
        department: input.department,
        period: input.period,
        amount_cents: input.amountCents,
        justification: input.justification,
        allocated_by: input.by,
        decision_id: input.trackingId,
        allocated_at: now,
      }),
      { kind: 'absent' },
    );
  } catch (error) {
    await deps.store.increment({ key, add: { allocated_cents: -input.amountCents, overage_cents: -input.amountCents, allocation_count: -1, version: 1 }, set: { updated_at: now } });
    if (error instanceof PreconditionFailedError) return { drawn: false, reason: `already drawn (allocation ${input.trackingId})` };
    throw error;
  }
  return { drawn: true, remaining: fromCents(updated.ceiling_cents - updated.allocated_cents) };
}
