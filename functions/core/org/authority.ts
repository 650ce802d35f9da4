import { BOARD, type EndpointId, type RoleId } from '../../contracts/roles.js';
import type { Deps } from '../context.js';
import { escalationChain, type OrgChart } from './chart.js';
import { loadTenantChart } from './org-chart.js';

/** The outcome of the one authority check used everywhere. */
export type AuthorityCheck =
  | { readonly within: true; readonly limit: number }
  | {
      readonly within: false;
      readonly limit: number;
      /** The nearest superior whose authority covers the amount, or the board. */
      readonly escalateTo: EndpointId;
      /** Everyone between the role and `escalateTo`, nearest first (ending with it). */
      readonly path: EndpointId[];
      readonly reason: string;
    };

const usd = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/**
 * May `actor` commit `amount` (USD) alone? Exactly the limit is within
 * authority; anything above escalates up the reports-to chain to the first
 * superior whose limit covers it, ending at the board — never a refusal and
 * never an approval. The board has no limit.
 */
export function checkAuthority(chart: OrgChart, actor: EndpointId, amount: number): AuthorityCheck {
  if (actor === BOARD) return { within: true, limit: Number.POSITIVE_INFINITY };
  const limit = chart[actor].authorityUsd;
  if (amount <= limit) return { within: true, limit };
  const chain = escalationChain(chart, actor);
  const index = chain.findIndex((r) => r === BOARD || chart[r as RoleId].authorityUsd >= amount);
  const path = chain.slice(0, index + 1);
  const escalateTo = path[path.length - 1] as EndpointId;
  return {
    within: false,
    limit,
    escalateTo,
    path,
    reason: `${usd(amount)} USD exceeds the ${actor} authority of ${usd(limit)} USD; escalated to ${escalateTo}`,
  };
}

/** The tenant's org chart (core/org/org-chart.ts): what every authority check and escalation follows. */
export async function loadChart(deps: Deps, tenantId: string): Promise<OrgChart> {
  return (await loadTenantChart(deps, tenantId)).chart;
}
