import type { EndpointId, RoleId } from '../../contracts/roles.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';
import { fromCents } from './money.js';

/**
 * The stored entities of finance as typed records, each with its one codec:
 * a department's budget for a period, an escalated budget change awaiting
 * its decision, and an allocation in the ledger. Use cases read and write
 * these records; nothing else in finance touches a raw item's attributes.
 */

/** A department's budget for a period; amounts in integer cents. */
export interface BudgetRecord {
  readonly tenant_id: string;
  readonly department: string;
  readonly period: string;
  readonly ceiling_cents: number;
  readonly allocated_cents: number;
  /** allocated − ceiling: what guards allocations (never above 0). */
  readonly overage_cents: number;
  readonly allocation_count: number;
  readonly ceiling_set_by: RoleId | null;
  readonly ceiling_decision_id: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly version: number;
}

export const budgetCodec: Codec<BudgetRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    department: field.reqStr(i, 'department'),
    period: field.reqStr(i, 'period'),
    ceiling_cents: field.reqNum(i, 'ceiling_cents'),
    allocated_cents: field.num(i, 'allocated_cents'),
    overage_cents: field.num(i, 'overage_cents'),
    allocation_count: field.num(i, 'allocation_count'),
    ceiling_set_by: field.strOrNull(i, 'ceiling_set_by') as RoleId | null,
    ceiling_decision_id: field.strOrNull(i, 'ceiling_decision_id'),
    created_at: field.str(i, 'created_at'),
    updated_at: field.str(i, 'updated_at'),
    version: field.num(i, 'version'),
  }),
  encode: (b) => ({ ...keys.budget(b.tenant_id, b.period, b.department), type: 'budget', ...b }),
};

/** A department's budget for a period, in USD. */
export interface BudgetView {
  readonly department: string;
  readonly period: string;
  readonly ceiling: number;
  readonly allocated_total: number;
  /** ceiling − allocated_total: what may still be allocated. */
  readonly remaining: number;
  readonly allocations: number;
  readonly updated_at: string;
}

export function budgetView(b: BudgetRecord): BudgetView {
  return {
    department: b.department,
    period: b.period,
    ceiling: fromCents(b.ceiling_cents),
    allocated_total: fromCents(b.allocated_cents),
    remaining: fromCents(b.ceiling_cents - b.allocated_cents),
    allocations: b.allocation_count,
    updated_at: b.updated_at,
  };
}

/** The ledger record kinds (in the tenant's record collection). */
export const ALLOCATION = 'ALLOCATION';
export const BUDGET_REQUEST = 'BUDGETREQUEST';

/** What an escalated budget change asks for; kept under its decision's id until the decision is approved. */
export interface BudgetRequest {
  readonly action: 'set_ceiling' | 'allocate';
  readonly department: string;
  readonly period: string;
  readonly amount_cents: number;
  readonly justification?: string;
}

export interface BudgetRequestRecord extends BudgetRequest {
  readonly tenant_id: string;
  readonly decision_id: string;
  readonly requested_by: RoleId;
  readonly requested_at: string;
}

export const budgetRequestCodec: Codec<BudgetRequestRecord> = {
  decode: (i) => {
    const justification = field.strOrNull(i, 'justification');
    return {
      tenant_id: field.str(i, 'tenant_id'),
      decision_id: field.reqStr(i, 'decision_id'),
      requested_by: field.oneOf<RoleId>(i, 'requested_by', 'ceo'),
      requested_at: field.str(i, 'requested_at'),
      action: field.oneOf(i, 'action', 'allocate', ['set_ceiling', 'allocate'] as const),
      department: field.reqStr(i, 'department'),
      period: field.reqStr(i, 'period'),
      amount_cents: field.reqNum(i, 'amount_cents'),
      ...(justification !== null ? { justification } : {}),
    };
  },
  encode: (r) => ({ ...keys.record(r.tenant_id, BUDGET_REQUEST, r.decision_id), type: 'budget_request', ...r }),
};

/** One allocation (or a hire's draw) in the ledger, under its tracking id: written once. */
export interface AllocationRecord {
  readonly tenant_id: string;
  readonly tracking_id: string;
  readonly department: string;
  readonly period: string;
  readonly amount_cents: number;
  readonly justification: string;
  readonly allocated_by: EndpointId;
  readonly decision_id: string | null;
  readonly allocated_at: string;
}

export const allocationCodec: Codec<AllocationRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    tracking_id: field.reqStr(i, 'tracking_id'),
    department: field.reqStr(i, 'department'),
    period: field.reqStr(i, 'period'),
    amount_cents: field.reqNum(i, 'amount_cents'),
    justification: field.str(i, 'justification'),
    allocated_by: field.oneOf<EndpointId>(i, 'allocated_by', 'board'),
    decision_id: field.strOrNull(i, 'decision_id'),
    allocated_at: field.str(i, 'allocated_at'),
  }),
  encode: (a) => ({
    ...keys.record(a.tenant_id, ALLOCATION, a.tracking_id),
    gsi1pk: keys.recordIndex(a.tenant_id, ALLOCATION),
    gsi1sk: `${a.allocated_at}#${a.tracking_id}`,
    type: 'allocation',
    ...a,
  }),
};
