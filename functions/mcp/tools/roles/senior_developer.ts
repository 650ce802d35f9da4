import type { ToolDefinition } from '../../tool.js';
import { createImplementationPlanTool } from './senior_developer/create-implementation-plan.js';
import { estimateEffortTool } from './senior_developer/estimate-effort.js';
import { requestCodeReviewTool } from './senior_developer/request-code-review.js';

/** The senior_developer endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const SENIOR_DEVELOPER_TOOLS: readonly ToolDefinition[] = [createImplementationPlanTool, estimateEffortTool, requestCodeReviewTool] as readonly ToolDefinition[];
