/**
 * HTML helpers of the auditors' workspace. Every value from data (identifiers, payloads, rule texts,
 * query strings) goes through `esc`: a rejected payload is hostile input by definition.
 */
import { html, raw, type Html } from '../../web/html';

export { esc, html, raw, type Html } from '../../web/html';

export interface PageContext {
  user: { nameId: string; displayName?: string };
  csrfToken: string;
  current: 'reports' | 'stats' | 'events' | 'access';
}

const NAV: { key: PageContext['current']; href: string; title: string }[] = [
  { key: 'reports', href: '/audit/', title: 'Rejected reports' },
  { key: 'stats', href: '/audit/stats', title: 'Statistics' },
  { key: 'events', href: '/audit/events', title: 'Audit log' },
  { key: 'access', href: '/audit/access-request', title: 'Access request' },
];

export function page(title: string, ctx: PageContext, body: Html): string {
  return `<!DOCTYPE html>${html`<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · NGC audit</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/audit/assets/audit.css"></head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">NGC reporting gateway · audit</span>
<nav aria-label="Workspace"><ul>${NAV.map((n) => html`<li><a href="${n.href}"${n.key === ctx.current ? raw(' aria-current="page"') : ''}>${n.title}</a></li>`)}</ul></nav>
<form class="logout" method="post" action="/auth/saml/logout"><input type="hidden" name="_csrf" value="${ctx.csrfToken}">
<span id="user" title="SAML NameID">${ctx.user.displayName ?? ctx.user.nameId}</span> <button type="submit">Log out</button></form>
</header>
<main id="main" tabindex="-1">${body}</main>
</body></html>`.html}`;
}

/** RFC 4180 CSV; cells that a spreadsheet would run as formulas get a leading quote. */
export function csv(header: string[], rows: unknown[][]): string {
  const cell = (v: unknown) => {
    let s = v === undefined || v === null ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export const STYLE = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--accent:#0b5cad;--bad:#b42318;--hl:#fff3bf;--bg:#fff}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:#f6f8fa}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
header.top{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;background:#0d2a4a;color:#fff;padding:.5rem 1rem}
header.top a{color:#fff}.brand{font-weight:600}header nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}
header nav a[aria-current=page]{text-decoration:underline 3px;text-underline-offset:5px}
.logout{margin-left:auto}main{padding:1rem 1.5rem;max-width:1400px}
h1{font-size:1.5rem;margin:.3rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f59f00;outline-offset:2px}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:flex-end;background:#fff;border:1px solid var(--line);padding:.8rem;border-radius:6px}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
input,select,button{font:inherit;padding:.3rem .45rem;border:1px solid #8c959f;border-radius:4px;background:#fff}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
table{border-collapse:collapse;background:#fff;width:100%;margin:.6rem 0}th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.pager{display:flex;gap:1rem;align-items:center}.muted{color:var(--muted)}.tag{display:inline-block;padding:0 .35rem;border-radius:3px;background:#eef2f6;margin:0 .2rem .2rem 0;font-size:.85rem}
.status-rejected{color:var(--bad);font-weight:600}dl.receipt{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;padding:.8rem;border:1px solid var(--line)}
dl.receipt dt{font-weight:600}ol.issues li{background:#fff;border:1px solid var(--line);border-left:4px solid var(--bad);padding:.5rem .7rem;margin:.4rem 0;list-style-position:inside}
ol.issues li.warning{border-left-color:#bf8700}ol.issues li.information{border-left-color:#57606a}
pre.payload{background:#fff;border:1px solid var(--line);padding:.5rem 0;overflow:auto;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;counter-reset:ln}
pre.payload .ln{display:block;padding:0 .6rem 0 0}pre.payload .ln::before{counter-increment:ln;content:counter(ln);display:inline-block;width:3.5em;text-align:right;margin-right:1em;color:#8c959f}
pre.payload .flagged{background:var(--hl)}pre.payload .ln:target,pre.payload .flagged.target{outline:2px solid var(--bad);background:#ffd8a8}
pre.payload a.back{margin-left:1em;font-size:.8rem}
figure{background:#fff;border:1px solid var(--line);padding:.6rem;margin:.6rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
svg text{font:11px system-ui,sans-serif;fill:#1b1f24}
`;
