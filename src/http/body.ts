import type { Context } from 'hono';
import { HttpProblem } from './problem.ts';

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json(\s*;.*)?$/i;

/** Reads a JSON body. The size was already bounded by the body-limit middleware. */
export async function readJson(c: Context, accept: RegExp = JSON_TYPE): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!accept.test(type)) {
    throw new HttpProblem({ status: 415, detail: `Send the body as ${accept === JSON_TYPE ? 'application/json' : accept.source}.` });
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpProblem({ status: 400, code: 'malformed-json', title: 'Malformed JSON', detail: `The body is not valid JSON: ${(error as Error).message}` });
  }
}
