import type { ToolDefinition } from '../../tool.js';

/** The uiux_engineer endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const UIUX_ENGINEER_TOOLS: readonly ToolDefinition[] = [];
