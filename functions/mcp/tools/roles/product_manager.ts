import type { ToolDefinition } from '../../tool.js';
import { defineFeatureTool } from './product_manager/define-feature.js';
import { gatherRequirementsTool } from './product_manager/gather-requirements.js';
import { prioritizeBacklogTool } from './product_manager/prioritize-backlog.js';

/** The product_manager endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const PRODUCT_MANAGER_TOOLS: readonly ToolDefinition[] = [defineFeatureTool, prioritizeBacklogTool, gatherRequirementsTool] as readonly ToolDefinition[];
