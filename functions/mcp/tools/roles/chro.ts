import type { ToolDefinition } from '../../tool.js';
import { approveHireTool } from './chro/approve-hire.js';
import { assessTeamHealthTool } from './chro/assess-team-health.js';
import { listHiresTool } from './chro/list-hires.js';
import { planHeadcountTool } from './chro/plan-headcount.js';

/** The chro endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const CHRO_TOOLS: readonly ToolDefinition[] = [approveHireTool, listHiresTool, assessTeamHealthTool, planHeadcountTool] as readonly ToolDefinition[];
