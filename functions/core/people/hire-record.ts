import type { RoleId } from '../../contracts/roles.js';
import { keys } from '../keys.js';
import { field, type Codec } from '../versioned.js';

/** The ledger record kind of hires (in the tenant's record collection). */
export const HIRE = 'HIRE';

/** A requested hire, linked to its `hire` decision (whose status is the hire's). */
export interface HireRecord {
  readonly tenant_id: string;
  readonly hire_id: string;
  readonly role_title: string;
  readonly department: string;
  readonly annual_cost_cents: number;
  readonly justification: string;
  readonly requested_by: RoleId;
  readonly decision_id: string;
  readonly requested_at: string;
}

export const hireCodec: Codec<HireRecord> = {
  decode: (i) => ({
    tenant_id: field.str(i, 'tenant_id'),
    hire_id: field.reqStr(i, 'hire_id'),
    role_title: field.reqStr(i, 'role_title'),
    department: field.reqStr(i, 'department'),
    annual_cost_cents: field.reqNum(i, 'annual_cost_cents'),
    justification: field.str(i, 'justification'),
    requested_by: field.oneOf<RoleId>(i, 'requested_by', 'chro'),
    decision_id: field.reqStr(i, 'decision_id'),
    requested_at: field.str(i, 'requested_at'),
  }),
  encode: (h) => ({
    ...keys.record(h.tenant_id, HIRE, h.hire_id),
    gsi1pk: keys.recordIndex(h.tenant_id, HIRE),
    gsi1sk: `${h.requested_at}#${h.hire_id}`,
    type: 'hire',
    ...h,
  }),
};
