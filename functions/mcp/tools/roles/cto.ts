import type { ToolDefinition } from '../../tool.js';

/** The cto endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const CTO_TOOLS: readonly ToolDefinition[] = [];
