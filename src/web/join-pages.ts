// The join page /join/{token} (docs/onboarding.md): the journey of src/onboarding for a person at a
// joining organisation. The token in the path is the credential (no session); forms are checked
// like every other form here (readForm: the Origin must be this site). Summary first, the legal text
// one click away, the terms as a table; signer and code, acceptance with its receipt, the
// connection, the test with its verdicts, the status.
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { z } from 'zod';
import type { Lang, MessageKey, Translate } from '../i18n/index.ts';
import { HttpProblem } from '../http/problem.ts';
import { type InvalidParam, ServiceError, type ServiceErrorKind } from '../lib/service-error.ts';
import { CodeRateLimited } from '../lib/verification-code.ts';
import { gone } from '../onboarding/routes.ts';
import { codeSchema, connectionSchema, signerSchema } from '../onboarding/schemas.ts';
import { ConnectionTestLimited, type OnboardingService, WrongCode } from '../onboarding/service.ts';
import type { WebEnv } from './context.ts';
import { readForm } from './forms.ts';
import { formatDateTime, tOf } from './i18n.ts';
import { asPage, type Html, PageError, render } from './layout.ts';
import { markdown } from './markdown.ts';

export interface JoinPageDeps {
  onboarding: OnboardingService;
  publicOrigin: string;
  demo: boolean;
  owner: string;
}

type Join = Awaited<ReturnType<OnboardingService['join']>>;
type TestResult = NonNullable<Join['lastTest']>;
/** What a form post leaves to show once on the page it answers with. */
interface Outcome {
  notice?: Html;
  problem?: string;
  test?: TestResult;
}

const two = (lang: Lang): 'nl' | 'en' => (lang === 'nl' ? 'nl' : 'en');

// A refusal is shown in the page's language, never the service's English (that stays the API's
// problem detail): by the code the service gives, else by its kind.
const REFUSAL_CODES: Record<string, MessageKey> = {
  expired: 'join.error.codeExpired',
  'tries-exhausted': 'join.error.codeExhausted',
  'not-sent': 'join.error.noCode',
  'not-confirmed': 'join.error.notConfirmed',
  'not-current': 'join.error.agreementChanged',
  mismatch: 'join.error.agreementChanged',
  'used-up': 'join.error.usedUp',
  'no-connection': 'join.test.needsConnection',
  'not-read': 'join.error.notRead',
};
const REFUSAL_KINDS: Record<Exclude<ServiceErrorKind, 'not_found'>, MessageKey> = {
  invalid: 'join.error.invalid',
  unprocessable: 'join.error.invalid',
  conflict: 'join.error.conflict',
  forbidden: 'join.error.forbidden',
  unavailable: 'join.error.unavailable',
};
// The form's labels for the fields a refusal names (the last part of its path).
const FIELD_LABELS: Record<string, MessageKey> = {
  name: 'join.signer.name',
  email: 'join.signer.email',
  role: 'join.signer.role',
  code: 'join.signer.code',
  apiRoot: 'join.connection.apiRoot',
  catalogiApiRoot: 'join.connection.catalogiApiRoot',
  clientId: 'join.connection.clientId',
  secret: 'join.connection.secret',
  issuer: 'join.connection.issuer',
  clientSecret: 'join.connection.clientSecret',
  scope: 'join.connection.scope',
  mode: 'join.connection.mode',
};
const STATUS: Record<Exclude<ServiceErrorKind, 'not_found'>, 400 | 403 | 409 | 422 | 503> = {
  invalid: 400,
  unprocessable: 422,
  conflict: 409,
  forbidden: 403,
  unavailable: 503,
};

function fieldsText(t: Translate, params: InvalidParam[]): string {
  const labels = params.map((p) => {
    const key = FIELD_LABELS[p.name.split('.').at(-1) ?? ''];
    return key ? t(key) : p.name;
  });
  return t('join.error.fields', { fields: [...new Set(labels)].join('; ') });
}

