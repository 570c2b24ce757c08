import { parseAllowedOrigins } from './origin-allowlist';
import { PayloadLimits } from './payload';
import { OutputMode } from './stitcher';
import { UpstreamLimits } from './upstream';
import { requestDeadlineMs, stitcherDefaults, stitcherLimits } from '../../src/pre-roll-stitcher/contract/defaults';
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
  const integer = (name: string, fallback: number, minimum: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
    if (!(value >= minimum)) throw new Error(`${name} must be an integer >= ${minimum}, got '${text}'`);
    return value;
  };
  return {
    allowedOrigins: parseAllowedOrigins(env[stitcherEnvironment.allowedOrigins]),
    allowHttp: env[stitcherEnvironment.allowHttp] === 'true',
    signingSecretArn: env[stitcherEnvironment.signingSecretArn] || undefined,
    mode,
    dateRangeMarkers: env[stitcherEnvironment.dateRangeMarkers] === 'true',
    payloadLimits: {
      maxPayloadLength: integer(stitcherEnvironment.maxPayloadLength, stitcherDefaults.maxPayloadLength, stitcherLimits.minMaxPayloadLength),
      maxBreaks: integer(stitcherEnvironment.maxBreaks, stitcherDefaults.maxBreaks, stitcherLimits.minMaxBreaks),
    },
    upstreamLimits: {
      timeoutMs: integer(stitcherEnvironment.upstreamTimeoutMs, stitcherDefaults.upstreamTimeoutMs, stitcherLimits.minUpstreamTimeoutMs),
      maxBytes: integer(stitcherEnvironment.maxUpstreamBytes, stitcherDefaults.maxUpstreamPlaylistBytes, stitcherLimits.minMaxUpstreamPlaylistBytes),
      maxRedirects: stitcherLimits.maxRedirects,
    },
    requestDeadlineMs: integer(stitcherEnvironment.requestDeadlineMs,
      requestDeadlineMs(stitcherDefaults.functionTimeoutSeconds * 1000), stitcherLimits.minUpstreamTimeoutMs),
    upstreamCacheTtlMs: integer(stitcherEnvironment.upstreamCacheTtlSeconds, stitcherDefaults.upstreamCacheTtlSeconds, 0) * 1000,
    upstreamCacheBytes: integer(stitcherEnvironment.upstreamCacheBytes, stitcherDefaults.upstreamCacheBytes, 0),
    responseMaxAgeSeconds: integer(stitcherEnvironment.responseMaxAgeSeconds, stitcherDefaults.responseMaxAgeSeconds, 0),
    pathPrefix: env[stitcherEnvironment.pathPrefix] ?? '',
  };
}
