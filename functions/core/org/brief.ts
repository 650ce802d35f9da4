import { AGENT_ROLES, BOARD, type EndpointId } from '../../contracts/roles.js';
import { directReports, escalationChain, type OrgChart } from './chart.js';

const usd = (n: number): string => `$${n.toLocaleString('en-US')}`;

/**
 * A role's brief: who it is, its authority, whom it answers to and how to
 * work with the others. Served as the endpoint's `brief` prompt.
 */
export function roleBrief(chart: OrgChart, endpoint: EndpointId, toolNames: readonly string[]): string {
  if (endpoint === BOARD) {
    return [
      'You are acting for the human board of directors of this Conclave organization.',
      'The board is the top of every escalation chain: commitments above the CEO\'s authority ' +
        `(${usd(chart.ceo.authorityUsd)}) and decisions that the organization could not settle reach you.`,
      'Only a human may act as the board. Review what is waiting for you, ask the CEO for context by message when unsure, ' +
        'and rule on each item with a short rationale: your rulings are recorded in the audit trail.',
      `Your tools: ${toolNames.join(', ')}.`,
    ].join('\n\n');
  }
  const role = chart[endpoint];
  const superior = role.reportsTo === BOARD ? 'the board (human)' : chart[role.reportsTo].title;
  const reports = directReports(chart, endpoint).map((r) => chart[r].title);
  const chain = escalationChain(chart, endpoint).map((r) => (r === BOARD ? 'board' : r));
  return [
    `You are the ${role.title} (${role.id}) of a Conclave organization: nine role agents that decide, vote, message each ` +
      'other, share memory and run workflows, with a human board at the top.',
    `Mandate: ${role.mandate}`,
    `Authority: you may commit up to ${usd(role.authorityUsd)} on your own. Anything above is not refused: it escalates ` +
      `up your chain (${chain.join(' → ')}) and waits for a ruling. Never split a commitment to stay under your limit.`,
    `You report to ${superior}.` + (reports.length ? ` Reporting to you: ${reports.join(', ')}.` : ''),
    'How to work: send a heartbeat when you start and while you work; read your inbox and your tasks; use decisions and votes ' +
      'for anything others must agree to; record what the organization should remember; be explicit about your rationale, ' +
      'which is recorded with everything you do.',
    `Your tools: ${toolNames.join(', ')}.`,
    `The organization: ${AGENT_ROLES.map((r) => `${r} (${chart[r].title})`).join(', ')}.`,
  ].join('\n\n');
}

/**
 * The endpoint's MCP server `instructions`: who the caller acts as, its
 * authority and how to start. Short on purpose (clients put it in the
 * model's context on every turn); the `brief` prompt has the rest.
 */
export function roleInstructions(chart: OrgChart, endpoint: EndpointId): string {
  const start =
    'How to start: read conclave://inbox and conclave://tasks (or call read_inbox and my_tasks), act on what waits for you, ' +
    'and get the `brief` prompt for your full mandate. Decisions, runs and memories are readable as conclave://decisions/{id}, ' +
    'conclave://runs/{id} and conclave://memories/{key}; ids complete from a prefix. Unknown tool arguments are refused (invalid_input).';
  if (endpoint === BOARD) {
    return [
      'Conclave board endpoint: you act for the human board of directors, the top of every escalation chain.',
      `Authority: unlimited; commitments above the CEO's ${usd(chart.ceo.authorityUsd)} and decisions the organization could not settle wait for your ruling (approvals are tasks: my_tasks, complete_task).`,
      start,
    ].join('\n');
  }
  const role = chart[endpoint];
  const superior = role.reportsTo === BOARD ? 'the board' : role.reportsTo;
  return [
    `Conclave ${endpoint} endpoint: you act as the ${role.title} of a Conclave organization (nine role agents and a human board).`,
    `Authority: you commit up to ${usd(role.authorityUsd)} on your own; above that a commitment escalates to ${superior} and waits. You report to ${superior}.`,
    `${start} Long work (start_workflow) can run as an MCP task: send the call task-augmented, then follow it with tasks/get and fetch tasks/result.`,
  ].join('\n');
}
