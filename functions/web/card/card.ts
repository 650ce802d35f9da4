import type { McpUiResourceMeta } from '@modelcontextprotocol/ext-apps';
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { ENDPOINTS } from '../../contracts/roles.js';
import { defineResource, type ResourceDefinition } from '../../mcp/resource.js';

/**
 * The board's approval card as an MCP App (the MCP Apps extension,
 * `@modelcontextprotocol/ext-apps`): one HTML resource that hosts supporting
 * the extension render for the tools that name it (`board_queue`,
 * `get_decision`). Clients without MCP Apps ignore the metadata and keep the
 * tools' text and structured results.
 */
export const CARD_URI = 'ui://conclave/approval-card.html';

/** Listing and content metadata: a bordered card that needs no network origin at all (the host's default CSP stays closed). */
export const CARD_UI_META: McpUiResourceMeta = { prefersBorder: true, csp: { connectDomains: [], resourceDomains: [] } };

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#14171c;background:#fff}
main{padding:.75rem}h1{font-size:1.15rem;margin:0 0 .5rem}h2{font-size:1rem;margin:0 0 .25rem}
.card{border:1px solid #c9ccd1;border-radius:6px;padding:.6rem .8rem;margin:.5rem 0}.context{white-space:pre-wrap}
table{border-collapse:collapse;width:100%;margin:.4rem 0}caption{text-align:left;font-weight:600}th,td{border-bottom:1px solid #d5d8dc;padding:.2rem .4rem;text-align:left}
label{display:block;font-weight:600;margin-top:.5rem}textarea{width:100%;min-height:4rem;font:inherit;border:2px solid #5b626c;border-radius:4px;padding:.35rem}
.actions{display:flex;gap:.5rem;margin-top:.5rem}button{font:inherit;font-weight:600;padding:.4rem 1rem;border-radius:4px;border:2px solid #0b4a8f;background:#fff;color:#0b4a8f;cursor:pointer}
button.primary{background:#0b4a8f;color:#fff}button[disabled]{opacity:.6;cursor:default}:focus-visible{outline:3px solid #b34700;outline-offset:2px}
`;

/** The card's single HTML document: markup, style and the bundled script inline (no other origin, no file beside it). */
export async function approvalCardHtml(): Promise<string> {
  // Loaded when the card is read, not at every cold start of the MCP function.
  const { CARD_SCRIPT } = await import('./card-bundle.js');
  const script = CARD_SCRIPT.replace(/<\/script/gi, '<\\/script');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Conclave: approval card</title><style>${STYLE}</style></head><body><main id="root"><p>Loading the board's queue…</p></main><script>${script}</script></body></html>`;
}

/** The card in the resource registry (functions/mcp/resources/index.ts): static, the same for every tenant, listed on every endpoint. */
export const approvalCardResource: ResourceDefinition = defineResource({
  name: 'approval-card',
  uri: CARD_URI,
  title: 'Approval card',
  description: "The board's queue and single decisions as an interactive approval card (MCP Apps).",
  mimeType: RESOURCE_MIME_TYPE,
  availableTo: ENDPOINTS,
  meta: { ui: CARD_UI_META },
  read: () => approvalCardHtml(),
});
