import { describe, expect, it } from 'vitest';
import {
  deriveRequirements,
  extractAcceptanceCriteria,
  parseUserStory,
  prioritizeBacklog,
  priorityFromRice,
  riceScore,
  wsjfScore,
  type BacklogItem,
} from '../../functions/core/product/scoring.js';

describe('parseUserStory', () => {
  it('splits a story in the template into role, goal and benefit', () => {
    expect(parseUserStory('As a shopper, I want to save my cart, so that I can buy later.', 0)).toEqual({
      id: 'FR-1',
      story: 'As a shopper, I want to save my cart, so that I can buy later.',
      role: 'shopper',
      goal: 'save my cart',
      benefit: 'I can buy later',
      conforms: true,
      issue: null,
    });
  });

  it('accepts "As an", no comma, "I need" and "in order to"', () => {
    const r = parseUserStory('as an admin I need bulk export in order to audit the accounts', 2);
    expect(r).toMatchObject({ id: 'FR-3', role: 'admin', goal: 'bulk export', benefit: 'audit the accounts', conforms: true });
  });

  it('flags a story without a benefit but keeps its role and goal', () => {
    expect(parseUserStory('As a guest, I want to check out', 0)).toMatchObject({ role: 'guest', goal: 'check out', benefit: null, conforms: false, issue: expect.stringContaining('so that') });
  });

  it('flags a story in another form and keeps the whole text as the goal', () => {
    expect(parseUserStory('  Make   checkout faster ', 0)).toMatchObject({ role: null, goal: 'Make checkout faster', conforms: false, issue: expect.stringContaining('not in the form') });
  });
});

describe('deriveRequirements', () => {
  it('numbers the stories, lists distinct actors and the flagged ones', () => {
    const r = deriveRequirements(['As a buyer, I want search, so that I find things', 'As a Buyer, I want filters', 'faster pages']);
    expect(r.functional.map((f) => f.id)).toEqual(['FR-1', 'FR-2', 'FR-3']);
    expect(r.actors).toEqual(['buyer']);
    expect(r.flagged.map((f) => f.id)).toEqual(['FR-2', 'FR-3']);
  });
});

describe('RICE', () => {
  it('computes reach × impact × confidence ÷ effort', () => {
    expect(riceScore({ reach: 2000, impact: 2, confidence: 0.5, effort: 4 })).toBe(500);
  });

  it('sets priority at the documented thresholds', () => {
    expect(priorityFromRice(1000)).toBe('critical');
    expect(priorityFromRice(999.99)).toBe('high');
    expect(priorityFromRice(250)).toBe('high');
    expect(priorityFromRice(249.99)).toBe('medium');
    expect(priorityFromRice(50)).toBe('medium');
    expect(priorityFromRice(49.99)).toBe('low');
  });

  it('refuses out-of-range factors', () => {
    expect(() => riceScore({ reach: 1, impact: 4, confidence: 1, effort: 1 })).toThrow(/impact/);
    expect(() => riceScore({ reach: 1, impact: 1, confidence: 1.2, effort: 1 })).toThrow(/confidence/);
    expect(() => riceScore({ reach: 1, impact: 1, confidence: 1, effort: 0 })).toThrow(/effort/);
  });
});

