// /openapi.yaml and a readable /docs page rendered on the server from the same contract
// (no CDN: the gateway often runs where the internet is not reachable).
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { parse } from 'yaml';

const CONTRACT_URL = new URL('../../contracts/openapi.yaml', import.meta.url);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name?: string; in?: string; required?: boolean; description?: string; $ref?: string }[];
  responses?: Record<string, { description?: string; $ref?: string }>;
  security?: unknown[];
}

export function docsRoutes() {
  const yamlText = readFileSync(CONTRACT_URL, 'utf8');
  const spec = parse(yamlText) as { info: { title: string; version: string; description?: string }; paths: Record<string, Record<string, Operation>> };
  const page = renderDocs(spec);
  return new Hono()
    .get('/openapi.yaml', (c) => c.body(yamlText, 200, { 'content-type': 'application/yaml; charset=utf-8' }))
    .get('/docs', (c) => c.html(page));
}

function renderDocs(spec: { info: { title: string; version: string; description?: string }; paths: Record<string, Record<string, Operation>> }) {
  const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m.toUpperCase(), op: item[m]! })),
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${spec.info.title} ${spec.info.version} — API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code,.m{font-family:ui-monospace,monospace}.m{display:inline-block;min-width:4.5rem;font-weight:700}
section{border-top:1px solid #ccc;padding:.5rem 0}table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #eee}</style>
</head><body><main>
<h1>${spec.info.title} <small>${spec.info.version}</small></h1>
<p>The contract is <a href="/openapi.yaml">/openapi.yaml</a> (OpenAPI 3). Errors are <code>application/problem+json</code> (RFC 9457).</p>
${operations.map(({ path, method, op }) => html`<section id="${method}-${path}">
<h2><span class="m">${method}</span> <code>${path}</code></h2>
${op.summary ? html`<p><strong>${op.summary}</strong></p>` : ''}
${op.description ? html`<p>${op.description}</p>` : ''}
${op.parameters?.length ? html`<table><tr><th>parameter</th><th>in</th><th>required</th><th>description</th></tr>
${op.parameters.map((p) => html`<tr><td><code>${p.name ?? p.$ref?.split('/').pop()}</code></td><td>${p.in ?? ''}</td><td>${p.required ? 'yes' : 'no'}</td><td>${p.description ?? ''}</td></tr>`)}</table>` : ''}
<p>Responses: ${raw(Object.entries(op.responses ?? {}).map(([code, r]) => `<code>${code}</code> ${escapeHtml(r.description ?? r.$ref?.split('/').pop() ?? '')}`).join('; '))}</p>
</section>`)}
</main></body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
