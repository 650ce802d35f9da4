import type { ToolDefinition } from '../../tool.js';

/** The product_manager endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const PRODUCT_MANAGER_TOOLS: readonly ToolDefinition[] = [];
