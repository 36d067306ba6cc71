import type { AppVariables } from '../http/context.ts';
import type { Lang } from '../i18n/index.ts';

export type WebEnv = { Variables: AppVariables & { lang: Lang } };