function refusalText(t: Translate, error: ServiceError): string {
  if (error instanceof WrongCode) return t('join.error.codeWrong', { tries: error.triesLeft });
  const byCode = (error.invalidParams ?? []).map((p) => REFUSAL_CODES[p.code]).find((key) => key !== undefined);
  if (byCode) return t(byCode);
  if (error.invalidParams?.length && (error.kind === 'invalid' || error.kind === 'unprocessable')) return fieldsText(t, error.invalidParams);
  return t(REFUSAL_KINDS[error.kind as Exclude<ServiceErrorKind, 'not_found'>]);
}

export function joinPages(deps: JoinPageDeps) {
  const app = new Hono<WebEnv>();
  const { onboarding } = deps;

  const load = (token: string) =>
    asPage(
      () =>
        gone(onboarding.join(token)).catch((error) => {
          if (error instanceof HttpProblem && error.init.status === 410) throw new PageError(410, 'join.expired');
          throw error;
        }),
      { not_found: 'join.notFound' },
    );

  const page = async (c: Context<WebEnv>, outcome: Outcome = {}, status: 200 | 400 | 403 | 409 | 422 | 429 | 503 = 200) => {
    const token = c.req.param('token')!;
    const join = await load(token);
    const t = tOf(c);
    return render(c, {
      title: t('join.title'),
      status,
      demo: deps.demo,
      owner: deps.owner,
      home: `/join/${token}`,
      body: view(t, c.get('lang'), token, join, outcome, deps.owner),
    });
  };

  /** Runs a journey step from a form; a refusal is shown on the page with its reason. */
  const step = async (c: Context<WebEnv>, run: (form: Record<string, string>) => Promise<Outcome>) => {
    const form = await readForm(c, deps.publicOrigin);
    const t = tOf(c);
    try {
      return await page(c, await run(form));
    } catch (error) {
      if (error instanceof CodeRateLimited) {
        c.header('Retry-After', String(error.retryAfterSeconds));
        return page(c, { problem: t('join.error.tooSoon', { seconds: error.retryAfterSeconds }) }, 429);
      }
      if (error instanceof ConnectionTestLimited) {
        c.header('Retry-After', String(error.retryAfterSeconds));
        return page(c, { problem: t('join.error.testLimited', { seconds: error.retryAfterSeconds }) }, 429);
      }
      if (error instanceof ServiceError && error.kind !== 'not_found') return page(c, { problem: refusalText(t, error) }, STATUS[error.kind]);
      if (error instanceof HttpProblem && error.init.status === 400) return page(c, { problem: fieldsText(t, error.init.invalidParams ?? []) }, 400);
      throw error;
    }
  };
  const parse = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw new HttpProblem({ status: 400, invalidParams: result.error.issues.map((i) => ({ name: i.path.join('.'), code: i.code, reason: i.message })) });
  };
  const token = (c: Context<WebEnv>) => c.req.param('token')!;

  app.get('/join/:token', (c) => page(c));
  app.post('/join/:token/signer', (c) =>
    step(c, async (form) => {
      const signer = parse(signerSchema, { name: form.name, email: form.email, role: form.role });
      const sent = await asPage(() => gone(onboarding.requestSignerCode(token(c), signer, c.get('lang'))), { not_found: 'join.notFound' });
      return sent.confirmationRequired ? { notice: html`${tOf(c)('join.signer.codeSent', { email: signer.email })}` } : {};
    }),
  );
  app.post('/join/:token/verify', (c) =>
    step(c, async (form) => {
      const { code } = parse(codeSchema, { code: (form.code ?? '').trim() });
      const done = await asPage(() => gone(onboarding.verifySignerCode(token(c), code)), { not_found: 'join.notFound' });
      return { notice: html`${tOf(c)('join.signer.confirmed', { email: done.signer.email })}` };
    }),
  );
  app.post('/join/:token/accept', (c) =>
    step(c, async (form) => {
      const signer = parse(signerSchema, { name: form.name, email: form.email, role: form.role });
      if (form.read !== 'yes') {
        throw new ServiceError('unprocessable', 'Confirm that you read the agreement and may sign.', {
          invalidParams: [{ name: 'read', code: 'not-read', reason: 'tick the box' }],
        });
      }
      const accepted = await asPage(() => gone(onboarding.accept(token(c), { signer, agreementVersion: form.version ?? '', agreementHash: form.hash ?? '' })), {
        not_found: 'join.notFound',
      });
      const t = tOf(c);
      return {
        notice: html`<h2>${t('join.receipt.title')}</h2>
<p>${t('join.receipt.text', { jwks: accepted.jwksUrl })}</p>
<pre class="receipt" id="receipt">${accepted.receipt ?? ''}</pre>
<p>${t('join.receipt.how', { jwks: accepted.jwksUrl })}</p>`,
      };
    }),
  );
  app.post('/join/:token/connection', (c) =>
    step(c, async (form) => {
      // An empty secret keeps the stored one (write-only: the page never shows it).
      const keep = (value: string | undefined) => (value ? value : { configured: true as const });
      const auth =
        form.authType === 'oauth2'
          ? {
              type: 'oauth2',
              issuer: form.issuer,
              clientId: form.clientId,
              clientSecret: keep(form.clientSecret),
              ...(form.scope ? { scope: form.scope } : {}),
            }
          : { type: 'zgw-jwt', clientId: form.clientId, secret: keep(form.secret) };
      const input = parse(connectionSchema, {
        zaken: {
          apiRoot: form.apiRoot,
          ...(form.catalogiApiRoot ? { catalogiApiRoot: form.catalogiApiRoot } : {}),
          auth,
        },
        notifications: { mode: form.mode },
      });
      const saved = await asPage(() => gone(onboarding.connect(token(c), input as Parameters<OnboardingService['connect']>[1])), {
        not_found: 'join.notFound',
      });
      const t = tOf(c);
      const credentials = saved.notificationCredentials;
      return {
        notice: html`<p>${t('join.connection.saved')}</p>${
          credentials
            ? html`<p>${t('join.credentials', { clientId: credentials.clientId })}</p><pre class="credentials" id="notification-secret">${credentials.secret}</pre>`
            : ''
        }`,
      };
    }),
  );
  app.post('/join/:token/test', (c) =>
    step(c, async () => {
      const result = await asPage(() => gone(onboarding.runConnectionTest(token(c))), { not_found: 'join.notFound' });
      return { test: result };
    }),
  );
  return app;
}