describe('prioritizeBacklog', () => {
  const items: BacklogItem[] = [
    { id: 'a', title: 'A', reach: 100, impact: 1, confidence: 1, effort: 5 }, // 20
    { id: 'b', title: 'B', reach: 300, impact: 1, confidence: 1, effort: 3 }, // 100
    { id: 'c', title: 'C', reach: 200, impact: 2, confidence: 0.5, effort: 4 }, // 50
    { id: 'd', title: 'D', reach: 50, impact: 1, confidence: 1, effort: 1 }, // 50, less effort than c
  ];

  it('ranks by RICE with ties broken by lower effort, then id', () => {
    const plan = prioritizeBacklog(items, { capacity: 100 }, 'rice');
    expect(plan.ranked.map((r) => [r.id, r.score, r.rank])).toEqual([
      ['b', 100, 1],
      ['d', 50, 2],
      ['c', 50, 3],
      ['a', 20, 4],
    ]);
    const tie = prioritizeBacklog(
      [
        { id: 'z', title: 'Z', reach: 10, impact: 1, confidence: 1, effort: 1 },
        { id: 'y', title: 'Y', reach: 10, impact: 1, confidence: 1, effort: 1 },
      ],
      { capacity: 1 },
      'rice',
    );
    expect(tie.ranked.map((r) => [r.id, r.selected])).toEqual([
      ['y', true],
      ['z', false],
    ]);
  });

  it('selects greedily in rank order, skipping what does not fit and taking smaller later items', () => {
    const plan = prioritizeBacklog(items, { capacity: 7 }, 'rice');
    // b (3) fits, d (1) fits, c (4) does not fit 3 left, a (5) does not fit; used 4.
    expect(plan.ranked.filter((r) => r.selected).map((r) => r.id)).toEqual(['b', 'd']);
    expect(plan.capacityUsed).toBe(4);
    const roomy = prioritizeBacklog(items, { capacity: 8 }, 'rice');
    expect(roomy.ranked.filter((r) => r.selected).map((r) => r.id)).toEqual(['b', 'd', 'c']);
    expect(roomy.capacityUsed).toBe(8);
    expect(plan.rationale).toContain('greedily');
  });

  it('takes must_include first even when it ranks last', () => {
    const plan = prioritizeBacklog(items, { capacity: 8, mustInclude: ['a'] }, 'rice');
    expect(plan.ranked.find((r) => r.id === 'a')).toMatchObject({ selected: true, rank: 4, reason: 'must include' });
    expect(plan.ranked.filter((r) => r.selected).map((r) => r.id)).toEqual(['b', 'a']);
    expect(plan.capacityUsed).toBe(8);
  });

  it('refuses must_include beyond capacity, unknown ids, duplicates and missing factors', () => {
    expect(() => prioritizeBacklog(items, { capacity: 7, mustInclude: ['a', 'c'] }, 'rice')).toThrow(/needs 9 effort but capacity is 7/);
    expect(() => prioritizeBacklog(items, { capacity: 7, mustInclude: ['x'] }, 'rice')).toThrow(/unknown item ids: x/);
    expect(() => prioritizeBacklog([...items, items[0] as BacklogItem], { capacity: 7 }, 'rice')).toThrow(/duplicate item ids: a/);
    expect(() => prioritizeBacklog([{ id: 'q', title: 'Q', effort: 1 }], { capacity: 7 }, 'rice')).toThrow(/missing on: q/);
    expect(() => prioritizeBacklog(items, { capacity: 7 }, 'wsjf')).toThrow(/needs value/);
  });

  it('scores WSJF as (value + time criticality + risk reduction) ÷ effort', () => {
    expect(wsjfScore({ value: 8, time_criticality: 5, risk_reduction: 3, effort: 4 })).toBe(4);
    const plan = prioritizeBacklog(
      [
        { id: 'x', title: 'X', value: 8, time_criticality: 5, risk_reduction: 3, effort: 4 },
        { id: 'y', title: 'Y', value: 10, effort: 2 },
      ],
      { capacity: 5 },
      'wsjf',
    );
    expect(plan.ranked.map((r) => [r.id, r.score, r.selected])).toEqual([
      ['y', 5, true],
      ['x', 4, false],
    ]);
  });
});

describe('extractAcceptanceCriteria', () => {
  it('keeps must/should/shall lines and joins Given/When/Then, dropping bullets and duplicates', () => {
    const criteria = extractAcceptanceCriteria([
      'Thoughts first.\n- Must load in under 2 s\n* should show a spinner\nMustard is not a criterion\n1. Given a logged-in user\nWhen they pay\nThen a receipt is emailed\nAnd the order is stored\nUnrelated line',
      'MUST load in under 2 s\n[ ] The system shall log every payment',
    ]);
    // "MUST load …" repeats the first criterion; "The system shall …" does not start with a keyword.
    expect(criteria).toEqual([
      'Must load in under 2 s',
      'should show a spinner',
      'Given a logged-in user When they pay Then a receipt is emailed And the order is stored',
    ]);
  });
});
