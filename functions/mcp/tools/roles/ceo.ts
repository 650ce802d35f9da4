import type { ToolDefinition } from '../../tool.js';

/** The ceo endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const CEO_TOOLS: readonly ToolDefinition[] = [];
