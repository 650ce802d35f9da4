import { describe, expect, it } from 'vitest';
import { classifySize, reviewChecklist, reviewerFor, reviewMinutes } from '../../functions/core/delivery/code-review.js';
import { estimatePert } from '../../functions/core/delivery/estimation.js';
import { scheduleTasks } from '../../functions/core/delivery/implementation-plan.js';

describe('scheduleTasks', () => {
  // A(4) → B(3), C(5) → D(2): the critical path is A, C, D (11 h); B has 2 h of slack.
  const diamond = [
    { title: 'D', estimate_hours: 2, depends_on: ['B', 'C'] },
    { title: 'B', estimate_hours: 3, depends_on: ['A'] },
    { title: 'C', estimate_hours: 5, depends_on: ['A'] },
    { title: 'A', estimate_hours: 4 },
  ];

  it('orders by dependencies, breaking ties by the order given', () => {
    const s = scheduleTasks(diamond);
    expect(s.order.map((t) => t.title)).toEqual(['A', 'B', 'C', 'D']);
    expect(s.order.map((t) => t.step)).toEqual([1, 2, 3, 4]);
    const swapped = scheduleTasks([diamond[0], diamond[2], diamond[1], diamond[3]] as typeof diamond);
    expect(swapped.order.map((t) => t.title)).toEqual(['A', 'C', 'B', 'D']);
  });

  it('computes earliest times, slack and the critical path', () => {
    const s = scheduleTasks(diamond);
    const by = Object.fromEntries(s.order.map((t) => [t.title, t]));
    expect(by.C).toMatchObject({ earliest_start: 4, earliest_finish: 9, slack: 0, critical: true });
    expect(by.B).toMatchObject({ earliest_start: 4, earliest_finish: 7, slack: 2, critical: false });
    expect(by.D).toMatchObject({ earliest_start: 9, earliest_finish: 11, critical: true });
    expect(s.critical_path).toEqual(['A', 'C', 'D']);
    expect(s.critical_path_hours).toBe(11);
    expect(s.total_hours).toBe(14);
    expect(s.parallelism).toBe(1.27);
  });

  it('treats independent tasks as parallel: the longest one is the critical path', () => {
    const s = scheduleTasks([
      { title: 'x', estimate_hours: 3 },
      { title: 'y', estimate_hours: 8 },
    ]);
    expect(s.critical_path).toEqual(['y']);
    expect(s.order.find((t) => t.title === 'x')?.slack).toBe(5);
  });

  it('names a cycle, a self-dependency, unknown dependencies and duplicate titles', () => {
    expect(() =>
      scheduleTasks([
        { title: 'a', estimate_hours: 1, depends_on: ['c'] },
        { title: 'b', estimate_hours: 1, depends_on: ['a'] },
        { title: 'c', estimate_hours: 1, depends_on: ['b'] },
        { title: 'd', estimate_hours: 1 },
      ]),
    ).toThrow('the dependencies form a cycle: b → c → a → b');
    expect(() => scheduleTasks([{ title: 'a', estimate_hours: 1, depends_on: ['a'] }])).toThrow(/cycle: a → a/);
    expect(() => scheduleTasks([{ title: 'a', estimate_hours: 1, depends_on: ['ghost'] }])).toThrow(/unknown task\(s\): "ghost"/);
    expect(() => scheduleTasks([{ title: 'a', estimate_hours: 1 }, { title: 'a', estimate_hours: 2 }])).toThrow(/duplicate task title "a"/);
  });
});

describe('estimatePert', () => {
  it('computes (O + 4M + P) / 6, σ = (P − O) / 6, √Σσ² and the 95 % range', () => {
    const e = estimatePert([
      { title: 'api', optimistic: 2, likely: 4, pessimistic: 12 },
      { title: 'ui', optimistic: 1, likely: 2, pessimistic: 3 },
    ]);
    expect(e.tasks).toEqual([
      { title: 'api', expected: 5, std_dev: 1.67 },
      { title: 'ui', expected: 2, std_dev: 0.33 },
    ]);
    expect(e.total_expected).toBe(7);
    expect(e.total_std_dev).toBe(1.7);
    // 7 ± 1.96 × √(100/36 + 4/36) = 7 ± 3.33
    expect(e.range_95).toEqual({ low: 3.67, high: 10.33 });
  });

  it('floors the low end at zero and refuses estimates out of order', () => {
    expect(estimatePert([{ title: 't', optimistic: 0, likely: 1, pessimistic: 30 }]).range_95.low).toBe(0);
    expect(() => estimatePert([{ title: 't', optimistic: 5, likely: 3, pessimistic: 8 }])).toThrow(/optimistic ≤ likely ≤ pessimistic/);
    expect(() => estimatePert([{ title: 't', optimistic: 1, likely: 1, pessimistic: 1 }, { title: 't', optimistic: 1, likely: 1, pessimistic: 1 }])).toThrow(/duplicate/);
  });
});

describe('code review classification', () => {
  it('sizes by lines at the Kubernetes label boundaries, one class up beyond 20 files', () => {
    expect([0, 9, 10, 29, 30, 99, 100, 499, 500, 999, 1000].map((n) => classifySize(n, 1))).toEqual(['XS', 'XS', 'S', 'S', 'M', 'M', 'L', 'L', 'XL', 'XL', 'XXL']);
    expect(classifySize(50, 20)).toBe('M');
    expect(classifySize(50, 21)).toBe('L');
    expect(classifySize(5000, 50)).toBe('XXL');
  });

  it('estimates review time at 400 lines an hour plus 2 minutes a file, at least 10', () => {
    expect(reviewMinutes(10, 1)).toBe(10);
    expect(reviewMinutes(400, 5)).toBe(70);
    expect(reviewMinutes(1000, 10)).toBe(170);
  });

  it('routes high risk to the test lead and grows the checklist with risk and size', () => {
    expect(reviewerFor('high')).toBe('test_lead');
    expect(reviewerFor('medium')).toBe('senior_architect');
    const low = reviewChecklist('t', 'low', 'S');
    const high = reviewChecklist('t', 'high', 'XL');
    expect(low).toHaveLength(5);
    expect(high).toEqual(expect.arrayContaining(['A rollback plan is written and has been tried', 'Review in passes of at most 400 lines', 'Split into smaller changes before merging if at all possible']));
    expect(reviewChecklist('t', 'medium', 'L').some((c) => c.startsWith('Split'))).toBe(false);
  });
});
