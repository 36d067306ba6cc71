// /_demo/mail: the mail the demo's local SMTP sink caught (to, subject, Reply-To, text), newest
// first, and a form to answer one the way a mail program would: over real SMTP to the gateway's
// reply listener, from the address it was sent to. Mounted only by the demo (src/main.ts), never
// outside it; plain HTML without JavaScript, in English (a tool page, like the simulators' /_admin).
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { createTransport } from 'nodemailer';
import type { MailSink } from '../mail/sink.ts';
import type { WebEnv } from '../web/context.ts';
import { readForm } from '../web/forms.ts';
import { languageOf, tOf } from '../web/i18n.ts';
import { errorPage, PageError, render } from '../web/layout.ts';

export interface DemoMailPageDeps {
  /** The demo's sink; undefined when SMTP_URL names a real relay (then nothing is caught here). */
  sink: MailSink | undefined;
  /** Where the gateway's reply listener takes mail, once it runs. */
  inbound: () => { host: string; port: number | undefined } | undefined;
  publicOrigin: string;
}

const PAGE = '/_demo/mail';
const MAX_SHOWN = 50;

export function demoMailPage(deps: DemoMailPageDeps) {
  const app = new Hono<WebEnv>();
  // The frame's header and footer follow the pages' language choice.
  app.use(`${PAGE}/*`, async (c, next) => {
    c.set('lang', languageOf(c));
    await next();
  });

  const page = (c: Context<WebEnv>, result?: { ok: boolean; text: string }, status: 200 | 400 | 502 = 200) => {
    const messages = (deps.sink?.messages() ?? []).reverse().slice(0, MAX_SHOWN);
    const inbound = deps.inbound();
    const body = html`<h1>Caught mail (demo)</h1>
<p class="lead">The demo sends its mail to a local SMTP sink instead of delivering it. Open a sign-in link of the partner page
from here, or answer an assignment mail: the answer goes over SMTP to the gateway's reply listener${
      inbound?.port ? html` (${inbound.host}:${inbound.port})` : ''
    } and lands on the case.</p>
${result ? html`<p class="notice${result.ok ? ' ok' : ''}" role="status">${result.text}</p>` : ''}
${deps.sink ? '' : html`<p class="notice">SMTP_URL names a mail relay of your own: mail goes there, and nothing is caught here.</p>`}
${inbound?.port ? '' : html`<p class="notice">The reply listener is off (SMTP_INBOUND_PORT): answers cannot be sent from here.</p>`}
${
  messages.length === 0
    ? html`<p>No mail yet.</p>`
    : messages.map(
        (m, i) => html`<article class="case" aria-labelledby="mail-${i}">
<h2 id="mail-${i}">${m.subject}</h2>
<dl class="facts"><dt>To</dt><dd>${m.to.join(', ')}</dd><dt>From</dt><dd>${m.from ?? '—'}</dd><dt>Reply-To</dt><dd>${m.replyTo ?? '—'}</dd>
<dt>Received</dt><dd><time datetime="${m.receivedAt.toISOString()}">${m.receivedAt.toISOString()}</time></dd></dl>
<p class="pre">${m.text}</p>
${
  m.replyTo && inbound?.port
    ? html`<form method="post" action="${PAGE}/reply">
<input type="hidden" name="to" value="${m.replyTo}"><input type="hidden" name="subject" value="Re: ${m.subject}">
<div class="field"><label for="from-${i}">Answer as</label><input type="text" id="from-${i}" name="from" value="${m.to[0] ?? ''}" size="40"></div>
<div class="field"><label for="text-${i}">Answer</label><textarea id="text-${i}" name="text" rows="3">Komt in orde: wij komen donderdag om 9 uur.</textarea></div>
<button type="submit">Send the answer by e-mail</button></form>`
    : ''
}
</article>`,
      )
}`;
    return render(c, { title: 'Caught mail (demo)', body, demo: true, wide: true, status });
  };

  app.get(PAGE, (c) => page(c));

  app.post(`${PAGE}/reply`, async (c) => {
    const form = await readForm(c, deps.publicOrigin);
    const inbound = deps.inbound();
    if (!inbound?.port) return page(c, { ok: false, text: 'The reply listener is off (SMTP_INBOUND_PORT).' }, 400);
    const { to = '', from = '', subject = '', text = '' } = form;
    if (!to || !from || !text.trim()) return page(c, { ok: false, text: 'An answer needs a sender, a reply address and text.' }, 400);
    const transport = createTransport({ host: inbound.host, port: inbound.port, secure: false, ignoreTLS: true, connectionTimeout: 5000 });
    try {
      const sent = await transport.sendMail({ from, to, subject: subject.slice(0, 200), text });
      return page(c, { ok: true, text: `The listener took the answer: ${sent.response}. Open the case to see it.` });
    } catch (error) {
      // The listener's refusal, as the sender's mail program would show it.
      const e = error as { responseCode?: number; response?: string; message: string };
      return page(c, { ok: false, text: `The listener refused the answer: ${e.response ?? e.message}` }, 502);
    } finally {
      transport.close();
    }
  });

  // A refused form (another site's) as the pages show it; anything else is the app's to answer.
  app.onError((error, c) => {
    if (error instanceof PageError) return errorPage(c, error.status, tOf(c)(error.key, error.params), { demo: true });
    throw error;
  });
  return app;
}
