// The demo identity provider's own pages: a login form listing the test citizens.
import { html, raw } from 'hono/html';

export interface DemoCitizen {
  /** Login name and OIDC subject. */
  id: string;
  name: string;
  /** A person logs in with a BSN (DigiD); a company's representative with the company's KvK number (eHerkenning). */
  bsn?: string;
  company?: { kvk: string; name: string };
  role: { nl: string; en: string };
}

const TEXT = {
  nl: {
    title: 'Inloggen bij de demo-inlogdienst',
    intro: 'Dit is een nagebootste inlogdienst (in plaats van DigiD) voor de demo van ketenstatus. Kies een testburger.',
    who: 'Testburger',
    password: 'Wachtwoord',
    hint: 'Het wachtwoord is voor iedere testburger: demo',
    login: 'Inloggen',
    cancel: 'Annuleren',
    failed: 'Kies een testburger en vul het juiste wachtwoord in.',
  },
  en: {
    title: 'Log in to the demo identity provider',
    intro: 'This is a simulated login service (instead of DigiD) for the ketenstatus demo. Choose a test citizen.',
    who: 'Test citizen',
    password: 'Password',
    hint: 'The password for every test citizen is: demo',
    login: 'Log in',
    cancel: 'Cancel',
    failed: 'Choose a test citizen and enter the right password.',
  },
} as const;

const STYLE = `body{font:1.0625rem/1.5 system-ui,sans-serif;color:#1b1b1b;background:#f3f3f3;margin:0}
main{max-width:34rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-top:.5rem solid #154273}
h1{font-size:1.5rem;margin-top:0}fieldset{border:0;padding:0;margin:0 0 1rem}legend{font-weight:700;margin-bottom:.25rem}
.choice{display:flex;gap:.5rem;align-items:flex-start;padding:.4rem 0}.choice small{display:block;color:#4a4a4a}
label[for=password]{display:block;font-weight:700}input[type=password]{font:inherit;padding:.4rem;border:2px solid #4a4a4a;width:100%;box-sizing:border-box}
.hint{color:#4a4a4a;font-size:.95rem}.error{border-left:.3rem solid #b3261e;background:#fdecea;padding:.5rem 1rem}
button{font:inherit;padding:.5rem 1.25rem;margin-right:.5rem;border:2px solid #154273;background:#154273;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#154273}:focus-visible{outline:3px solid #ffb612;outline-offset:2px}`;

/** The same page for the staff pages' client: test members of staff instead of test citizens. */
const STAFF_TEXT = {
  nl: {
    intro: 'Dit is een nagebootste inlogdienst voor medewerkers van de gemeente, voor de demo van ketenstatus. Kies een testmedewerker.',
    who: 'Testmedewerker',
    hint: 'Het wachtwoord is voor iedere testmedewerker: demo',
  },
  en: {
    intro: 'This is a simulated login service for the municipality’s staff, for the ketenstatus demo. Choose a test member of staff.',
    who: 'Test member of staff',
    hint: 'The password for every test member of staff is: demo',
  },
} as const;

export function renderLogin(input: { uid: string; lang: 'nl' | 'en'; citizens: DemoCitizen[]; failed?: boolean; selected?: string; staff?: boolean }): string {
  const t = input.staff ? { ...TEXT[input.lang], ...STAFF_TEXT[input.lang] } : TEXT[input.lang];
  const selected = input.selected ?? input.citizens[0]?.id;
  return html`<!doctype html>
<html lang="${input.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}</title><style>${raw(STYLE)}</style></head>
<body><main>
<h1>${t.title}</h1>
<p>${t.intro}</p>
${input.failed ? html`<p class="error" role="alert">${t.failed}</p>` : ''}
<form method="post" action="/interaction/${input.uid}">
<fieldset><legend>${t.who}</legend>
${input.citizens.map(
  (c) => html`<div class="choice"><input type="radio" name="citizen" id="citizen-${c.id}" value="${c.id}" ${c.id === selected ? 'checked' : ''}>
<label for="citizen-${c.id}">${c.name}<small>${c.role[input.lang]}</small></label></div>`,
)}
</fieldset>
<p><label for="password">${t.password}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required aria-describedby="password-hint"></p>
<p class="hint" id="password-hint">${t.hint}</p>
<button type="submit" name="action" value="login">${t.login}</button>
<button type="submit" name="action" value="abort" class="secondary" formnovalidate>${t.cancel}</button>
</form>
</main></body></html>`.toString();
}

export function renderIdpError(message: string): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Login error</title><style>${raw(STYLE)}</style></head>
<body><main><h1>Login error</h1><p>${message}</p><p>Go back to the gateway and start the login again.</p></main></body></html>`.toString();
}
