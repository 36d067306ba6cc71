import { z } from 'zod';
import type { InvalidParam } from '../lib/service-error.ts';
import { validationProblem } from './problem.ts';

/** Parses with zod; failures become a 400 with ZGW-style invalidParams. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const params: InvalidParam[] = result.error.issues.map((issue) => ({
    name: issue.path.length > 0 ? issue.path.map(String).join('.') : where,
    code: issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.code,
    reason: issue.message,
  }));
  throw validationProblem(params);
}

/**
 * Text a person writes: at most `max` characters as sent (the contract's maxLength), not only
 * spaces (its pattern '\S'), kept without leading and trailing spaces.
 */
export const writtenText = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/\S/, 'must not be empty or only spaces')
    .transform((s) => s.trim());

/**
 * An http(s) URL as sent, as the contract's pattern says it: the scheme, '//', a host, no spaces
 * anywhere (the URL parser would drop them, so what is stored would differ from what is checked).
 */
const HTTP_URL = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/;
export const isHttpUrl = (value: string) => HTTP_URL.test(value) && URL.canParse(value);

/** An http(s) URL field: at most `max` characters as sent, and taken as sent (nothing trimmed). */
export const httpUrl = (max: number) =>
  z.string().max(max).regex(HTTP_URL, 'must be an http(s) URL with a host, without spaces').refine(URL.canParse, 'must be a URL');
