import { describe, expect, it } from 'vitest';
import { chainOf } from '../../functions/core/console/awaiting.js';
import type { Decision } from '../../functions/core/decisions/model.js';
import { DEFAULT_CHART } from '../../functions/core/org/chart.js';

function decision(overrides: Partial<Decision>): Decision {
  return {
    decision_id: 'd1',
    decision_type: 'purchase',
    initiator: 'senior_architect',
    participants: [],
    mode: 'autonomous',
    context: 'Buy servers',
    status: 'escalated',
    amount: 600_000,
    threshold: 0.6,
    quorum: 0.5,
    consensus_score: null,
    outcome: null,
    awaiting: 'ceo',
    escalations: [
      { escalation_id: 'e1', from: 'senior_architect', to: 'cto', reason: 'over 50k', at: '2026-12-06T00:00:00.000Z' },
      { escalation_id: 'e2', from: 'cto', to: 'ceo', reason: 'over 500k', at: '2026-12-06T00:01:00.000Z' },
    ],
    votes: [],
    created_at: '2026-12-06T00:00:00.000Z',
    completed_at: null,
    deadline: null,
    commitment: null,
    ...overrides,
  };
}

describe('chainOf (the console and the approval card)', () => {
  it("lists the initiator, then each superior up to the board, with each one's authority against the amount and where the decision is", () => {
    expect(chainOf(DEFAULT_CHART, decision({}))).toEqual([
      { role: 'senior_architect', title: 'Senior Architect', authority_usd: 50_000, covers_amount: false, position: 'initiator' },
      { role: 'cto', title: 'Chief Technology Officer', authority_usd: 500_000, covers_amount: false, position: 'passed' },
      { role: 'ceo', title: 'Chief Executive Officer', authority_usd: 1_000_000, covers_amount: true, position: 'awaiting' },
      { role: 'board', title: 'The board', authority_usd: null, covers_amount: true, position: 'above' },
    ]);
  });

  it('counts an amount exactly at a limit as covered, and says nothing about coverage without an amount', () => {
    const atLimit = chainOf(DEFAULT_CHART, decision({ amount: 500_000, awaiting: 'cto', escalations: [] }));
    expect(atLimit.find((l) => l.role === 'cto')).toMatchObject({ covers_amount: true, position: 'awaiting' });
    expect(chainOf(DEFAULT_CHART, decision({ amount: null })).every((l) => l.covers_amount === null)).toBe(true);
  });

  it("uses the tenant's own chart (a changed limit changes the verdict)", () => {
    const chart = { ...DEFAULT_CHART, cto: { ...DEFAULT_CHART.cto, authorityUsd: 700_000 } };
    expect(chainOf(chart, decision({})).find((l) => l.role === 'cto')?.covers_amount).toBe(true);
  });
});
