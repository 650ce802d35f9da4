import type { ToolDefinition } from '../../tool.js';
import { createTechnicalSpecTool } from './senior_architect/create-technical-spec.js';
import { designSystemTool } from './senior_architect/design-system.js';
import { evaluateTechnologyTool } from './senior_architect/evaluate-technology.js';

/** The senior_architect endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const SENIOR_ARCHITECT_TOOLS: readonly ToolDefinition[] = [designSystemTool, evaluateTechnologyTool, createTechnicalSpecTool] as readonly ToolDefinition[];
