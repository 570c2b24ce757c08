import { parseAllowedOrigins } from './origin-allowlist';
import { PayloadLimits } from './payload';
import { OutputMode } from './stitcher';
import { UpstreamLimits } from './upstream';
import { maxUpstreamRedirects, stitcherLimits } from '../../src/pre-roll-stitcher/contract/defaults';
import { stitcherEnvironment } from '../../src/pre-roll-stitcher/contract/protocol';

/** Everything the stitching function is configured with. */
export interface StitcherConfig {
  readonly allowedOrigins: string[];
  readonly allowHttp: boolean;
  /** Secrets Manager ARN of the signing secret; undefined when payloads are not signed. */
  readonly signingSecretArn?: string;
  readonly mode: OutputMode;
  readonly dateRangeMarkers: boolean;
  readonly payloadLimits: PayloadLimits;
  readonly upstreamLimits: UpstreamLimits;
  /** Time one request may take from arrival to answer, in milliseconds (below the function timeout). */
  readonly requestDeadlineMs: number;
  readonly upstreamCacheTtlMs: number;
  readonly upstreamCacheBytes: number;
  /** Cache-Control max-age of successful responses. */
  readonly responseMaxAgeSeconds: number;
  /** Path under which the distribution forwards to the stitcher ('' for the root). */
  readonly pathPrefix: string;
}

/** Reads the configuration the construct wrote into the environment; throws naming a bad variable. */
export function readConfig(env: Record<string, string | undefined>): StitcherConfig {
  const mode = env[stitcherEnvironment.outputMode] ?? 'splice';
  if (mode !== 'splice' && mode !== 'interstitials') {
    throw new Error(`${stitcherEnvironment.outputMode} must be splice or interstitials, got '${mode}'`);
  }
  const integer = (name: keyof typeof stitcherLimits) => {
    const variable = stitcherEnvironment[name];
    const { default: fallback, minimum } = stitcherLimits[name];
    const text = env[variable];
    if (text === undefined || text === '') return fallback;
    const value = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
    if (!(value >= minimum)) throw new Error(`${variable} must be an integer >= ${minimum}, got '${text}'`);
    return value;
  };
  return {
    allowedOrigins: parseAllowedOrigins(env[stitcherEnvironment.allowedOrigins]),
    allowHttp: env[stitcherEnvironment.allowHttp] === 'true',
    signingSecretArn: env[stitcherEnvironment.signingSecretArn] || undefined,
    mode,
    dateRangeMarkers: env[stitcherEnvironment.dateRangeMarkers] === 'true',
    payloadLimits: {
      maxPayloadLength: integer('maxPayloadLength'),
      maxBreaks: integer('maxBreaks'),
    },
    upstreamLimits: {
      timeoutMs: integer('upstreamTimeoutMs'),
      maxBytes: integer('maxUpstreamBytes'),
      maxRedirects: maxUpstreamRedirects,
    },
    requestDeadlineMs: integer('requestDeadlineMs'),
    upstreamCacheTtlMs: integer('upstreamCacheTtlSeconds') * 1000,
    upstreamCacheBytes: integer('upstreamCacheBytes'),
    responseMaxAgeSeconds: integer('responseMaxAgeSeconds'),
    pathPrefix: env[stitcherEnvironment.pathPrefix] ?? '',
  };
}
