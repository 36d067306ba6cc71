// Who sent this notification? Either a ZGW JWT signed with the organisation's notification
// secret (client_id = notifications.clientId), or the fixed Authorization value registered for it
// (what an NRC abonnement sends), or the value the gateway generated for its own abonnement at the
// organisation's NRC (src/subscriptions).
import { HttpProblem } from '../http/problem.ts';
import { CachedTokenVerifier, bearerToken } from '../http/zgw-auth.ts';
import { JwtError } from '../lib/zgw-jwt.ts';
import type { NetworkService } from '../network/service.ts';
import { hasZaken, type ZakenOrganisation } from '../network/types.ts';
import { digestOf } from '../lib/digest.ts';

export class NotificationAuthenticator {
  private readonly network: NetworkService;
  private readonly verifier: CachedTokenVerifier;
  private fixed = new Map<string, string>(); // digest of the registered value → organisation id
  private readonly generated?: GeneratedAuthorizations;

  constructor(network: NetworkService, jwt: { maxAgeSeconds: number; leewaySeconds: number }, generated?: GeneratedAuthorizations) {
    this.network = network;
    this.generated = generated;
    this.verifier = new CachedTokenVerifier({
      ...jwt,
      secretFor: (clientId) => {
        const org = network.byNotificationClientId(clientId);
        return org ? network.secret(org.notifications.secret) : undefined;
      },
    });
    this.rebuild();
    network.onChange(() => this.rebuild());
  }

  /** The sending organisation; throws 401 (not authenticated) or 403 (organisation not active). */
  authenticate(authorization: string | undefined): ZakenOrganisation {
    const org = this.identify(authorization);
    if (org.status !== 'active') throw notActive(org);
    return org;
  }

  /** The sending organisation whatever its status (a joining member's test notification); throws 401. */
  identify(authorization: string | undefined): ZakenOrganisation {
    if (!authorization) throw unauthenticated('Send Authorization: Bearer <ZGW JWT> or the value registered for your organisation.');
    const digest = digestOf(authorization);
    const fixedOrg = this.fixed.get(digest) ?? this.generated?.organisationFor(digest);
    return (fixedOrg !== undefined ? this.network.zakenOrganisation(fixedOrg) : undefined) ?? this.byJwt(authorization, digest);
  }

  private byJwt(authorization: string, digest: string): ZakenOrganisation {
    const token = bearerToken(authorization);
    if (!token) throw unauthenticated('The Authorization value is not registered for any organisation.');
    try {
      const claims = this.verifier.verify(token, digest);
      const org = this.network.byNotificationClientId(claims.client_id);
      if (!org) throw unauthenticated('The token is for an unknown client.');
      return org;
    } catch (error) {
      if (error instanceof JwtError) throw unauthenticated(`The token is not valid: ${error.message}.`);
      throw error;
    }
  }

  private rebuild(): void {
    const fixed = new Map<string, string>();
    for (const org of this.network.list().filter(hasZaken)) {
      try {
        const value = this.network.secret(org.notifications.authorization);
        if (value) fixed.set(digestOf(value), org.id);
      } catch {
        // An unresolvable env reference: that organisation cannot use the fixed value.
      }
    }
    this.fixed = fixed;
  }
}

/** The Authorization values the gateway generated for its abonnementen, by digest. */
export interface GeneratedAuthorizations {
  organisationFor(digest: string): string | undefined;
}

export function notActive(org: ZakenOrganisation) {
  return new HttpProblem({ status: 403, detail: `Organisation ${org.id} is ${org.status}; only active members may notify.` });
}

function unauthenticated(detail: string) {
  return new HttpProblem({ status: 401, detail, headers: { 'WWW-Authenticate': 'Bearer realm="ketenstatus-notificaties"' } });
}
