// The citizen page as an OpenID Connect client (openid-client v6): authorization code flow with
// PKCE (S256), state and nonce. The provider is discovered at first use and the result cached; a
// failed discovery is retried on the next login instead of being remembered.
import * as oidc from 'openid-client';

export interface CitizenLoginOptions {
  /** The issuer, read at first use (the demo's provider starts after the configuration is read). */
  issuer: () => string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  scope: string;
  resource: string | undefined;
  redirectUri: string;
}

export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export class LoginUnavailable extends Error {}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export class CitizenLogin {
  private readonly options: CitizenLoginOptions;
  private configuration?: Promise<oidc.Configuration>;

  constructor(options: CitizenLoginOptions) {
    this.options = options;
  }

  configured(): boolean {
    return Boolean(this.options.issuer() && this.options.clientId);
  }

  /** A fresh login: the values to keep server-side and the URL to send the browser to. */
  async start(input: { lang: string }): Promise<{ pending: PendingLogin; url: URL }> {
    const config = await this.discover();
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: this.options.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      // A citizen page: always ask who is there, also when the provider still has a session.
      prompt: 'login',
      ui_locales: input.lang,
      ...(this.options.resource ? { resource: this.options.resource } : {}),
    });
    return { pending, url };
  }

  /** Redeems the code of the callback URL; throws openid-client's errors when anything is off. */
  async finish(callbackUrl: URL, pending: PendingLogin) {
    const config = await this.discover();
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callbackUrl,
      {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: this.options.scope.split(' ').includes('openid'),
      },
      this.options.resource ? { resource: this.options.resource } : undefined,
    );
    const claims = tokens.claims();
    return {
      accessToken: tokens.access_token,
      expiresIn: tokens.expiresIn(),
      name: typeof claims?.name === 'string' ? claims.name : null,
      /** The ID token's claims, verified by openid-client (signature, issuer, audience, nonce); undefined without one. */
      claims,
    };
  }

  /** The provider's UserInfo claims for a login's access token (`subject`: the ID token's sub, checked against them). */
  async userInfo(accessToken: string, subject: string): Promise<oidc.UserInfoResponse> {
    return oidc.fetchUserInfo(await this.discover(), accessToken, subject);
  }

  private discover(): Promise<oidc.Configuration> {
    const issuer = this.options.issuer();
    const { clientId, clientSecret } = this.options;
    if (!issuer || !clientId) return Promise.reject(new LoginUnavailable('this login is not configured (its OIDC issuer and client id)'));
    this.configuration ??= (async () => {
      const url = new URL(issuer);
      // Plain http only towards this machine (the demo's provider); anything else must be https.
      const insecure = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
      try {
        return await oidc.discovery(url, clientId, undefined, clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(), {
          timeout: 5,
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        });
      } catch (error) {
        this.configuration = undefined;
        throw new LoginUnavailable(`the identity provider ${issuer} cannot be discovered: ${(error as Error).message}`);
      }
    })();
    return this.configuration;
  }
}
