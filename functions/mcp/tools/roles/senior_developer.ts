import type { ToolDefinition } from '../../tool.js';

/** The senior_developer endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const SENIOR_DEVELOPER_TOOLS: readonly ToolDefinition[] = [];