function view(t: Translate, lang: Lang, token: string, join: Join, outcome: Outcome, owner: string): Html {
  const org = join.organisation;
  const open = join.state === 'open';
  // A re-acceptance opens the agreement steps only: the connection stands and no test is needed.
  const joining = join.purpose === 'join';
  const done = new Map(join.checklist.map((i) => [i.item, i.done]));
  return html`<h1>${t('join.title')}: ${org.name}</h1>
${outcome.problem ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${t('join.problem', { reason: outcome.problem })}</p></div>` : ''}
${outcome.notice ? html`<div class="notice ok" role="status">${outcome.notice}</div>` : ''}
${!open ? html`<p class="notice ok" role="status">${t('join.finished', { organisation: org.name })}</p>` : html`<p class="lead">${t('join.intro', { self: owner, organisation: org.name })}</p>`}
<h2>${t('join.checklist')}</h2>
<ul class="checklist">${join.checklist.map(
    (i) =>
      html`<li data-item="${i.item}" data-done="${i.done ? 'yes' : 'no'}">${i.done ? '✓' : '○'} ${t(`join.item.${i.item}`)} — ${i.done ? t('join.done') : t('join.todo')}</li>`,
  )}</ul>
${agreementSection(t, lang, join)}
${open ? acceptSection(t, token, join, done.get('agreement') === true) : ''}
${open && joining ? connectionSection(t, token, join) : ''}
${(open && joining) || outcome.test ? testSection(t, lang, token, join, outcome.test, open) : ''}
${open && joining && done.get('agreement') && done.get('connection-test') && !join.autoActivate ? html`<p class="notice">${t('join.waitOperator')}</p>` : ''}
${outcome.test && 'activated' in outcome.test && outcome.test.activated ? html`<p class="notice ok">${t('join.activated', { organisation: org.name })}</p>` : ''}`;
}

function agreementSection(t: Translate, lang: Lang, join: Join): Html {
  const a = join.agreement;
  if (!a) return html`<p class="notice">${t('join.noAgreement')}</p>`;
  const terms = a.terms as {
    purposes?: string[];
    dataCategories?: string[];
    retentionDays?: number;
    securityLevel?: string;
    contact?: { name: string; email: string };
  };
  const l = two(lang);
  return html`<h2>${t('join.summary')}</h2>
