// Authorization headers for calls to a subcontractor's Zaken/Catalogi API.
import * as oidc from 'openid-client';
import { signZgwJwt } from '../lib/zgw-jwt.ts';
import type { ZakenAuth } from '../network/types.ts';
import { OutboundError } from './errors.ts';

export interface AuthProvider {
  /** The Authorization header value to send. */
  header(): Promise<string>;
  /** The API answered 401 to `header`: forget it; true when one retry with a fresh header makes sense. */
  rejected(header: string): boolean;
}

/** Resolves a secret at the moment it is needed, so a missing env var fails the call, not the process. */
export type SecretSource = () => string | undefined;

// ZGW JWTs carry only iat; receivers judge age against their own maximum, so keep them young.
const ZGW_JWT_REUSE_MS = 60_000;
// Refresh OAuth2 tokens this long before they expire: the smaller of 30 s and 10 % of the lifetime.
const REFRESH_MARGIN_MS = 30_000;
const DEFAULT_TOKEN_LIFETIME_S = 300;
const PERMANENT_OAUTH_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'invalid_scope', 'unsupported_grant_type', 'invalid_request']);

export function createAuth(orgId: string, auth: ZakenAuth, secret: SecretSource, timeoutMs: number): AuthProvider {
  return auth.type === 'zgw-jwt' ? new ZgwJwtAuth(orgId, auth.clientId, secret) : new OAuth2Auth(orgId, auth, secret, timeoutMs);
}

function requireSecret(orgId: string, secret: SecretSource): string {
  let value: string | undefined;
  try {
    value = secret();
  } catch (error) {
    throw new OutboundError('auth', `secret for ${orgId} cannot be resolved: ${(error as Error).message}`, { retryable: false, cause: error });
  }
  if (!value) throw new OutboundError('auth', `no outbound secret configured for ${orgId}`, { retryable: false });
  return value;
}

class ZgwJwtAuth implements AuthProvider {
  private readonly orgId: string;
  private readonly clientId: string;
  private readonly secret: SecretSource;
  private cached?: { value: string; signedAt: number };

  constructor(orgId: string, clientId: string, secret: SecretSource) {
    this.orgId = orgId;
    this.clientId = clientId;
    this.secret = secret;
  }

  async header(): Promise<string> {
    if (!this.cached || Date.now() - this.cached.signedAt > ZGW_JWT_REUSE_MS) {
      const token = signZgwJwt({ client_id: this.clientId }, requireSecret(this.orgId, this.secret));
      this.cached = { value: `Bearer ${token}`, signedAt: Date.now() };
    }
    return this.cached.value;
  }

  rejected(): boolean {
    // Re-signing with the same secret cannot fix a 401.
    return false;
  }
}

class OAuth2Auth implements AuthProvider {
  private readonly orgId: string;
  private readonly auth: Extract<ZakenAuth, { type: 'oauth2' }>;
  private readonly secret: SecretSource;
  private readonly timeoutMs: number;
  private configuration?: Promise<oidc.Configuration>;
  private token?: { header: string; refreshAt: number };
  private refreshing?: Promise<string>;

  constructor(orgId: string, auth: Extract<ZakenAuth, { type: 'oauth2' }>, secret: SecretSource, timeoutMs: number) {
    this.orgId = orgId;
    this.auth = auth;
    this.secret = secret;
    this.timeoutMs = timeoutMs;
  }

  async header(): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return this.token.header;
    // One refresh at a time: every caller waiting for a token shares the same grant.
    this.refreshing ??= this.fetchToken().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  rejected(header: string): boolean {
    // Only the first 401 for a token drops it; later ones for the same token join the refresh.
    if (this.token?.header === header) this.token = undefined;
    return true;
  }

  private async fetchToken(): Promise<string> {
    const started = Date.now();
    try {
      const config = await this.discover();
      const response = await oidc.clientCredentialsGrant(config, this.auth.scope ? { scope: this.auth.scope } : {});
      const lifetimeMs = (response.expiresIn() ?? DEFAULT_TOKEN_LIFETIME_S) * 1000;
      const header = `Bearer ${response.access_token}`;
      this.token = { header, refreshAt: started + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 10) };
      return header;
    } catch (error) {
      throw this.authError(error);
    }
  }

  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= this.runDiscovery().catch((error) => {
      this.configuration = undefined; // a failed discovery is retried on the next call
      throw error;
    });
    return this.configuration;
  }

  private async runDiscovery(): Promise<oidc.Configuration> {
    const issuer = new URL(this.auth.issuer);
    const insecure = issuer.protocol === 'http:';
    if (insecure && !isLoopback(issuer.hostname)) {
      throw new OutboundError('auth', `issuer of ${this.orgId} must use https`, { retryable: false });
    }
    const secret = requireSecret(this.orgId, this.secret);
    return oidc.discovery(issuer, this.auth.clientId, undefined, clientSecret(secret), {
      execute: insecure ? [oidc.allowInsecureRequests] : [],
      timeout: Math.max(1, Math.ceil(this.timeoutMs / 1000)),
    });
  }

  private authError(error: unknown): OutboundError {
    if (error instanceof OutboundError) return error;
    if (error instanceof oidc.ResponseBodyError) {
      const permanent = error.status >= 400 && error.status < 500 && PERMANENT_OAUTH_ERRORS.has(error.error);
      return new OutboundError('auth', `token endpoint of ${this.orgId} refused: ${error.error}`, { retryable: !permanent, cause: error });
    }
    const reason = (error as Error)?.message ?? String(error);
    return new OutboundError('auth', `token for ${this.orgId} could not be obtained: ${reason}`, { retryable: true, cause: error });
  }
}

/** client_secret_basic unless the server says it only takes client_secret_post. */
function clientSecret(secret: string): oidc.ClientAuth {
  const basic = oidc.ClientSecretBasic(secret);
  const post = oidc.ClientSecretPost(secret);
  return (as, client, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    const usePost = Array.isArray(methods) && methods.includes('client_secret_post') && !methods.includes('client_secret_basic');
    (usePost ? post : basic)(as, client, body, headers);
  };
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
