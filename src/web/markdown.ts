// A tiny, safe subset of markdown for the agreement's legal text: headings (#, ##, ###), paragraphs,
// lists (- or *), **strong** and *emphasis*. Everything else is text: raw HTML is shown as written,
// escaped by hono/html like every other value; no link, image or attribute is ever produced.
import { html } from 'hono/html';
import type { Html } from './layout.ts';

function inline(text: string): Html[] {
  const out: Html[] = [];
  const pattern = /\*\*([^*]+)\*\*|\*([^*]+)\*/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) out.push(html`${text.slice(last, m.index)}`);
    out.push(m[1] !== undefined ? html`<strong>${m[1]}</strong>` : html`<em>${m[2]}</em>`);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(html`${text.slice(last)}`);
  return out;
}

/** The markdown as HTML blocks; `headingBase` shifts headings (a # under the page's h2 is an h3). */
export function markdown(source: string, headingBase = 2): Html[] {
  const blocks: Html[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push(html`<p>${inline(paragraph.join(' '))}</p>`);
    if (list.length > 0) blocks.push(html`<ul>${list.map((item) => html`<li>${inline(item)}</li>`)}</ul>`);
    paragraph = [];
    list = [];
  };
  for (const raw of source.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    const item = /^[-*]\s+(.*)$/.exec(line);
    if (line === '') flush();
    else if (heading) {
      flush();
      const level = Math.min(6, heading[1].length + headingBase);
      const content = inline(heading[2]);
      blocks.push(
        level === 3 ? html`<h3>${content}</h3>` : level === 4 ? html`<h4>${content}</h4>` : level === 5 ? html`<h5>${content}</h5>` : html`<h6>${content}</h6>`,
      );
    } else if (item) {
      if (paragraph.length > 0) flush();
      list.push(item[1]);
    } else {
      if (list.length > 0) flush();
      paragraph.push(line);
    }
  }
  flush();
  return blocks;
}