<p class="meta">${t('join.version', { version: a.version })}</p>
${markdown(a.summary[l])}
<h2>${t('join.terms')}</h2>
<table class="terms"><tbody>
<tr><th scope="row">${t('join.terms.purposes')}</th><td>${(terms.purposes ?? []).join('; ')}</td></tr>
<tr><th scope="row">${t('join.terms.dataCategories')}</th><td>${(terms.dataCategories ?? []).join('; ')}</td></tr>
<tr><th scope="row">${t('join.terms.retentionDays')}</th><td>${t('join.terms.days', { days: terms.retentionDays ?? 0 })}</td></tr>
<tr><th scope="row">${t('join.terms.securityLevel')}</th><td>${terms.securityLevel ?? ''}</td></tr>
<tr><th scope="row">${t('join.terms.contact')}</th><td>${terms.contact ? `${terms.contact.name} <${terms.contact.email}>` : ''}</td></tr>
</tbody></table>
<details class="legal-text"><summary>${t('join.legalText')}</summary>
${markdown(a.legalText[l])}
</details>
<p class="meta hash">${t('join.hash', { hash: a.hash })}</p>`;
}

function acceptSection(t: Translate, token: string, join: Join, accepted: boolean): Html {
  if (!join.agreement || accepted) return '' as unknown as Html;
  const signer = join.signer;
  const confirmed = !join.signerConfirmationRequired || signer?.confirmed === true;
  const fields = (
    disabled: boolean,
  ) => html`<div class="field"><label for="signer-name">${t('join.signer.name')}</label><input id="signer-name" name="name" required maxlength="200" value="${signer?.name ?? ''}"${disabled ? html` readonly` : ''}></div>
<div class="field"><label for="signer-email">${t('join.signer.email')}</label><input id="signer-email" name="email" type="email" required maxlength="254" value="${signer?.email ?? ''}"${disabled ? html` readonly` : ''}></div>
<div class="field"><label for="signer-role">${t('join.signer.role')}</label><input id="signer-role" name="role" required maxlength="200" value="${signer?.role ?? ''}"${disabled ? html` readonly` : ''}></div>`;
  return html`<h2>${t('join.signer')}</h2>
${
  join.signerConfirmationRequired && !confirmed
    ? html`<form method="post" action="/join/${token}/signer" class="signer">${fields(false)}<button type="submit">${t('join.signer.send')}</button></form>
${
  signer
    ? html`<form method="post" action="/join/${token}/verify" class="verify"><div class="field"><label for="code">${t('join.signer.code')}</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required></div><button type="submit">${t('join.signer.verify')}</button></form>`
    : ''
}
<p class="notice">${t('join.accept.needsCode')}</p>`
    : html`<form method="post" action="/join/${token}/accept" class="accept">${fields(join.signerConfirmationRequired)}
<input type="hidden" name="version" value="${join.agreement!.version}"><input type="hidden" name="hash" value="${join.agreement!.hash}">
<div class="field"><div class="choice"><input type="checkbox" id="read" name="read" value="yes" required><label for="read">${t('join.accept.read', { organisation: join.organisation.name })}</label></div></div>
<button type="submit">${t('join.accept.button')}</button></form>`
}`;
}

function connectionSection(t: Translate, token: string, join: Join): Html {
  const current = join.connection;
  const auth = current?.zaken.auth as { type: 'zgw-jwt' | 'oauth2'; clientId?: string; issuer?: string; scope?: string } | undefined;
  const type = auth?.type ?? 'zgw-jwt';
  const mode = current?.notifications.mode ?? join.organisation.notifications.mode;
  // A stored secret is kept when its field is left empty, so only a type without one needs it.
  const keep = (of: 'zgw-jwt' | 'oauth2') => (type === of && current ? html`<span class="hint">${t('join.connection.keepSecret')}</span>` : '');
  return html`<h2>${t('join.connection')}</h2>
