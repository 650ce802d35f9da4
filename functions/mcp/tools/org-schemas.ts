import * as z from 'zod';
import { AGENT_ROLES } from '../../contracts/roles.js';
import type { ChartEditor } from '../../core/org/org-chart.js';
import type { Actor } from '../../core/principal.js';

/** What the chart tools return: the change and the chart's new revision. */
export const chartChange = z.object({
  role: z.enum(AGENT_ROLES),
  field: z.enum(['authority_usd', 'reports_to']),
  previous: z.union([z.number(), z.string()]),
  value: z.union([z.number(), z.string()]),
  revision: z.number().int(),
});

/** The calling principal as a chart editor (the use case refuses a non-human one). */
export function editorOf(actor: Actor): ChartEditor {
  return { kind: 'principal', keyId: actor.keyId, human: actor.human, actingAs: actor.actingAs };
}
