import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';
import { manifestTtlSeconds, originTimeouts } from './delivery';
import type { DeliveryOptions } from './packager';
import { cacheSettings } from '../shared/cache-settings';
import { CdnFront } from '../shared/cdn-front';

/** How one packaging mode's origin is put behind the pipeline's front. @internal */
export interface LiveFrontProps {
  /** The packager's origin. */
  readonly origin: cloudfront.IOrigin;
  /** Comment of a new distribution: `LiveOttPipeline: <what it serves>`. */
  readonly comment: string;
  /** Path patterns of the live manifests (cached about half a segment); everything else is a segment. */
  readonly manifestPatterns: string[];
  /** Manifest query parameters that select a different manifest. @default - none */
  readonly manifestQueryStrings?: string[];
  /** Path under which the packager's paths live, unique to the pipeline: its behaviors on an existing distribution go there. */
  readonly pathPrefix: string;
}

/** The pipeline's front. @internal */
export interface LiveFront {
  /** The distribution serving the packager's paths. */
  readonly distribution: cloudfront.IDistribution;
  /** The playback URL of `path`, a path below the front's `pathPrefix` starting with '/'. */
  url(path: string): string;
}

/** How long CloudFront keeps segments: they never change once written. */
const segmentCacheTtl = Duration.days(1);
/** HTTP statuses whose answers CloudFront caches for one second only, so a recovered origin is seen at once. */
const briefErrorStatuses = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/**
 * The HTTPS origin settings every packager origin shares: TLS 1.2, timeouts derived from the segment length.
 * @internal
 */
export function liveOriginProps(segmentLengthSeconds: number): origins.HttpOriginProps {
  const timeouts = originTimeouts(segmentLengthSeconds);
  return {
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
    originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    connectionTimeout: Duration.seconds(timeouts.connectionSeconds),
    readTimeout: Duration.seconds(timeouts.readSeconds),
    keepaliveTimeout: Duration.seconds(timeouts.keepaliveSeconds),
  };
}

/**
 * The pipeline's CloudFront front over one packager origin: manifests cached about half a segment, segments a day,
 * errors one second, CORS for browser players. A new distribution, or behaviors under `pathPrefix` on
 * `options.existingDistribution`.
 * @internal
 */
export function liveFront(scope: Construct, options: DeliveryOptions, props: LiveFrontProps): LiveFront {
  const manifests = cacheSettings(scope, 'ManifestCachePolicy', {
    comment: 'LiveOttPipeline: live manifests change every segment, cached about half a segment',
    ttl: Duration.seconds(manifestTtlSeconds(options.segmentLengthSeconds)),
    queryStrings: props.manifestQueryStrings,
    compress: true,
  });
  const segments = cacheSettings(scope, 'SegmentCachePolicy', {
    comment: 'LiveOttPipeline: segments never change once written',
    ttl: segmentCacheTtl,
  });
  const behavior = (cache: ReturnType<typeof cacheSettings>): cloudfront.BehaviorOptions => ({
    origin: props.origin,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
    cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    cachePolicy: cache.cachePolicy,
    originRequestPolicy: cache.originRequestPolicy,
    compress: cache.compress,
    responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
  });
  const existing = options.existingDistribution !== undefined;
  const front = new CdnFront(scope, {
    ...options.settings,
    comment: props.comment,
    logFilePrefix: 'live-ott-pipeline/',
    defaultBehavior: behavior(segments),
    additionalBehaviors: Object.fromEntries(props.manifestPatterns.map((pattern) => [pattern, behavior(manifests)])),
    errorResponses: briefErrorStatuses.map((httpStatus) => ({ httpStatus, ttl: Duration.seconds(1) })),
    existingDistribution: options.existingDistribution,
    pathPrefix: existing ? props.pathPrefix : undefined,
  });
  // CdnFront's urlBase ends in the path prefix only on an existing distribution
  const base = existing ? front.urlBase : `${front.urlBase}${props.pathPrefix}`;
  return { distribution: front.distribution, url: (path) => `${base}${path}` };
}
