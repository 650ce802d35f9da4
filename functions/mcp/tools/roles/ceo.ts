import type { ToolDefinition } from '../../tool.js';
import { allocateBudgetTool } from './ceo/allocate-budget.js';
import { approveStrategicInitiativeTool } from './ceo/approve-strategic-initiative.js';
import { escalateToBoardTool } from './ceo/escalate-to-board.js';
import { listBudgetsTool } from './ceo/list-budgets.js';
import { reviewOrganizationalHealthTool } from './ceo/review-organizational-health.js';
import { setBudgetTool } from './ceo/set-budget.js';

/** The ceo endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const CEO_TOOLS: readonly ToolDefinition[] = [
  approveStrategicInitiativeTool,
  setBudgetTool,
  allocateBudgetTool,
  listBudgetsTool,
  escalateToBoardTool,
  reviewOrganizationalHealthTool,
] as readonly ToolDefinition[];
