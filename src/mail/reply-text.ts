// The new text of an e-mail reply: without the quoted history below (or between) it and without
// the signature. Line by line with short anchored patterns, so its time grows linearly with the
// message (docs/mail.md says why no library does this here).

/** Only this much of a line is looked at to recognise a quote header (they are short). */
const HEAD = 400;

// "On <date>, <name> <address> wrote:" in the languages partners write in (and the usual others);
// Dutch and German put the name after the verb ("Op <date> schreef <name> <address>:").
const ATTRIBUTION =
  /^(?:on|op|am|le|el|il|em|den|pe|på)\s.{0,300}?(?:wrote|schreef|schrieb|a écrit|escribió|ha scritto|escreveu|skrev|kirjoitti)(?:\s.{0,300})?:\s*$/i;
// Apple Mail in Dutch: "Op 5 dec. 2026 om 10:00 heeft <name> het volgende geschreven:".
const ATTRIBUTION_NL = /^op\s.{0,300}?\sheeft\s.{0,300}?\sgeschreven\s*:\s*$/i;
const SEPARATOR =
  /^\s*-{2,}\s*(?:original message|oorspronkelijk bericht|origineel bericht|ursprüngliche nachricht|message d'origine|ursprungligt meddelande|alkuperäinen viesti|forwarded message|doorgestuurd bericht)\s*-{2,}\s*$/i;
// Outlook's header block: "From: …" (or Van:, Von:, De:, Från:, Lähettäjä:) followed by Sent/To/Subject.
const HEADER_FROM = /^\s*\*?(?:from|van|von|de|från|lähettäjä)\s*:\*?\s*\S/i;
const HEADER_NEXT =
  /^\s*\*?(?:sent|verzonden|date|datum|gesendet|envoyé|skickat|lähetetty|to|aan|an|à|till|vastaanottaja|subject|onderwerp|betreff|objet|ämne|aihe|cc)\s*:/i;
const RULE = /^\s*_{10,}\s*$/;
const QUOTED = /^\s*>/;
const SIGNATURE_DELIMITER = /^--\s?$/;
// A mail app's own line at the end: "Sent from my iPhone", "Verstuurd vanaf mijn iPad", "Get Outlook for iOS".
const APP_SIGNATURE =
  /^\s*(?:sent from|sent with|verstuurd vanaf|verzonden vanaf|verzonden met|get outlook for|download outlook voor|outlook voor|envoyé de|gesendet von|skickat från|lähetetty)\b/i;

/** The reply's own text: quoted history, quote headers, the signature and a mail app's tag line removed. */
export function replyText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trimEnd();
    const head = line.slice(0, HEAD);
    if (SIGNATURE_DELIMITER.test(line) || SEPARATOR.test(head)) break;
    if (isAttribution(head, lines[i + 1])) break;
    if (RULE.test(line) && HEADER_FROM.test(nextNonEmpty(lines, i + 1))) break;
    if (HEADER_FROM.test(head) && startsHeaderBlock(lines, i + 1)) break;
    if (QUOTED.test(line)) continue;
    kept.push(line);
  }
  while (kept.length > 0 && (kept[kept.length - 1] === '' || APP_SIGNATURE.test(kept[kept.length - 1].slice(0, HEAD)))) kept.pop();
  while (kept.length > 0 && kept[0] === '') kept.shift();
  // Removed quotes leave runs of blank lines: one is enough.
  return kept.filter((line, i) => line !== '' || kept[i - 1] !== '').join('\n');
}

/** An attribution line, also when a mail app wrapped it over two lines (Gmail does at ~76 characters). */
function isAttribution(head: string, next: string | undefined): boolean {
  if (ATTRIBUTION.test(head) || ATTRIBUTION_NL.test(head)) return true;
  if (next === undefined || !/^(?:on|op|am|le|el|il|em|den|pe|på)\s/i.test(head)) return false;
  const joined = `${head} ${next.trim().slice(0, HEAD)}`;
  return ATTRIBUTION.test(joined) || ATTRIBUTION_NL.test(joined);
}

/** Whether one of the next three non-empty lines is another header of Outlook's block (Sent:, To:, Subject:). */
function startsHeaderBlock(lines: string[], from: number): boolean {
  let seen = 0;
  for (let i = from; i < lines.length && seen < 3; i++) {
    if (lines[i].trim() === '') continue;
    if (HEADER_NEXT.test(lines[i].slice(0, HEAD))) return true;
    seen++;
  }
  return false;
}

function nextNonEmpty(lines: string[], from: number): string {
  for (let i = from; i < lines.length; i++) if (lines[i].trim() !== '') return lines[i].slice(0, HEAD);
  return '';
}
