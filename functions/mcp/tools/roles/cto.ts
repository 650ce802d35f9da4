import type { ToolDefinition } from '../../tool.js';
import { approveDeploymentTool } from './cto/approve-deployment.js';
import { assessTechnicalDebtTool } from './cto/assess-technical-debt.js';
import { reviewArchitectureTool } from './cto/review-architecture.js';
import { selectTechnologyTool } from './cto/select-technology.js';

/** The cto endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const CTO_TOOLS: readonly ToolDefinition[] = [
  reviewArchitectureTool,
  selectTechnologyTool,
  assessTechnicalDebtTool,
  approveDeploymentTool,
] as readonly ToolDefinition[];
