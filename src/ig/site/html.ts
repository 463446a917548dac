/**
 * HTML building blocks of the guide. Everything that comes from data (profiles, examples, rule
 * texts, user input) goes through `esc`: the guide is served by the gateway itself, so a hostile
 * string in a pasted Bundle or a profile description must never become markup.
 */
import { html, raw, type Html } from '../../web/html';

export { esc, html, raw, type Html } from '../../web/html';

export interface NavItem {
  href: string;
  title: string;
}

/** The guide's menu, in reading order. */
export const NAV: NavItem[] = [
  { href: 'index.html', title: 'Overview' },
  { href: 'submitting.html', title: 'How to submit' },
  { href: 'validator.html', title: 'Validator and $validate' },
  { href: 'artifacts.html', title: 'Profiles and terminology' },
  { href: 'rules.html', title: 'Rule catalogue' },
  { href: 'examples.html', title: 'Examples' },
  { href: 'validate.html', title: 'Validate your Bundle' },
  { href: 'changes.html', title: 'Change log' },
];

export interface PageOptions {
  title: string;
  /** The file the page is written to, to mark the current menu entry. */
  file: string;
  body: Html;
  /** Scripts of the site itself (same origin); no client-side frameworks. */
  scripts?: string[];
}

export const GUIDE_TITLE = 'NGC Genomic Reporting: implementation guide';

export function page(o: PageOptions): string {
  const current = o.file;
  const nav = NAV.map((n) => html`<li><a href="${n.href}"${n.href === current ? raw(' aria-current="page"') : ''}>${n.title}</a></li>`);
  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · NGC Genomic Reporting</title>
<link rel="stylesheet" href="style.css">
<link rel="icon" href="data:,">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<p class="brand"><a href="index.html">${GUIDE_TITLE}</a> <span class="version">package dk.ngc.fhir.genomics 1.0.0</span></p>
<nav aria-label="Guide"><ul>${nav}</ul></nav>
</header>
<main id="main">
<h1>${o.title}</h1>
${o.body}
</main>
<footer><p>Nationalt Genom Center (NGC). The NGC Genomic Reporting Standard 1.0 wins over this guide where they differ. <a href="package.tgz">Download the FHIR package</a>.</p></footer>
${(o.scripts ?? []).map((s) => html`<script src="${s}"></script>`)}
</body>
</html>
`;
  return doc.html;
}

/** Canonical URL → the guide's page for it, when the guide has one (same names as the IG Publisher). */
export type Linker = (canonical: string | undefined) => string | undefined;

export function link(href: string | undefined, text: string): Html {
  return href ? html`<a href="${href}">${text}</a>` : html`${text}`;
}
