import type { ToolDefinition } from '../../tool.js';

/** The test_lead endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const TEST_LEAD_TOOLS: readonly ToolDefinition[] = [];
