/** The ZGW vertrouwelijkheidaanduiding levels, least confidential first (Zaken API 1.5.1). */
export const CONFIDENTIALITY_LEVELS = [
  'openbaar',
  'beperkt_openbaar',
  'intern',
  'zaakvertrouwelijk',
  'vertrouwelijk',
  'confidentieel',
  'geheim',
  'zeer_geheim',
] as const;
