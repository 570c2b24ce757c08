import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';

/** How one kind of response is cached by CloudFront. */
export interface CacheRule {
  /** What the policy is for (the policy's comment). */
  readonly comment: string;
  /** How long CloudFront keeps a response: default and maximum TTL. Zero turns caching off. */
  readonly ttl: Duration;
  /** Query parameters that select a different response: the cache key, and what reaches the origin. @default - none */
  readonly queryStrings?: string[];
  /** Serve gzip/brotli when the viewer accepts it. @default false */
  readonly compress?: boolean;
}

/** The policies of a cache behavior. */
export interface CacheSettings {
  readonly cachePolicy: cloudfront.ICachePolicy;
  readonly originRequestPolicy?: cloudfront.IOriginRequestPolicy;
  /** Whether the behavior may compress (CloudFront compresses only what it caches with an encoding in the key). */
  readonly compress: boolean;
}

/**
 * The cache and origin request policies for `rule`. CloudFront refuses a cache policy with caching disabled
 * (MaxTTL 0) that enables gzip/brotli or puts headers, cookies or query strings in the key
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-the-cache-key.html), so a zero TTL
 * uses the managed CachingDisabled policy and forwards the query parameters with an origin request policy instead.
 */
export function cacheSettings(scope: Construct, id: string, rule: CacheRule): CacheSettings {
  const queryStrings = rule.queryStrings ?? [];
  if (rule.ttl.toSeconds() === 0) {
    const originRequestPolicy = queryStrings.length === 0 ? undefined : new cloudfront.OriginRequestPolicy(scope, `${id}OriginRequestPolicy`, {
      comment: `${rule.comment} (not cached: these query parameters reach the origin)`,
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.allowList(...queryStrings),
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.none(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
    return { cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED, originRequestPolicy, compress: false };
  }
  const compress = rule.compress ?? false;
  const cachePolicy = new cloudfront.CachePolicy(scope, id, {
    comment: rule.comment,
    queryStringBehavior: queryStrings.length === 0
      ? cloudfront.CacheQueryStringBehavior.none()
      : cloudfront.CacheQueryStringBehavior.allowList(...queryStrings),
    headerBehavior: cloudfront.CacheHeaderBehavior.none(),
    cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    minTtl: Duration.seconds(0),
    defaultTtl: rule.ttl,
    maxTtl: rule.ttl,
    enableAcceptEncodingGzip: compress,
    enableAcceptEncodingBrotli: compress,
  });
  return { cachePolicy, compress };
}
