import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/core/errors.js';
import { listRuns } from '../../functions/core/workflows/run-views.js';
import { startWorkflow } from '../../functions/core/workflows/runs.js';
import { causeOf, runStep } from '../../functions/core/workflows/steps.js';
import { startWorkflowConclave, type WorkflowConclave } from '../helpers/workflows.js';

const ctx = { correlationId: 'core-test' };
const run = { run_id: 'r1', tenant_id: 'acme', workflow: 'escalation', initiator: 'ceo', correlation_id: 'c' } as const;

describe('workflow steps', () => {
  it('unwraps a Lambda error cause, and keeps a plain one', () => {
    expect(causeOf({ Error: 'DependencyError', Cause: JSON.stringify({ errorType: 'DependencyError', errorMessage: 'throttled' }) })).toBe('DependencyError: throttled');
    expect(causeOf({ Error: 'Conclave.StageFailed', Cause: 'test_lead reported the quality gate failed' })).toBe('Conclave.StageFailed: test_lead reported the quality gate failed');
    expect(causeOf({ Error: 'States.Timeout' })).toBe('States.Timeout');
  });

  it('refuses a step the machine does not have, a payload of another machine, and a malformed payload (not retried: ValidationError)', async () => {
    const deps = {} as never;
    await expect(runStep(deps, 'escalation', { step: 'store_postmortem', run })).rejects.toThrow(/escalation has no step "store_postmortem"/);
    await expect(runStep(deps, 'feature_development', { step: 'begin', run })).rejects.toThrow(/escalation run sent to the feature_development step function/);
    await expect(runStep(deps, 'escalation', { step: 'escalation_check', run, awaiting: 'nobody' })).rejects.toBeInstanceOf(ValidationError);
    await expect(runStep(deps, 'escalation', { step: 'begin' })).rejects.toThrow(/run/);
  });
});

describe('listRuns', () => {
  let conclave: WorkflowConclave;
  beforeAll(async () => {
    conclave = await startWorkflowConclave();
  });
  afterAll(async () => conclave.close());

  it('pages newest first, filtered by workflow and status, without repeating or skipping a run', async () => {
    const started: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await startWorkflow(conclave.deps, ctx, { tenantId: 'paging', initiator: 'product_manager', workflow: 'feature_development', input: { title: `f${i}`, description: 'd' } });
      started.push(r.run_id);
      await startWorkflow(conclave.deps, ctx, { tenantId: 'paging', initiator: 'operations_head', workflow: 'incident_response', input: { title: `i${i}`, severity: 4 } });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const result = await listRuns(conclave.deps, { tenantId: 'paging', workflow: 'feature_development', status: 'running', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...result.runs.map((r) => r.run_id));
      expect(result.runs.every((r) => r.workflow === 'feature_development')).toBe(true);
      if (!result.next_cursor) break;
      cursor = result.next_cursor;
    }
    expect(seen).toEqual([...started].reverse());
    expect((await listRuns(conclave.deps, { tenantId: 'paging', status: 'failed', limit: 10 })).runs).toEqual([]);
    expect((await listRuns(conclave.deps, { tenantId: 'elsewhere', limit: 10 })).runs).toEqual([]);
  });
});
