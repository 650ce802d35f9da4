import type { MachineId } from '../../contracts/workflows.js';
import type { ResultSchema } from './result-schema.js';

/**
 * What each workflow stage declares beyond its ASL Task state: the result
 * `complete_task` must carry (shown by `my_tasks`, validated on completion;
 * a negative outcome — reject, failed — needs only its reason), the
 * capability that routes its task (to the roles whose agents declared it,
 * falling back to the stage's role), and the governed act it stands for
 * (run by governed-stages.ts with the act's own use case).
 */
export interface StageRule {
  readonly resultSchema?: ResultSchema;
  readonly capability?: string;
  readonly governs?: 'quality_gate' | 'deployment_approval' | 'budget_allocation';
}

const text = { type: 'string', minLength: 1 } as const;

export const STAGE_RULES: Readonly<Partial<Record<`${MachineId}.${string}`, StageRule>>> = {
  'feature_development.define': {
    resultSchema: {
      type: 'object',
      required: ['release_id'],
      properties: { release_id: { ...text, description: 'The release this feature ships in (the gate and the deployment approval check it).' }, feature_id: text, summary: { type: 'string' } },
    },
    capability: 'product_definition',
  },
  'feature_development.design': {
    resultSchema: { type: 'object', properties: { design_id: { ...text, description: 'The stored design (design_system), reviewed by the next stage.' }, summary: { type: 'string' } } },
    capability: 'system_design',
  },
  'feature_development.architecture_review': {
    resultSchema: { type: 'object', properties: { rationale: { type: 'string' } } },
  },
  'feature_development.implement': { resultSchema: { type: 'object', properties: { summary: { type: 'string' } } }, capability: 'implementation' },
  'feature_development.quality_gate': {
    resultSchema: {
      type: 'object',
      required: ['tests_total', 'tests_passed', 'coverage_pct'],
      properties: {
        tests_total: { type: 'integer', minimum: 1 },
        tests_passed: { type: 'integer', minimum: 0 },
        coverage_pct: { type: 'number', minimum: 0 },
        performance_p95_ms: { type: 'number', minimum: 0 },
        performance_budget_ms: { type: 'number', minimum: 0 },
      },
      description: 'The test results of the run’s release; open defects are counted from report_defect records.',
    },
    capability: 'quality_assurance',
    governs: 'quality_gate',
  },
  'feature_development.deploy_approval': {
    resultSchema: { type: 'object', properties: { environments: { type: 'array', minItems: 1, description: 'Where to deploy, in any order (default ["staging", "production"]).' }, rationale: { type: 'string' } } },
    governs: 'deployment_approval',
  },
  'strategic_planning.budget_allocation': {
    resultSchema: { type: 'object', properties: { rationale: { type: 'string' } }, description: 'Allocate each department’s budget for the planned period first (allocate_budget).' },
    governs: 'budget_allocation',
  },
};

export function stageRule(workflow: MachineId, stage: string): StageRule | undefined {
  return STAGE_RULES[`${workflow}.${stage}`];
}
