import type { ToolDefinition } from '../../tool.js';
import { approveChangeWindowTool } from './operations_head/approve-change-window.js';
import { declareIncidentTool } from './operations_head/declare-incident.js';
import { listIncidentsTool } from './operations_head/list-incidents.js';
import { resolveIncidentTool } from './operations_head/resolve-incident.js';

/** The operations_head endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const OPERATIONS_HEAD_TOOLS: readonly ToolDefinition[] = [
  declareIncidentTool,
  resolveIncidentTool,
  approveChangeWindowTool,
  listIncidentsTool,
] as readonly ToolDefinition[];
