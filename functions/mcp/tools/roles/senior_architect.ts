import type { ToolDefinition } from '../../tool.js';

/** The senior_architect endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const SENIOR_ARCHITECT_TOOLS: readonly ToolDefinition[] = [];
