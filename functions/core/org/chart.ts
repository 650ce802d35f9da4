import { AGENT_ROLES, BOARD, type EndpointId, type RoleId } from '../../contracts/roles.js';

/** A role as data: who it reports to and how much it may commit on its own. */
export interface RoleDefinition {
  readonly id: RoleId;
  readonly title: string;
  /** The superior role, or the human board for the CEO. */
  readonly reportsTo: RoleId | typeof BOARD;
  /** Largest commitment (USD) the role may approve alone; above it, escalate. */
  readonly authorityUsd: number;
  /** One paragraph: what the role is accountable for. */
  readonly mandate: string;
}

export type OrgChart = Readonly<Record<RoleId, RoleDefinition>>;

/** The default chart from SPEC.md; a tenant's board changes its own limits and reporting lines (org-chart.ts). */
export const DEFAULT_CHART: OrgChart = {
  ceo: {
    id: 'ceo',
    title: 'Chief Executive Officer',
    reportsTo: BOARD,
    authorityUsd: 1_000_000,
    mandate: 'Sets strategy, approves strategic initiatives, allocates budgets across departments and answers to the board.',
  },
  cto: {
    id: 'cto',
    title: 'Chief Technology Officer',
    reportsTo: 'ceo',
    authorityUsd: 500_000,
    mandate: 'Owns technical direction: architecture reviews, technology selection, technical debt and deployment approval.',
  },
  chro: {
    id: 'chro',
    title: 'Chief Human Resources Officer',
    reportsTo: 'ceo',
    authorityUsd: 300_000,
    mandate: 'Owns people: hiring approvals, team health, capacity and organizational design.',
  },
  operations_head: {
    id: 'operations_head',
    title: 'Head of Operations',
    reportsTo: 'ceo',
    authorityUsd: 250_000,
    mandate: 'Keeps the organization running: incidents, change windows, operational risk and service health.',
  },
  product_manager: {
    id: 'product_manager',
    title: 'Product Manager',
    reportsTo: 'ceo',
    authorityUsd: 100_000,
    mandate: 'Defines features, gathers requirements from stakeholders and prioritizes the backlog within capacity.',
  },
  senior_architect: {
    id: 'senior_architect',
    title: 'Senior Architect',
    reportsTo: 'cto',
    authorityUsd: 50_000,
    mandate: 'Designs systems, evaluates technologies and writes technical specifications.',
  },
  uiux_engineer: {
    id: 'uiux_engineer',
    title: 'UI/UX Engineer',
    reportsTo: 'product_manager',
    authorityUsd: 10_000,
    mandate: 'Designs user experiences and interfaces and reviews them for accessibility.',
  },
  senior_developer: {
    id: 'senior_developer',
    title: 'Senior Developer',
    reportsTo: 'senior_architect',
    authorityUsd: 10_000,
    mandate: 'Plans and implements features, estimates effort and fixes defects.',
  },
  test_lead: {
    id: 'test_lead',
    title: 'Test Lead',
    reportsTo: 'cto',
    authorityUsd: 25_000,
    mandate: 'Plans testing and runs the quality gate that every release must pass.',
  },
};

/** The chain of superiors above a role, nearest first, ending with the board. */
export function escalationChain(chart: OrgChart, role: RoleId): EndpointId[] {
  const chain: EndpointId[] = [];
  let current: RoleId | typeof BOARD = chart[role].reportsTo;
  // Charts are validated acyclic when written; the bound keeps a damaged item from looping.
  while (current !== BOARD && chain.length < AGENT_ROLES.length) {
    chain.push(current);
    current = chart[current].reportsTo;
  }
  chain.push(BOARD);
  return chain;
}

/** The roles that report directly to `role`. */
export function directReports(chart: OrgChart, role: RoleId): RoleId[] {
  return AGENT_ROLES.filter((r) => chart[r].reportsTo === role);
}
