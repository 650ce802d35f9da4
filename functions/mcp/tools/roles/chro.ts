import type { ToolDefinition } from '../../tool.js';

/** The chro endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const CHRO_TOOLS: readonly ToolDefinition[] = [];
