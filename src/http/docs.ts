// /openapi.yaml (the contract) and /docs: the contract in Swagger UI (swagger-ui-dist) with its
// schemas, examples and try-it-out against this gateway. Its script and stylesheet are served by the
// gateway from node_modules — no CDN: the gateway often runs where the internet is not reachable.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { html } from 'hono/html';

const CONTRACT_URL = new URL('../../contracts/openapi.yaml', import.meta.url);
const require = createRequire(import.meta.url);
// Located through its package.json: the package's main module would load the whole bundle into Node.
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_VERSION = (require('swagger-ui-dist/package.json') as { version: string }).version;

/** Versioned, so a browser may keep them for good; a new swagger-ui-dist is a new path. */
export const DOCS_ASSETS = `/docs/assets/${SWAGGER_VERSION}`;

// Our own start script: a file rather than an inline <script>, so the page needs no 'unsafe-inline'
// for scripts. No validator badge (it would call validator.swagger.io), no URL bar to other specs.
const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.yaml',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 1,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const ASSETS: Record<string, { file?: string; body?: string; type: string }> = {
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  'init.js': { body: INIT_JS, type: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { file: 'favicon-32x32.png', type: 'image/png' },
};

/**
 * The viewer's needs and nothing more, on /docs only (the pages keep their strict policy): its own
 * scripts, inline style attributes that React sets, data: images in its stylesheet, and requests
 * (the contract, try-it-out) to this origin.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const PAGE = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ketenstatus API</title>
<link rel="stylesheet" href="${DOCS_ASSETS}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_ASSETS}/favicon-32x32.png">
</head><body>
<noscript><p>The API reference needs JavaScript. The contract itself is <a href="/openapi.yaml">/openapi.yaml</a> (OpenAPI 3).</p></noscript>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS}/swagger-ui-bundle.js"></script>
<script src="${DOCS_ASSETS}/init.js"></script>
</body></html>`;

export function docsRoutes() {
  const yamlText = readFileSync(CONTRACT_URL, 'utf8');
  const loaded = new Map<string, string | Uint8Array<ArrayBuffer>>(); // read on first use: 1.9 MB nobody needs until /docs is opened
  return new Hono()
    .get('/openapi.yaml', (c) => c.body(yamlText, 200, { 'content-type': 'application/yaml; charset=utf-8' }))
    .get('/docs', (c) => c.html(PAGE, 200, { 'content-security-policy': DOCS_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' }))
    .get(`${DOCS_ASSETS}/:name`, (c) => {
      const name = c.req.param('name');
      const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
      if (!asset) return c.notFound();
      let body = loaded.get(name);
      if (body === undefined) {
        body = asset.body ?? new Uint8Array(readFileSync(join(SWAGGER_DIR, asset.file!)));
        loaded.set(name, body);
      }
      return c.body(body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' });
    });
}
