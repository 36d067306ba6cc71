// What a message says, in the customer's language: a case notice names the case reference, the
// phase in plain words and the link to the case page — never a BSN, a name or anything more.
import { isLang, type Lang, translate } from '../i18n/index.ts';
import { PHASES } from '../cases/phases.ts';
import type { Phase } from '../network/types.ts';
import type { MessageKind, NoticeChannel } from './outbound.ts';

export interface StoredMessage {
  id: string;
  kind: MessageKind;
  channel: NoticeChannel;
  recipient: string;
  language: string;
  params: Record<string, string>;
  unsubscribe_url: string | null;
}

export interface RenderedMessage {
  id: string;
  kind: MessageKind;
  channel: NoticeChannel;
  to: string;
  language: Lang;
  /** E-mail only. */
  subject: string;
  text: string;
  /** The values a Notify template is filled with (the phase already in words). */
  personalisation: Record<string, string>;
  unsubscribeUrl?: string;
}

export function renderMessage(m: StoredMessage): RenderedMessage {
  const lang: Lang = isLang(m.language) ? m.language : 'nl';
  const t = (key: Parameters<typeof translate>[1], params: Record<string, string> = {}) => translate(lang, key, params);
  const base = {
    id: m.id,
    kind: m.kind,
    channel: m.channel,
    to: m.recipient,
    language: lang,
    ...(m.unsubscribe_url ? { unsubscribeUrl: m.unsubscribe_url } : {}),
  };
  if (m.kind === 'verification-code') {
    const code = m.params.code ?? '';
    const lines = [t('notice.codeText', { code }), t('notice.codeIgnore')];
    return { ...base, subject: t('notice.codeSubject'), text: m.channel === 'sms' ? lines[0] : `${lines.join('\n\n')}\n`, personalisation: { code } };
  }
  const phase = PHASES.includes(m.params.phase as Phase) ? t(`phase.${m.params.phase as Phase}`) : '';
  const values = { reference: m.params.reference ?? '', phase, url: m.params.url ?? '' };
  const news = t('notice.caseText', values);
  if (m.channel === 'sms') return { ...base, subject: '', text: `${news} ${values.url}`, personalisation: values };
  const paragraphs = [news, t('notice.caseLink', values), t('notice.automatic')];
  if (m.unsubscribe_url) paragraphs.push(t('notice.unsubscribe', { url: m.unsubscribe_url }));
  return { ...base, subject: t('notice.caseSubject', values), text: `${paragraphs.join('\n\n')}\n`, personalisation: values };
}
