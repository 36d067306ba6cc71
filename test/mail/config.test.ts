// The mail settings as src/config.ts reads them: a bad value stops start-up with a message naming it.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';

const parse = (env: Record<string, string>) => parseConfig({ DEMO: 'true', ...env });

describe('mail configuration', () => {
  it('is off by default: no SMTP, no listener', () => {
    expect(parse({}).mail).toEqual({ smtpUrl: undefined, from: undefined, replyDomain: undefined, inbound: undefined });
  });

  it('reads SMTP_URL, MAIL_FROM, MAIL_REPLY_DOMAIN and the listener with its defaults', () => {
    const { mail } = parse({
      SMTP_URL: 'smtps://user:pw@smtp.example.org:465',
      MAIL_FROM: 'Gemeente Voorbeeld <noreply@gemeente.example>',
      MAIL_REPLY_DOMAIN: 'Reply.Gemeente.Example',
      SMTP_INBOUND_PORT: '2525',
    });
    expect(mail).toEqual({
      smtpUrl: 'smtps://user:pw@smtp.example.org:465',
      from: 'Gemeente Voorbeeld <noreply@gemeente.example>',
      replyDomain: 'reply.gemeente.example',
      inbound: { host: '127.0.0.1', port: 2525, maxBytes: 10 * 1024 * 1024 },
    });
  });

  it.each([
    [{ SMTP_URL: 'http://smtp.example.org' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://smtp.example.org' }, 'MAIL_FROM'],
    [{ SMTP_URL: 'smtp://smtp.example.org', MAIL_FROM: 'nobody' }, 'MAIL_FROM'],
    [{ SMTP_INBOUND_PORT: '2525' }, 'MAIL_REPLY_DOMAIN'],
    [{ SMTP_INBOUND_PORT: '2525', MAIL_REPLY_DOMAIN: 'not a domain' }, 'MAIL_REPLY_DOMAIN'],
    [{ SMTP_INBOUND_PORT: '70000', MAIL_REPLY_DOMAIN: 'reply.example.org' }, 'SMTP_INBOUND_PORT'],
    [{ MAIL_MAX_BYTES: '100' }, 'MAIL_MAX_BYTES'],
  ])('refuses %j, naming %s', (env, name) => {
    expect(() => parse(env)).toThrow(ConfigError);
    expect(() => parse(env)).toThrow(name);
  });
});
