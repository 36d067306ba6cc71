// The pages' one stylesheet, served from the gateway itself (no CDN, no inline styles, so the
// Content-Security-Policy can stay strict). Colours meet WCAG AA contrast on white.
import { createHash } from 'node:crypto';

export const STYLESHEET = `
:root{--ink:#1b1b1b;--muted:#4a4a4a;--brand:#154273;--brand-light:#e8eef5;--line:#b4b4b4;--focus:#ffb612;
--ok:#1e6b31;--warn-bg:#fff4d6;--warn:#7a4b00;--error:#b3261e;--error-bg:#fdecea}
*{box-sizing:border-box}
html{font:1.0625rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
body{margin:0}
a{color:var(--brand);text-underline-offset:.15em}a:hover{text-decoration-thickness:.15em}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px;box-shadow:0 0 0 5px var(--ink)}
.skip{position:absolute;left:.5rem;top:-3rem;background:#fff;color:var(--ink);padding:.5rem 1rem;z-index:10}
.skip:focus{top:.5rem}
.wrap{max-width:62rem;margin:0 auto;padding:0 1rem}
.wide .wrap{max-width:84rem}
.table-scroll{overflow-x:auto;margin:.5rem 0 1rem}.table-scroll table{margin:0}
header.site{background:var(--brand);color:#fff}
header.site .wrap{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding-top:.75rem;padding-bottom:.75rem}
header.site a,header.site .who{color:#fff}
.brand{font-weight:700;font-size:1.25rem;text-decoration:none;margin-right:auto}
.brand small{display:block;font-weight:400;font-size:.85rem}
header.site form{margin:0}
nav.langs ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:0 .75rem}
nav.langs a[aria-current=true]{font-weight:700;text-decoration:none;border-bottom:2px solid #fff}
header.site button{background:transparent;color:#fff;border:2px solid #fff;padding:.25rem .75rem}
nav.main{background:var(--brand-light);border-bottom:1px solid var(--line)}
nav.main ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:0 1.5rem}
nav.main a{display:inline-block;padding:.6rem 0;font-weight:600;text-decoration:none;color:var(--brand)}
nav.main a[aria-current=page]{border-bottom:4px solid var(--brand)}
main{padding:1.5rem 0 3rem}main:focus{outline:none}
h1{font-size:2rem;line-height:1.2;margin:.5rem 0 1rem}
h2{font-size:1.4rem;margin:2rem 0 .75rem}h3{font-size:1.15rem;margin:1.25rem 0 .5rem}
.lead{font-size:1.15rem;max-width:42rem}
.notice{border-left:.35rem solid var(--brand);background:var(--brand-light);padding:.6rem 1rem;margin:1rem 0}
.notice.ok{border-color:var(--ok);background:#e6f2e8}
.gaps{border-left:.35rem solid var(--warn);background:var(--warn-bg);padding:.6rem 1rem;margin:1rem 0}
.gaps h3,.gaps h4{margin:.25rem 0 .4rem;font-size:1.05rem}.gaps ul{margin:0;padding-left:1.2rem}
.error-summary{border:4px solid var(--error);padding:.75rem 1rem;margin:1rem 0}
.error-summary h2{margin-top:0;font-size:1.2rem}
.field{margin:0 0 1.25rem}
.field label,.field legend{display:block;font-weight:700}
.field .choice{display:flex;gap:.5rem;align-items:baseline;margin:.2rem 0}.field .choice label{display:inline;font-weight:400}
.hint{display:block;color:var(--muted);margin:.1rem 0 .35rem}
.field-error{display:block;color:var(--error);font-weight:700;margin:.1rem 0 .35rem}
input[type=text],input[type=email],input[type=date],select,textarea{font:inherit;padding:.45rem .5rem;border:2px solid var(--ink);border-radius:0;max-width:100%;background:#fff;color:var(--ink)}
input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border-color:var(--error);border-width:3px}
input.bsn{width:12ch}input[type=email]{width:42ch}textarea{width:100%}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.5rem 1.1rem;border:2px solid var(--brand);background:var(--brand);color:#fff;cursor:pointer;text-decoration:none;border-radius:0}
button.secondary,.button.secondary{background:#fff;color:var(--brand)}
button.link{background:none;border:0;padding:0;color:var(--brand);text-decoration:underline;font-weight:400}
.case{border:1px solid var(--line);border-top:.35rem solid var(--brand);padding:.25rem 1.25rem 1rem;margin:1.25rem 0}
.case h2{margin-top:.75rem}
.case.closed{border-top-color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1.25rem;margin:.5rem 0 1rem}
dl.facts dt{font-weight:700}dl.facts dd{margin:0}
.phase{display:inline-block;padding:.05rem .5rem;border:2px solid currentColor;font-weight:700}
.phase.actie_vereist{color:var(--error)}.phase.afgerond{color:var(--ok)}.phase.geannuleerd{color:var(--muted)}
progress{width:10rem;height:1rem;vertical-align:middle;accent-color:var(--brand)}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:700;padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.45rem .6rem;border-bottom:1px solid var(--line)}
th{background:var(--brand-light)}
td form{margin:0}
ol.timeline{list-style:none;padding:0;margin:.5rem 0 1rem;border-left:3px solid var(--line)}
ol.timeline li{padding:.25rem 0 .6rem 1rem;position:relative}
ol.timeline li::before{content:"";position:absolute;left:-.45rem;top:.6rem;width:.6rem;height:.6rem;background:var(--brand);border-radius:50%}
ol.timeline time{display:block;color:var(--muted);font-size:.95rem}
.part{border-top:1px solid var(--line);padding-top:.25rem}
.muted{color:var(--muted)}.nowrap{white-space:nowrap}
.pre{white-space:pre-line}ol.messages{list-style:none;padding:0;margin:.5rem 0 1rem}ol.messages>li{border-top:1px solid var(--line);padding:.25rem 0 .5rem}
.pager{display:flex;gap:1.5rem;list-style:none;padding:0}
footer{border-top:1px solid var(--line);color:var(--muted);padding:1rem 0 2rem;font-size:.95rem}
.badge{display:inline-block;font-size:.85rem;font-weight:700;padding:0 .4rem;border:1px solid currentColor}
.badge.open{color:var(--error)}.badge.half-open{color:var(--warn)}.badge.closed{color:var(--ok)}
code{font-family:ui-monospace,monospace;font-size:.95em}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

/** Content hash in the URL: the sheet can be cached for long and still change with a release. */
export const STYLESHEET_PATH = `/assets/site-${createHash('sha256').update(STYLESHEET).digest('hex').slice(0, 10)}.css`;
