/**
 * The official MCP conformance suite, per protocol era: which release of the
 * suite runs, which scenarios it selects, and the baseline of expected
 * failures with the reason for each. The suite's own `--expected-failures`
 * file is generated from this list (test/conformance/suite.ts), and
 * docs/conformance.md quotes every entry and reason (scripts/conformance-report.ts).
 *
 * An entry is a scenario name, or `scenario:check-id` for one check of a
 * scenario (0.2.x only). A listed scenario that passes is a stale entry and
 * fails the run, like a failure that is not listed.
 */

export type EraId = '2025-11-25' | '2026-07-28';

export interface ExpectedFailure {
  /** `scenario` or `scenario:check-id`. */
  readonly entry: string;
  readonly reason: string;
}

export interface Era {
  readonly id: EraId;
  /** The suite's npm package and release, as the report names it. */
  readonly suite: string;
  /** Its alias in test/clients/package.json, which pins that release in the lockfile. */
  readonly package: string;
  /** The arguments that select the scenarios for this era. */
  readonly selection: readonly string[];
  /** What the selection means, for the report. */
  readonly selectionText: string;
  readonly baseline: readonly ExpectedFailure[];
}

const STATELESS_SERVER_TO_CLIENT =
  'Needs a server-to-client request answered on the same connection. Conclave is stateless: each 2025-era request is served by a fresh server ' +
  'with no session, and a client answer would arrive as a new POST that no server is waiting for. The fixture asks through the SDK, which refuses ' +
  'at once on per-request legacy serving ("cannot receive server-to-client requests"), so the client is never asked. ';

const TASKS_EXTENSION =
  'Optional extension io.modelcontextprotocol/tasks (SEP-2663), not scored for 2026-07-28 (reason: extension). Conclave serves MCP tasks in ' +
  'their 2025-11-25 form (task-augmented start_workflow, tasks/get, tasks/result, tasks/list, tasks/cancel on the workflow run; ' +
  'test/e2e/mcp-tasks.test.ts) and keeps tasks/get and tasks/cancel reachable on 2026-07-28, but not the extension\'s 2026 wire ' +
  '(extension negotiation, tasks/update, input_required inside a task, its request headers): the SDK has no task runtime to build it on.';

export const ERAS: readonly Era[] = [
  {
    id: '2025-11-25',
    suite: '@modelcontextprotocol/conformance@0.1.16',
    package: 'conformance-2025-11-25',
    selection: ['--spec-version', '2025-11-25'],
    selectionText: 'the active server scenarios for 2025-11-25 (`--spec-version 2025-11-25`; the same 30 scenarios the 0.2.0 release lists as the 2025-11-25 requirements), over the initialize handshake',
    baseline: [
      { entry: 'tools-call-sampling', reason: `${STATELESS_SERVER_TO_CLIENT}The 2026-07-28 form (input-required-result-basic-sampling) passes.` },
      { entry: 'tools-call-elicitation', reason: `${STATELESS_SERVER_TO_CLIENT}The 2026-07-28 form (input-required-result-basic-elicitation) passes.` },
      { entry: 'elicitation-sep1034-defaults', reason: `${STATELESS_SERVER_TO_CLIENT}Elicitation with defaults works in 2026-07-28 through input_required results.` },
      { entry: 'elicitation-sep1330-enums', reason: `${STATELESS_SERVER_TO_CLIENT}Enum elicitation works in 2026-07-28 through input_required results.` },
      {
        entry: 'resources-subscribe',
        reason:
          'Resource subscriptions need a standing stream to send notifications/resources/updated on, and a stateless server has none: Conclave does ' +
          'not declare resources.subscribe and answers -32601 (2026-07-28 drops resources/subscribe for subscriptions/listen).',
      },
      { entry: 'resources-unsubscribe', reason: 'As resources-subscribe: there are no subscriptions to end, so resources/unsubscribe is answered -32601.' },
      {
        entry: 'server-sse-multiple-streams',
        reason:
          'The scenario opens several streams on one Mcp-Session-Id; a stateless server issues no session id, so the suite stops with a warning ' +
          '(counted as a failure). Concurrent POSTs are served: the 2026-07-28 run of this scenario passes.',
      },
    ],
  },
  {
    id: '2026-07-28',
    suite: '@modelcontextprotocol/conformance@0.2.0-alpha.12',
    package: 'conformance-next',
    selection: ['--requirements', '2026-07-28'],
    selectionText:
      'the frozen 2026-07-28 requirements (`--requirements 2026-07-28`): every scored scenario, plus the not-scored extension and pending ones, which run for visibility',
    baseline: [
      ...[
      'tasks-lifecycle',
      'tasks-capability-negotiation',
      'tasks-wire-fields',
      'tasks-request-state-removal',
      'tasks-mrtr-input',
      'tasks-request-headers',
      'tasks-dispatch-and-envelope',
      'tasks-required-task-error',
      'tasks-mrtr-composition',
      ].map((entry) => ({ entry, reason: TASKS_EXTENSION })),
    ],
  },
];

/** The YAML the suite's `--expected-failures` reads. */
export function baselineYaml(era: Era): string {
  const lines = [`# Generated from test/conformance/baseline.ts for ${era.id}; the reasons live there.`, 'server:'];
  for (const { entry } of era.baseline) lines.push(`  - ${JSON.stringify(entry)}`);
  if (era.baseline.length === 0) lines[1] = 'server: []';
  return `${lines.join('\n')}\n`;
}
