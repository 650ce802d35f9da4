import * as z from 'zod';
import { isRoleId, type RoleId } from '../../../../contracts/roles.js';
import { ValidationError } from '../../../../core/errors.js';
import type { Actor } from '../../../../core/principal.js';

/** Schemas shared by the budget and people tools (ceo and chro). */
export const department = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _&.-]*$/u, 'letters, digits, spaces, "_", "&", "." or "-"')
  .describe('A department, e.g. "engineering" (case-insensitive; spaces become "_").');
export const period = z
  .string()
  .trim()
  .max(16)
  .regex(/^\d{4}(-[Qq][1-4])?$/, 'a quarter like 2026-Q4 or a year like 2026')
  .describe('A calendar quarter like "2026-Q4" or a year like "2026"; defaults to the current quarter (UTC).');

export const budgetView = z.object({
  department: z.string(),
  period: z.string(),
  ceiling: z.number(),
  allocated_total: z.number(),
  remaining: z.number(),
  allocations: z.number().int(),
  updated_at: z.string(),
});

/** The role a role-only tool acts as (its `availableTo` guarantees one; this narrows the type). */
export function actingRole(actor: Actor): RoleId {
  if (!isRoleId(actor.actingAs)) throw new ValidationError(`${actor.actingAs} cannot use this tool`);
  return actor.actingAs;
}
