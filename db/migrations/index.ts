import type { Migration } from 'kysely/migration';
import * as foundation from './20261125_01_foundation.ts';
import * as cases from './20261125_02_cases.ts';
import * as sync from './20261125_03_sync.ts';
import * as citizen from './20261125_04_citizen.ts';
import * as delivery from './20261125_05_delivery.ts';
import * as web from './20261125_06_web.ts';
import * as hotUpdates from './20261125_07_hot_updates.ts';
import * as dropOrderEtag from './20261205_01_drop_order_etag.ts';
import * as nrcSubscriptions from './20261205_02_nrc_subscriptions.ts';
import * as mail from './20261205_03_mail.ts';
import * as partner from './20261205_04_partner.ts';
import * as companies from './20261205_05_companies.ts';
import * as groups from './20261205_06_groups.ts';
import * as staff from './20261205_07_staff.ts';
import * as partnerLogin from './20261205_08_partner_login.ts';
import * as agreements from './20261205_11_agreements.ts';
import * as noticePreferences from './20261205_09_notice_preferences.ts';
import * as notices from './20261205_10_notices.ts';
import * as onboarding from './20261205_12_onboarding.ts';
import * as onboardingCodeLimit from './20261205_13_onboarding_code_limit.ts';
import * as onboardingReview from './20261205_14_onboarding_review.ts';
import * as openAgeCancelled from './20261205_15_open_age_cancelled.ts';
import * as phaseSecondsPerOrder from './20261205_16_phase_seconds_per_order.ts';

// Listed explicitly (not read from disk) so migrations work the same from any working directory.
export const migrations: Record<string, Migration> = {
  '20261125_01_foundation': foundation,
  '20261125_02_cases': cases,
  '20261125_03_sync': sync,
  '20261125_04_citizen': citizen,
  '20261125_05_delivery': delivery,
  '20261125_06_web': web,
  '20261125_07_hot_updates': hotUpdates,
  '20261205_01_drop_order_etag': dropOrderEtag,
  '20261205_02_nrc_subscriptions': nrcSubscriptions,
  '20261205_03_mail': mail,
  '20261205_04_partner': partner,
  '20261205_05_companies': companies,
  '20261205_06_groups': groups,
  '20261205_07_staff': staff,
  '20261205_08_partner_login': partnerLogin,
  '20261205_11_agreements': agreements,
  '20261205_09_notice_preferences': noticePreferences,
  '20261205_10_notices': notices,
  '20261205_12_onboarding': onboarding,
  '20261205_13_onboarding_code_limit': onboardingCodeLimit,
  '20261205_14_onboarding_review': onboardingReview,
  '20261205_15_open_age_cancelled': openAgeCancelled,
  '20261205_16_phase_seconds_per_order': phaseSecondsPerOrder,
};
