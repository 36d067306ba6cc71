// "Meldingen" (/notifications): the customer's notice preferences and the codes that confirm an
// address, through PreferenceService as the API; and the one-click unsubscribe (/unsubscribe/{token},
// RFC 8058) that every notice e-mail names in List-Unsubscribe.
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { isRepresentative } from '../citizen/auth.ts';
import { customerOf } from '../citizen/customer.ts';
import type { Translate } from '../i18n/index.ts';
import { ServiceError } from '../lib/service-error.ts';
import { preferencesSchema } from '../notices/preference-routes.ts';
import { CodeRateLimited, type PreferenceService } from '../notices/preference-service.ts';
import { citizenOf, type CitizenAuthDeps, type CitizenContext } from './auth.ts';
import type { WebEnv } from './context.ts';
import { parseForm, readSessionForm } from './forms.ts';
import type { CitizenFrame } from './group-pages.ts';
import { tOf } from './i18n.ts';
import { flash, PageError, render } from './layout.ts';
import { emptyPrefForm, type PrefField, type PrefForm, preferencesView, unsubscribedView, unsubscribeView } from './preference-views.ts';

export interface PreferencePageDeps extends Pick<CitizenAuthDeps, 'sessions' | 'authenticator' | 'publicOrigin'> {
  preferences: PreferenceService;
  frame: CitizenFrame;
}

export function preferencePages(deps: PreferencePageDeps) {
  const app = new Hono<WebEnv>();
  const { preferences, frame } = deps;

  const page = async (c: Context<WebEnv>, me: CitizenContext, form: PrefForm, status?: 400 | 422) => {
    const t = tOf(c);
    const prefs = await preferences.get(customerOf(me.viewer), c.get('lang'));
    return frame(
      c,
      me,
      '/notifications',
      t('prefs.title'),
      html`<h1>${t('prefs.title')}</h1>
${flash(c, { saved: 'prefs.saved', verified: 'prefs.verifiedDone', sent: 'prefs.codeSent' })}
${preferencesView(t, me.session.csrf, prefs, form, {
  smsAvailable: preferences.smsAvailable(),
  company: isRepresentative(me.viewer),
  branchOnly: isRepresentative(me.viewer) && Boolean(me.viewer.vestiging),
})}`,
      status,
    );
  };

  app.get('/notifications', async (c) => page(c, (await citizenOf(c, deps, true))!, emptyPrefForm()));

  app.post('/notifications', async (c) => {
    const me = (await citizenOf(c, deps, true))!;
    const form = await readSessionForm(c, deps.publicOrigin, me.session);
    const values = {
      language: form.language ?? '',
      email: (form.email ?? '').trim().slice(0, 300),
      // People write numbers with spaces and dashes: 06-1234 5678.
      phone: (form.phone ?? '').replace(/[\s\-().]/g, '').slice(0, 30),
      email_on: form.email_on === 'on',
      sms_on: form.sms_on === 'on',
    };
    const t = tOf(c);
    const parsed = preferencesSchema.safeParse({
      language: values.language,
      ...(values.email ? { email: values.email } : {}),
      ...(values.phone ? { phone: values.phone } : {}),
      channels: { email: values.email_on, sms: values.sms_on },
    });
    if (!parsed.success) {
      const errors: PrefForm['errors'] = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0]);
        if (field === 'email') errors.email = t('prefs.error.email');
        else if (field === 'phone') errors.phone = t('prefs.error.phone');
        else if (field === 'language') errors.language = t('prefs.error.language');
      }
      return page(c, me, { values, errors }, 400);
    }
    try {
      await preferences.update(customerOf(me.viewer), parsed.data);
    } catch (error) {
      return page(c, me, { values, errors: refusedFields(t, error) }, 422);
    }
    return c.redirect('/notifications?done=saved', 303);
  });

  for (const channel of ['email', 'phone'] as const) {
    const field: PrefField = channel === 'email' ? 'emailCode' : 'phoneCode';
    const noticeChannel = channel === 'email' ? 'email' : 'sms';
    app.post(`/notifications/${channel}/verify`, async (c) => {
      const me = (await citizenOf(c, deps, true))!;
      const form = await readSessionForm(c, deps.publicOrigin, me.session);
      const t = tOf(c);
      const code = (form.code ?? '').replace(/\s/g, '');
      if (!/^[0-9]{6}$/.test(code)) return page(c, me, { errors: { [field]: t('prefs.error.codeFormat') } }, 400);
      const result = await preferences.verify(customerOf(me.viewer), noticeChannel, code);
      if (!result.ok) {
        const message = {
          'wrong-code': () => t('prefs.error.code', { tries: result.reason === 'wrong-code' ? result.triesLeft : 0 }),
          'code-expired': () => t('prefs.error.codeExpired'),
          'code-exhausted': () => t('prefs.error.codeExhausted'),
          'no-code': () => t('prefs.error.noCode'),
        }[result.reason]();
        return page(c, me, { errors: { [field]: message } }, 422);
      }
      return c.redirect('/notifications?done=verified', 303);
    });
    app.post(`/notifications/${channel}/code`, async (c) => {
      const me = (await citizenOf(c, deps, true))!;
      await readSessionForm(c, deps.publicOrigin, me.session);
      try {
        await preferences.sendCode(customerOf(me.viewer), noticeChannel);
      } catch (error) {
        return page(c, me, { errors: { [field]: refusedFields(tOf(c), error).form ?? tOf(c)('prefs.error.noCode') } }, 422);
      }
      return c.redirect('/notifications?done=sent', 303);
    });
  }
  return app;
}

