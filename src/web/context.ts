import type { AppVariables } from '../http/context.ts';
import type { Lang } from '../citizen/language.ts';

export type WebEnv = { Variables: AppVariables & { lang: Lang } };
