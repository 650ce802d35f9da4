import type { ToolDefinition } from '../../tool.js';
import { createDesignSpecTool } from './uiux_engineer/create-design-spec.js';
import { reviewAccessibilityTool } from './uiux_engineer/review-accessibility.js';
import { runUsabilityReviewTool } from './uiux_engineer/run-usability-review.js';

/** The uiux_engineer endpoint's own tools (SPEC "Role tools"), one file per tool beside this list. */
export const UIUX_ENGINEER_TOOLS: readonly ToolDefinition[] = [createDesignSpecTool, reviewAccessibilityTool, runUsabilityReviewTool] as readonly ToolDefinition[];
