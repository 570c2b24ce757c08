import { StitchError } from './errors';

/** Which upstream URLs the stitcher may fetch. */
export interface OriginPolicy {
  /** Host names, `host:port`, or `*.example.com` for any subdomain on the default port. */
  readonly allowedOrigins: string[];
  /** Also allow plain http (loopback tests, private origins); https only otherwise. */
  readonly allowHttp: boolean;
}

/** Parses the comma-separated allow-list the construct passes in the environment. */
export function parseAllowedOrigins(value: string | undefined): string[] {
  return (value ?? '').split(',').map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== '');
}

/**
 * Throws 403 naming the host unless `url` may be fetched: the scheme is https (or http when
 * allowed) and the host matches an entry. An entry without a port matches only the default port.
 */
export function assertAllowedUpstream(url: URL, policy: OriginPolicy): void {
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    throw StitchError.forbidden(`scheme ${url.protocol} is not allowed for ${url.host}: ${policy.allowHttp ? 'http and https' : 'only https'} may be fetched`);
  }
  if (url.username || url.password) throw StitchError.forbidden(`credentials in upstream URLs are not allowed (host ${url.host})`);
  const host = url.host.toLowerCase();
  const allowed = policy.allowedOrigins.some((entry) => entry.startsWith('*.')
    ? host.endsWith(entry.slice(1)) && host.length > entry.length - 1 && !host.includes(':')
    : host === entry);
  if (!allowed) throw StitchError.forbidden(`host ${url.host} is not in the stitcher's allowed origins`);
}
