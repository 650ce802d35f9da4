import { createHash } from 'node:crypto';

/**
 * The console's only static assets: one stylesheet and one small script,
 * kept in this module so they are bundled with the function (no files to
 * ship, no third-party origin). Their URLs carry a content hash, so they are
 * served as immutable and a new deployment never meets a stale copy.
 *
 * Contrast: body text #14171c on #fff (17.9:1), muted #414852 (9.6:1), links
 * and the primary button #0b4a8f (8.9:1 against white), focus ring #b34700
 * 3 px. Layout works from 320 px wide.
 */
const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#14171c;background:#f3f4f6}
a{color:#0b4a8f}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #b34700;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:2}
.skip:focus{left:.5rem}
header.top{background:#14171c;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header.top a{color:#fff}
header.top .brand{font-weight:700;text-decoration:none;font-size:1.1rem}
header.top nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0}
header.top nav a[aria-current=page]{text-decoration-thickness:3px;font-weight:700}
header.top form{margin-left:auto}
header.top button{background:transparent;color:#fff;border:2px solid #fff}
main{max-width:72rem;margin:1rem auto;padding:1rem 1.25rem;background:#fff;border:1px solid #c9ccd1;border-radius:8px}
h1{font-size:1.6rem;margin:.25rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:1rem 0 .25rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border-bottom:1px solid #d5d8dc;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#eef0f3}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.muted,.hint{color:#414852}
ul.plain{list-style:none;padding:0;margin:0}
.card{border:1px solid #c9ccd1;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}
.card h3{margin-top:0}
.badge{display:inline-block;padding:0 .45rem;border-radius:999px;border:1px solid currentColor;font-size:.85rem;font-weight:600}
.s-approved,.s-succeeded,.s-healthy,.s-running,.s-idle,.s-ok,.yes{color:#0a5c2b}
.s-rejected,.s-failed,.s-timed_out,.s-critical,.s-error,.s-stale,.no{color:#a3000e}
.s-escalated,.s-pending,.s-degraded,.s-expired,.s-open{color:#7a4100}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.5rem 0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.pre{white-space:pre-wrap}
time{white-space:nowrap}
td code{word-break:break-all;font-size:.85rem}
th[scope=row]{word-break:break-word}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input,select,textarea{font:inherit;padding:.45rem;border:2px solid #5b626c;border-radius:4px;max-width:100%}
textarea{width:100%;min-height:6rem}
input[type=password]{width:100%}
form.filters{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end}
form.filters label{margin:.25rem 0}
button{font:inherit;font-weight:600;padding:.5rem 1.1rem;border-radius:4px;border:2px solid #0b4a8f;background:#fff;color:#0b4a8f;cursor:pointer}
button.primary{background:#0b4a8f;color:#fff}
button.danger{border-color:#a3000e;color:#a3000e}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:.75rem}
.notice{border-left:5px solid #0a5c2b;background:#e8f5ec;padding:.5rem .75rem;margin:.75rem 0}
.error{border-left:5px solid #a3000e;background:#fdecee;color:#5c0009;padding:.5rem .75rem;margin:.75rem 0}
.score{font-size:2.5rem;font-weight:700;line-height:1}
ol.timeline{list-style:none;padding:0;margin:.5rem 0;border-left:3px solid #c9ccd1}
ol.timeline li{padding:.2rem 0 .2rem 1rem;position:relative}
ol.timeline li::before{content:"";position:absolute;left:-.5rem;top:.65rem;width:.7rem;height:.7rem;border-radius:50%;background:#5b626c}
.indent-1{padding-left:1.5rem}.indent-2{padding-left:3rem}.indent-3{padding-left:4.5rem}
.live-status{font-size:.9rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

/**
 * Progressive enhancement only: every page works without it. It refreshes
 * the page's live region every few seconds from the same URL (the server
 * answers `X-Console-Live: 1` with that region alone), pauses while the
 * region holds the focus or the tab is hidden, and says when it last updated.
 */
const JS = `(function(){
var region=document.querySelector('[data-live]');if(!region)return;
var status=document.querySelector('[data-live-status]');var last=region.innerHTML;var busy=false;
function stamp(t){if(status)status.textContent=t;}
function tick(){
if(busy||document.hidden)return;
var a=document.activeElement;if(a&&a!==document.body&&region.contains(a))return;
busy=true;
fetch(location.href,{headers:{'X-Console-Live':'1'},credentials:'same-origin',cache:'no-store'}).then(function(r){
if(r.status===401){location.reload();return null;}
return r.ok?r.text():null;}).then(function(t){
if(t!==null&&t!==undefined){if(t!==last){region.innerHTML=t;last=t;}stamp('Updated '+new Date().toLocaleTimeString());}
}).catch(function(){stamp('Live updates paused: the server did not answer');}).then(function(){busy=false;});}
setInterval(tick,Number(region.getAttribute('data-live'))||5000);
})();`;

function hashed(name: string, ext: string, body: string): { path: string; body: string } {
  return { path: `/console/assets/${name}.${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`, body };
}

/** The tab icon: the board's seat as a square (saves every page a 404 for /favicon.ico). */
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b4a8f"/><path d="M4 11h8M5 11V6h6v5" stroke="#fff" stroke-width="1.5" fill="none"/></svg>`;

export const ASSETS = {
  icon: { ...hashed('icon', 'svg', ICON), type: 'image/svg+xml' },
  css: { ...hashed('console', 'css', CSS), type: 'text/css; charset=utf-8' },
  js: { ...hashed('console', 'js', JS), type: 'text/javascript; charset=utf-8' },
} as const;

/** The asset a path names, if any. */
export function assetAt(path: string): { body: string; type: string } | undefined {
  return Object.values(ASSETS).find((a) => a.path === path);
}
