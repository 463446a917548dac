/**
 * Markdown pages of the guide (implementation-guide/pages/*.md) rendered with `marked`. Raw HTML
 * in a page is shown as text, not passed through: the page sources are also fed to the HL7 IG
 * Publisher, and plain Markdown is what both renderers agree on.
 */
import { Marked, type Tokens } from 'marked';
import { esc } from './html';

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/&[a-z]+;|&#\d+;/g, '')
    .replace(/[^a-z0-9æøå\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-');
}

export function createMarkdown(): (source: string) => string {
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      html(token: Tokens.HTML | Tokens.Tag): string {
        return esc(token.text);
      },
      heading(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Heading): string {
        const inner = this.parser.parseInline(token.tokens);
        return `<h${token.depth} id="${esc(slug(inner))}">${inner}</h${token.depth}>\n`;
      },
    },
  });
  return (source: string) => marked.parse(source, { async: false }) as string;
}