/** The service's refusal as messages next to the fields (anything else is the error page's). */
function refusedFields(t: Translate, error: unknown): PrefForm['errors'] {
  if (error instanceof CodeRateLimited) return { form: t('prefs.error.tooSoon', { seconds: error.retryAfterSeconds }) };
  if (!(error instanceof ServiceError) || error.kind !== 'unprocessable') throw error;
  const errors: PrefForm['errors'] = {};
  for (const p of error.invalidParams ?? []) {
    if (p.code === 'sms-unavailable') errors.phone = t('prefs.error.smsOff');
    else if (p.name === 'channels.email') errors.email = t('prefs.error.noEmail');
    else if (p.name === 'channels.sms') errors.phone = t('prefs.error.noPhone');
    else errors.form = t('prefs.error.noCode');
  }
  return errors;
}

export interface UnsubscribePageDeps {
  preferences: PreferenceService;
  demo: boolean;
  owner: string;
}

/**
 * /unsubscribe/{token}: no login and no CSRF token (a mail client posts it, RFC 8058). The GET only
 * shows a button; the POST, with the body `List-Unsubscribe=One-Click`, turns the e-mail channel off.
 */
export function unsubscribePages(deps: UnsubscribePageDeps) {
  const app = new Hono<WebEnv>();
  const frame = (c: Context<WebEnv>, title: string, body: ReturnType<typeof unsubscribeView>) => render(c, { title, body, demo: deps.demo, owner: deps.owner });

  app.get('/unsubscribe/:token', async (c) => {
    const t = tOf(c);
    if (!(await deps.preferences.knownToken(c.req.param('token')))) throw new PageError(404, 'unsubscribe.notFound');
    return frame(c, t('unsubscribe.title'), unsubscribeView(t, `/unsubscribe/${encodeURIComponent(c.req.param('token'))}`));
  });

  app.post('/unsubscribe/:token', async (c) => {
    const t = tOf(c);
    // No origin check and no CSRF token: the mail client posts from nowhere, and all it can do is turn e-mail off.
    const form = await parseForm(c, 'unsubscribe.badRequest');
    if (form['List-Unsubscribe'] !== 'One-Click') throw new PageError(400, 'unsubscribe.badRequest');
    if (!(await deps.preferences.unsubscribe(c.req.param('token')))) throw new PageError(404, 'unsubscribe.notFound');
    return frame(c, t('unsubscribe.title'), unsubscribedView(t));
  });
  return app;
}
