import { ValidationError } from '../errors.js';

/**
 * Product scoring: user-story parsing, RICE and WSJF, and backlog selection
 * under a capacity. Pure functions, no I/O; every formula is documented here
 * and in the tool descriptions that use it.
 */

/** Rounds for presentation; ranking always uses the unrounded values. */
export const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The RICE factors of one item (Intercom's RICE). */
export interface RiceFactors {
  /** People (or events) reached per quarter, ≥ 0. */
  readonly reach: number;
  /** Per person: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal (any value in [0, 3]). */
  readonly impact: number;
  /** How sure the estimates are, in [0, 1] (0.8 = 80 %). */
  readonly confidence: number;
  /** Person-months of work, > 0. */
  readonly effort: number;
}

/** RICE = reach × impact × confidence ÷ effort. */
export function riceScore(f: RiceFactors): number {
  if (!(f.reach >= 0)) throw new ValidationError('reach must be ≥ 0');
  if (!(f.impact >= 0 && f.impact <= 3)) throw new ValidationError('impact must be in [0, 3] (0.25 minimal … 3 massive)');
  if (!(f.confidence >= 0 && f.confidence <= 1)) throw new ValidationError('confidence must be in [0, 1]');
  if (!(f.effort > 0)) throw new ValidationError('effort must be > 0');
  return (f.reach * f.impact * f.confidence) / f.effort;
}

export type Priority = 'low' | 'medium' | 'high' | 'critical';

/** RICE score thresholds for a feature's priority: critical ≥ 1000, high ≥ 250, medium ≥ 50, low below. */
export const RICE_PRIORITY_THRESHOLDS = { critical: 1000, high: 250, medium: 50 } as const;

/** A feature's priority from its RICE score (see RICE_PRIORITY_THRESHOLDS). */
export function priorityFromRice(score: number): Priority {
  if (score >= RICE_PRIORITY_THRESHOLDS.critical) return 'critical';
  if (score >= RICE_PRIORITY_THRESHOLDS.high) return 'high';
  if (score >= RICE_PRIORITY_THRESHOLDS.medium) return 'medium';
  return 'low';
}

/** One user story parsed into a functional requirement. */
export interface StoryRequirement {
  /** `FR-<n>`, numbered in the order the stories were given. */
  readonly id: string;
  readonly story: string;
  readonly role: string | null;
  readonly goal: string;
  readonly benefit: string | null;
  /** True when the story reads "As a <role>, I want <goal>, so that <benefit>". */
  readonly conforms: boolean;
  /** Why the story does not conform, or null. */
  readonly issue: string | null;
}

const STORY =
  /^as\s+(?:an?|the)\s+(.+?),?\s+i\s+(?:want|need|would\s+like|can)\s+(?:to\s+)?(.+?)(?:,?\s+(?:so\s+that|in\s+order\s+to)\s+(.+?))?\s*[.!]?$/i;

/**
 * Parses "As a <role>, I want <goal>, so that <benefit>" (also "As an …",
 * "I need …", "… in order to …"). A story without the benefit clause is kept
 * but flagged; a story in another form becomes a requirement whose goal is
 * the whole text, flagged as not following the template.
 */
export function parseUserStory(story: string, index: number): StoryRequirement {
  const text = story.trim().replace(/\s+/g, ' ');
  const id = `FR-${index + 1}`;
  const match = STORY.exec(text);
  if (!match) {
    return { id, story: text, role: null, goal: text, benefit: null, conforms: false, issue: 'not in the form "As a <role>, I want <goal>, so that <benefit>"' };
  }
  const [, role, goal, benefit] = match as unknown as [string, string, string, string | undefined];
  if (!benefit) return { id, story: text, role: role.trim(), goal: goal.trim(), benefit: null, conforms: false, issue: 'no benefit clause ("so that …")' };
  return { id, story: text, role: role.trim(), goal: goal.trim(), benefit: benefit.trim(), conforms: true, issue: null };
}

/** The requirements derived from a feature's user stories. */
export interface FeatureRequirements {
  readonly functional: StoryRequirement[];
  /** The distinct roles named by conforming or partly conforming stories, in order of appearance. */
  readonly actors: string[];
  /** The stories that do not follow the template, with the reason. */
  readonly flagged: { id: string; issue: string }[];
}

export function deriveRequirements(stories: readonly string[]): FeatureRequirements {
  const functional = stories.map(parseUserStory);
  const actors: string[] = [];
  for (const r of functional) if (r.role && !actors.some((a) => a.toLowerCase() === r.role?.toLowerCase())) actors.push(r.role);
  return { functional, actors, flagged: functional.filter((r) => r.issue).map((r) => ({ id: r.id, issue: r.issue as string })) };
}

export type BacklogMethod = 'rice' | 'wsjf';

/** A backlog item; RICE needs reach, impact and confidence, WSJF needs value. Effort is the job size in capacity units. */
export interface BacklogItem {
  readonly id: string;
  readonly title: string;
  readonly effort: number;
  readonly reach?: number;
  readonly impact?: number;
  readonly confidence?: number;
  /** WSJF user-business value (relative, e.g. 1–20). */
  readonly value?: number;
  /** WSJF time criticality (default 0). */
  readonly time_criticality?: number;
  /** WSJF risk reduction / opportunity enablement (default 0). */
  readonly risk_reduction?: number;
}

export interface RankedItem {
  readonly id: string;
  readonly title: string;
  readonly score: number;
  readonly effort: number;
  readonly rank: number;
  readonly selected: boolean;
  readonly reason: string;
}

export interface BacklogPlan {
  readonly ranked: RankedItem[];
  readonly capacity: number;
  readonly capacityUsed: number;
  readonly rationale: string;
}

/**
 * WSJF = cost of delay ÷ job size, where cost of delay = value +
 * time_criticality + risk_reduction and job size = effort (SAFe).
 */
export function wsjfScore(item: Pick<BacklogItem, 'effort' | 'value' | 'time_criticality' | 'risk_reduction'>): number {
  if (!(item.effort > 0)) throw new ValidationError('effort must be > 0');
  return ((item.value ?? 0) + (item.time_criticality ?? 0) + (item.risk_reduction ?? 0)) / item.effort;
}

const EPSILON = 1e-9;

/**
 * Ranks a backlog and selects what fits a capacity.
 *
 * Score: RICE (reach × impact × confidence ÷ effort) or WSJF ((value +
 * time_criticality + risk_reduction) ÷ effort). Rank: score descending; ties
 * broken by lower effort, then id in code-point order, so the ranking is
 * deterministic. Selection (greedy, not an optimal knapsack): every
 * `mustInclude` item first, then the remaining items in rank order, each
 * taken if its effort fits the capacity left (a large item that does not fit
 * is skipped and smaller later ones may still fit).
 *
 * Refused (nothing selected): duplicate ids, an item lacking its method's
 * factors, must_include ids not in the items, must_include exceeding the capacity.
 */
export function prioritizeBacklog(
  items: readonly BacklogItem[],
  constraints: { capacity: number; mustInclude?: readonly string[] },
  method: BacklogMethod,
): BacklogPlan {
  if (!(constraints.capacity >= 0)) throw new ValidationError('constraints.capacity must be ≥ 0');
  const ids = new Set<string>();
  const duplicates = new Set<string>();
  for (const item of items) (ids.has(item.id) ? duplicates : ids).add(item.id);
  if (duplicates.size) throw new ValidationError(`duplicate item ids: ${[...duplicates].join(', ')}`);
  const lacking =
    method === 'rice'
      ? items.filter((i) => i.reach === undefined || i.impact === undefined || i.confidence === undefined)
      : items.filter((i) => i.value === undefined);
  if (lacking.length) {
    const need = method === 'rice' ? 'reach, impact and confidence' : 'value';
    throw new ValidationError(`method ${method} needs ${need} on every item; missing on: ${lacking.map((i) => i.id).join(', ')}`);
  }
  const mustInclude = [...new Set(constraints.mustInclude ?? [])];
  const unknown = mustInclude.filter((id) => !ids.has(id));
  if (unknown.length) throw new ValidationError(`constraints.must_include names unknown item ids: ${unknown.join(', ')}`);
  const byId = new Map(items.map((i) => [i.id, i]));
  const mustEffort = mustInclude.reduce((sum, id) => sum + (byId.get(id) as BacklogItem).effort, 0);
  if (mustEffort > constraints.capacity + EPSILON) {
    throw new ValidationError(`must_include needs ${round2(mustEffort)} effort but capacity is ${constraints.capacity}; raise the capacity or drop an item`);
  }

  const scored = items.map((item) => ({
    item,
    score: method === 'rice' ? riceScore(item as BacklogItem & RiceFactors) : wsjfScore(item),
  }));
  scored.sort((a, b) => b.score - a.score || a.item.effort - b.item.effort || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));

  const must = new Set(mustInclude);
  let used = mustEffort;
  const decided = new Map<string, { selected: boolean; reason: string }>();
  for (const id of mustInclude) decided.set(id, { selected: true, reason: 'must include' });
  for (const { item } of scored) {
    if (must.has(item.id)) continue;
    const left = constraints.capacity - used;
    if (item.effort <= left + EPSILON) {
      used += item.effort;
      decided.set(item.id, { selected: true, reason: `fits: effort ${item.effort} of ${round2(left)} left` });
    } else {
      decided.set(item.id, { selected: false, reason: `does not fit: effort ${item.effort} exceeds ${round2(left)} left` });
    }
  }
  const ranked = scored.map(({ item, score }, index) => ({
    id: item.id,
    title: item.title,
    score: round2(score),
    effort: item.effort,
    rank: index + 1,
    ...(decided.get(item.id) as { selected: boolean; reason: string }),
  }));
  const selected = ranked.filter((r) => r.selected);
  const formula = method === 'rice' ? 'RICE = reach × impact × confidence ÷ effort' : 'WSJF = (value + time_criticality + risk_reduction) ÷ effort';
  const rationale =
    `Scored with ${formula}; ranked by score (ties: lower effort, then id). ` +
    (mustInclude.length ? `Selected must_include first (${mustInclude.join(', ')}), then ` : 'Selected ') +
    `greedily in rank order while the effort fits: ${selected.length} of ${items.length} items, ` +
    `${round2(used)} of ${constraints.capacity} capacity used.` +
    (ranked.some((r) => !r.selected && selected.some((s) => s.rank > r.rank))
      ? ' Some higher-ranked items were skipped because they did not fit the remaining capacity.'
      : '');
  return { ranked, capacity: constraints.capacity, capacityUsed: round2(used), rationale };
}

/**
 * The lines of an answer that read like acceptance criteria: a line
 * (after any bullet or number) starting with "must", "should", "shall" or
 * "given"; a "Given …" line followed by "When …", "Then …" or "And …"
 * lines is joined into one criterion. Duplicates (case-insensitive) are dropped.
 */
export function extractAcceptanceCriteria(texts: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (line: string) => {
    const key = line.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(line);
    }
  };
  for (const text of texts) {
    const lines = text
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/^(?:[-*•]|\d+[.)]|\[[ x]\])\s*/i, '').trim())
      .filter((l) => l.length > 0);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (/^given\b/i.test(line)) {
        const parts = [line];
        while (i + 1 < lines.length && /^(?:when|then|and|but)\b/i.test(lines[i + 1] as string)) parts.push(lines[++i] as string);
        push(parts.join(' '));
      } else if (/^(?:must|should|shall)\b/i.test(line)) {
        push(line);
      }
    }
  }
  return out;
}
