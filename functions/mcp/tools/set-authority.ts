import * as z from 'zod';
import { AGENT_ROLES } from '../../contracts/roles.js';
import { MAX_AUTHORITY_USD, setAuthority } from '../../core/org/org-chart.js';
import { defineTool } from '../tool.js';
import { chartChange, editorOf } from './org-schemas.js';

export const setAuthorityTool = defineTool({
  name: 'set_authority',
  title: "Set a role's authority limit",
  description:
    "Board only (a human): sets how much a role of your organization may commit on its own (USD). Commitments up to the limit are the " +
    "role's to approve; anything above escalates up the reporting line. Takes effect on the next authority check; audited; the " +
    'change is published as Org.ChartChanged.v1. Read the chart at conclave://org-chart.',
  input: z.object({
    role: z.enum(AGENT_ROLES),
    limit: z.number().min(0).max(MAX_AUTHORITY_USD).describe('USD, whole cents at most.'),
  }),
  output: chartChange,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  availableTo: ['board'],
  run: async (input, { deps, actor, correlationId }) =>
    view(await setAuthority(deps, { correlationId }, { tenantId: actor.tenantId, role: input.role, limit: input.limit, by: editorOf(actor) })),
});

function view(c: Awaited<ReturnType<typeof setAuthority>>) {
  return { role: c.role, field: c.field, previous: c.previous, value: c.value, revision: c.revision };
}