<form method="post" action="/join/${token}/connection" class="connection">
<div class="field"><label for="apiRoot">${t('join.connection.apiRoot')}</label><input id="apiRoot" name="apiRoot" type="url" required maxlength="1000" value="${current?.zaken.apiRoot ?? ''}"></div>
<div class="field"><label for="catalogiApiRoot">${t('join.connection.catalogiApiRoot')}</label><input id="catalogiApiRoot" name="catalogiApiRoot" type="url" maxlength="1000" value="${current?.zaken.catalogiApiRoot ?? ''}"></div>
<fieldset class="field"><legend>${t('join.connection.authType')}</legend>
<div class="choice"><input type="radio" id="auth-zgw-jwt" name="authType" value="zgw-jwt"${type === 'zgw-jwt' ? html` checked` : ''}><label for="auth-zgw-jwt">${t('join.connection.zgwJwt')}</label></div>
<div class="choice"><input type="radio" id="auth-oauth2" name="authType" value="oauth2"${type === 'oauth2' ? html` checked` : ''}><label for="auth-oauth2">${t('join.connection.oauth2')}</label></div>
</fieldset>
<div class="field"><label for="clientId">${t('join.connection.clientId')}</label><input id="clientId" name="clientId" required maxlength="200" value="${auth?.clientId ?? ''}"></div>
<fieldset class="field auth-zgw-jwt"><legend>${t('join.connection.zgwJwt')}</legend>
<div class="field"><label for="secret">${t('join.connection.secret')}</label>${keep('zgw-jwt')}<input id="secret" name="secret" type="password" autocomplete="off" minlength="16" maxlength="1024"></div>
</fieldset>
<fieldset class="field auth-oauth2"><legend>${t('join.connection.oauth2')}</legend>
<div class="field"><label for="issuer">${t('join.connection.issuer')}</label><input id="issuer" name="issuer" type="url" maxlength="1000" value="${auth?.issuer ?? ''}"></div>
<div class="field"><label for="clientSecret">${t('join.connection.clientSecret')}</label>${keep('oauth2')}<input id="clientSecret" name="clientSecret" type="password" autocomplete="off" minlength="16" maxlength="1024"></div>
<div class="field"><label for="scope">${t('join.connection.scope')}</label><input id="scope" name="scope" maxlength="1000" value="${auth?.scope ?? ''}"></div>
</fieldset>
<fieldset class="field"><legend>${t('join.connection.mode')}</legend>
<div class="choice"><input type="radio" id="mode-push" name="mode" value="push"${mode === 'push' ? html` checked` : ''}><label for="mode-push">${t('join.connection.push')}</label></div>
<div class="choice"><input type="radio" id="mode-poll" name="mode" value="poll"${mode === 'poll' ? html` checked` : ''}><label for="mode-poll">${t('join.connection.poll')}</label></div>
</fieldset>
<button type="submit">${t('join.connection.save')}</button></form>`;
}

function testSection(t: Translate, lang: Lang, token: string, join: Join, fresh: TestResult | undefined, open: boolean): Html {
  const test = fresh ?? join.lastTest;
  const help = join.notificationTest;
  return html`<h2>${t('join.test')}</h2>
${
  !open
    ? ''
    : !join.connection
      ? html`<p class="notice">${t('join.test.needsConnection')}</p>`
      : html`${
          help
            ? html`<p>${t('join.test.how', { seconds: help.windowSeconds, url: help.url, clientId: join.connection.notifications.clientId ?? '' })}</p><pre class="sample">${JSON.stringify(help.sample, null, 2)}</pre>`
            : ''
        }
<form method="post" action="/join/${token}/test" class="test"><button type="submit">${t('join.test.run')}</button></form>`
}
${
  test
    ? html`<p class="meta">${t('join.test.last', { at: formatDateTime(lang, test.startedAt) })}: <strong class="verdict" data-passed="${test.passed ? 'yes' : 'no'}">${test.passed ? t('join.test.passed') : t('join.test.failed')}</strong></p>
<table class="test-steps"><thead><tr><th scope="col">${t('join.test.step')}</th><th scope="col">${t('join.test.verdict')}</th><th scope="col">${t('join.test.reason')}</th></tr></thead><tbody>
${test.steps.map((s) => html`<tr data-step="${s.step}" data-verdict="${s.verdict}"><td>${t(`join.test.step.${s.step}`)}</td><td>${t(`join.test.${s.verdict}`)}</td><td>${s.reason}</td></tr>`)}
</tbody></table>`
    : ''
}`;
}
