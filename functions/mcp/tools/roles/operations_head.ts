import type { ToolDefinition } from '../../tool.js';

/** The operations_head endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const OPERATIONS_HEAD_TOOLS: readonly ToolDefinition[] = [];
