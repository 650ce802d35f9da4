import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autopilotPrincipal } from '../../functions/contracts/autopilot.js';
import { AGENT_ROLES } from '../../functions/contracts/roles.js';
import type { BusEvent } from '../../functions/contracts/events.js';
import { listAudit, type AuditView } from '../../functions/core/audit/audit.js';
import { startLocal, type LocalConclave } from '../../functions/runtime/local.js';
import { eventually, issueKey, memoryLog, RoleClients } from '../helpers/conclave.js';
import { diligent, scriptedBedrock, type Policy, type ScriptedCallRecord } from '../helpers/scripted-model.js';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const FEATURE = { title: 'Saved searches', description: 'Users save a search and get told about new matches.', requirements: ['save', 'notify'] };

interface Status {
  status: string;
  stages: { stage: string; status: string; last_outcome: string | null }[];
}

let policy: Policy = diligent;
const scripted = scriptedBedrock(() => policy);
let conclave: LocalConclave & { log: ReturnType<typeof memoryLog> };

async function audit(tenant: string, limit = 500): Promise<AuditView[]> {
  return listAudit(conclave.deps, tenant, Date.now(), limit);
}

/** A human (board and every role) and an agent-free observer key for a tenant; turns autopilot on for `roles`. */
async function tenantWith(tenant: string, roles: readonly string[], extra: Record<string, unknown> = {}) {
  const people = await RoleClients.of(conclave, tenant);
  const observer = new RoleClients(conclave, await issueKey(conclave, tenant, ['ceo'], false));
  for (const role of roles) await people.ok('board', 'set_autopilot', { role, enabled: true, model_id: MODEL, max_steps: 6, ...extra });
  return { people, observer };
}

async function runStatus(observer: RoleClients, runId: string): Promise<Status> {
  return observer.ok<Status>('ceo', 'workflow_status', { run_id: runId });
}

beforeAll(async () => {
  const log = memoryLog();
  conclave = Object.assign(
    await startLocal({ port: 0, allowedOrigins: [], staleAfterMs: 300_000, log, autopilotModel: scripted.model, autopilotSleep: async () => undefined }),
    { log },
  );
});

afterAll(async () => {
  await conclave?.close();
  scripted.mock.restore();
});

describe('autopilot: a feature_development run with every role but the board on autopilot', () => {
  let people: RoleClients;
  let observer: RoleClients;
  let runId: string;
  const tenant = 'ap-feature';

  beforeAll(async () => {
    policy = diligent;
    ({ people, observer } = await tenantWith(tenant, AGENT_ROLES));
    const started = await people.ok<{ run_id: string }>('product_manager', 'start_workflow', { workflow: 'feature_development', input: FEATURE });
    runId = started.run_id;
  });

  afterAll(async () => {
    await people.close();
    await observer.close();
  });

  it('goes from start to succeeded with no human call', async () => {
    let status: Status | undefined;
    await eventually(async () => {
      status = await runStatus(observer, runId);
      expect(status.status).toBe('succeeded');
    }, 30_000);
    expect(status?.stages.every((s) => s.status === 'done')).toBe(true);
    // Nothing was done by the human key after the start: every later call is an agent's (or the observer's reads).
    const entries = await audit(tenant);
    const human = entries.filter((e) => !e.key_id.startsWith('autopilot:') && e.action !== 'tool:workflow_status');
    expect(human.map((e) => e.action).sort()).toEqual([...Array(AGENT_ROLES.length).fill('tool:set_autopilot'), 'tool:start_workflow'].sort());
  });

  it('audits every autopilot tool call with the actor autopilot:<role> and the model id', async () => {
    await eventually(async () => {
      const completions = (await audit(tenant)).filter((e) => e.action === 'tool:complete_task');
      // define, design, architecture review, implement, quality gate and deploy approval (the CTO or the operations head: the first decides).
      expect(completions.filter((e) => e.outcome === 'ok').length).toBeGreaterThanOrEqual(6);
      for (const entry of completions) {
        expect(entry.key_id).toMatch(/^autopilot:(product_manager|senior_architect|cto|senior_developer|test_lead|operations_head)$/);
        expect(entry.key_id).toBe(autopilotPrincipal(entry.role));
        expect(entry.model_id).toBe(MODEL);
      }
      const steps = (await audit(tenant)).filter((e) => e.action.startsWith('autopilot:step'));
      expect(steps.length).toBeGreaterThanOrEqual(7);
      expect(steps.every((e) => e.model_id === MODEL && e.key_id.startsWith('autopilot:'))).toBe(true);
    });
  });

  it('shows the autopilot in the org chart, and the board never on it', async () => {
    const chart = await people.client('ceo').then((c) => c.readResource({ uri: 'conclave://org-chart' }));
    const body = JSON.parse((chart.contents[0] as { text: string }).text) as { roles: { id: string; autopilot: { enabled: boolean; model_id: string } }[]; board_autopilot: string };
    expect(body.roles.every((r) => r.autopilot.enabled && r.autopilot.model_id === MODEL)).toBe(true);
    expect(body.board_autopilot).toMatch(/never/);
    expect(await people.refused('board', 'set_autopilot', { role: 'board', enabled: true })).toMatch(/board is never on autopilot/);
  });
});
