import { AGENT_ROLES, ENDPOINTS } from '../contracts/roles.js';
import { WORKFLOWS } from '../contracts/workflows.js';
import { completeDecisionIds, completeFrom, completeMemoryKeys, completeRunIds } from '../core/completions/complete.js';
import type { CompletionKind } from './resource.js';
import type { ToolContext } from './tool.js';

/**
 * The completer of each completion kind, for the caller's tenant: ids come
 * from one indexed query of the tenant's own partition (core/completions),
 * names from the fixed vocabularies.
 */
export function completer(kind: CompletionKind, { deps, actor }: ToolContext): (value: string) => Promise<string[]> {
  switch (kind) {
    case 'decision_id':
      return (value) => completeDecisionIds(deps, actor.tenantId, value);
    case 'run_id':
      return (value) => completeRunIds(deps, actor.tenantId, value);
    case 'memory_key':
      return (value) => completeMemoryKeys(deps, actor.tenantId, value);
    case 'role':
      return async (value) => completeFrom(AGENT_ROLES, value);
    case 'endpoint':
      return async (value) => completeFrom(ENDPOINTS, value);
    case 'workflow':
      return async (value) => completeFrom(WORKFLOWS, value);
  }
}
