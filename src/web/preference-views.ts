// The HTML of the "Meldingen" page (/notifications) and the unsubscribe page: plain forms that work
// without JavaScript, each error next to its field and in a summary at the top.
import { html } from 'hono/html';
import { LANGUAGE_NAMES, LANGS, type Translate } from '../i18n/index.ts';
import type { NoticePreferences } from '../notices/preferences.ts';
import type { Html } from './layout.ts';

export type PrefField = 'language' | 'email' | 'phone' | 'channels' | 'emailCode' | 'phoneCode';

export interface PrefForm {
  /** What was typed, shown again after a refusal. */
  values?: { language?: string; email?: string; phone?: string; email_on?: boolean; sms_on?: boolean };
  errors: Partial<Record<PrefField | 'form', string>>;
}

export const emptyPrefForm = (): PrefForm => ({ errors: {} });

const fieldError = (form: PrefForm, field: PrefField) =>
  form.errors[field] ? html`<span class="field-error" id="${field}-error">${form.errors[field]}</span>` : '';
const invalid = (form: PrefForm, field: PrefField, hint?: string) => {
  const describedBy = [hint, form.errors[field] ? `${field}-error` : ''].filter(Boolean).join(' ');
  return html`${form.errors[field] ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}`;
};

function errorSummary(t: Translate, form: PrefForm): Html | '' {
  const fields = (Object.keys(form.errors) as (PrefField | 'form')[]).filter((f) => f !== 'form');
  if (fields.length === 0 && !form.errors.form) return '';
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">${t('mandates.errorSummary')}</h2><ul>
${form.errors.form ? html`<li>${form.errors.form}</li>` : ''}
${fields.map((f) => html`<li><a href="#${f}">${form.errors[f as PrefField]}</a></li>`)}</ul></div>`;
}

const state = (t: Translate, verified: boolean) =>
  verified ? html`<span class="tag ok">${t('prefs.verified')}</span>` : html`<span class="tag">${t('prefs.unverified')}</span>`;

/** The preferences form, and a code form for each unverified address. */
export function preferencesView(
  t: Translate,
  csrf: string,
  prefs: NoticePreferences,
  form: PrefForm,
  options: { smsAvailable: boolean; company: boolean; branchOnly?: boolean },
): Html {
  if (options.branchOnly) return readOnlyView(t, prefs);
  const v = {
    language: form.values?.language ?? prefs.language,
    email: form.values?.email ?? prefs.email?.address ?? '',
    phone: form.values?.phone ?? prefs.phone?.number ?? '',
    email_on: form.values?.email_on ?? prefs.channels.email,
    sms_on: form.values?.sms_on ?? prefs.channels.sms,
  };
  const codeForm = (channel: 'email' | 'phone', address: string) => {
    const field: PrefField = channel === 'email' ? 'emailCode' : 'phoneCode';
    return html`<section class="code" aria-labelledby="${field}-title">
<h2 id="${field}-title">${t(channel === 'email' ? 'prefs.codeEmailTitle' : 'prefs.codePhoneTitle')}</h2>
<p>${t('prefs.codeSentTo', { address })}</p>
<form method="post" action="/notifications/${channel}/verify" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
<div class="field"><label for="${field}">${t('prefs.codeLabel')}</label>${fieldError(form, field)}
<input id="${field}" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" size="8"${invalid(form, field)}></div>
<button type="submit">${t('prefs.verify')}</button>
</form>
<form method="post" action="/notifications/${channel}/code"><input type="hidden" name="_csrf" value="${csrf}">
<button type="submit" class="secondary">${t('prefs.resend')}</button></form>
</section>`;
  };
  return html`${errorSummary(t, form)}
<p class="lead">${t('prefs.intro')}</p>
${options.company ? html`<p>${t('prefs.introCompany')}</p>` : ''}
<form method="post" action="/notifications" novalidate>
<input type="hidden" name="_csrf" value="${csrf}">
<div class="field"><label for="language">${t('prefs.language')}</label>${fieldError(form, 'language')}
<select id="language" name="language"${invalid(form, 'language')}>
${LANGS.map((l) => html`<option value="${l}" lang="${l}"${l === v.language ? html` selected` : ''}>${LANGUAGE_NAMES[l]}</option>`)}
</select></div>
<div class="field"><label for="email">${t('prefs.email')}</label>
<span class="hint" id="email-hint">${t('prefs.emailHint')}</span>${fieldError(form, 'email')}
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" value="${v.email}"${invalid(form, 'email', 'email-hint')}>
${prefs.email && prefs.email.address === v.email ? state(t, prefs.email.verified) : ''}</div>
<div class="field"><label for="phone">${t('prefs.phone')}</label>
<span class="hint" id="phone-hint">${t(options.smsAvailable ? 'prefs.phoneHint' : 'prefs.smsOff')}</span>${fieldError(form, 'phone')}
<input id="phone" name="phone" type="text" inputmode="tel" autocomplete="tel" maxlength="20" value="${v.phone}"${invalid(form, 'phone', 'phone-hint')}>
${prefs.phone && prefs.phone.number === v.phone ? state(t, prefs.phone.verified) : ''}</div>
<fieldset class="field" id="channels"${form.errors.channels ? html` aria-describedby="channels-error"` : ''}><legend>${t('prefs.channels')}</legend>${fieldError(form, 'channels')}
<div class="choice"><input type="checkbox" id="channel-email" name="email_on" value="on"${v.email_on ? html` checked` : ''}>
<label for="channel-email">${t('prefs.channelEmail')}</label></div>
<div class="choice"><input type="checkbox" id="channel-sms" name="sms_on" value="on"${v.sms_on ? html` checked` : ''}>
<label for="channel-sms">${t('prefs.channelSms')}</label></div>
</fieldset>
<button type="submit">${t('prefs.save')}</button>
</form>
${prefs.email && !prefs.email.verified ? codeForm('email', prefs.email.address) : ''}
${prefs.phone && !prefs.phone.verified ? codeForm('phone', prefs.phone.number) : ''}`;
}

/** A login for one branch reads the company's preferences; only a company-wide login changes them. */
function readOnlyView(t: Translate, prefs: NoticePreferences): Html {
  const address = (a: { value: string; verified: boolean } | undefined) => (a ? html`${a.value} ${state(t, a.verified)}` : t('prefs.notSet'));
  return html`<p class="lead">${t('prefs.intro')}</p>
<p class="notice" role="note">${t('prefs.branchReadOnly')}</p>
<dl class="facts">
<dt>${t('prefs.language')}</dt><dd>${LANGUAGE_NAMES[prefs.language]}</dd>
<dt>${t('prefs.email')}</dt><dd>${address(prefs.email && { value: prefs.email.address, verified: prefs.email.verified })}</dd>
<dt>${t('prefs.phone')}</dt><dd>${address(prefs.phone && { value: prefs.phone.number, verified: prefs.phone.verified })}</dd>
<dt>${t('prefs.channelEmail')}</dt><dd>${t(prefs.channels.email ? 'prefs.on' : 'prefs.off')}</dd>
<dt>${t('prefs.channelSms')}</dt><dd>${t(prefs.channels.sms ? 'prefs.on' : 'prefs.off')}</dd>
</dl>`;
}

/** GET /unsubscribe/{token}: a button, because a GET (a mail scanner following the link) must change nothing. */
export function unsubscribeView(t: Translate, action: string): Html {
  return html`<h1>${t('unsubscribe.title')}</h1>
<p class="lead">${t('unsubscribe.text')}</p>
<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">${t('unsubscribe.button')}</button></form>`;
}

export function unsubscribedView(t: Translate): Html {
  return html`<h1>${t('unsubscribe.title')}</h1>
<p class="notice ok" role="status">${t('unsubscribe.done')}</p>`;
}
