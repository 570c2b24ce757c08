/**
 * Reads a synthesized distribution's cache behaviors, and the cache and origin request policies they use, into
 * behaviors for the CDN stand-in, so a test exercises the TTLs and cache keys the construct actually wrote rather
 * than a second copy of them.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { CdnBehavior } from './cdn-stand-in';
import { CloudFrontFunction } from './cloudfront-function';

/** One origin of the distribution, as the template declares it. */
export interface TemplateOrigin {
  /** The origin's Id (TargetOriginId of its behaviors). */
  readonly id: string;
  /** DomainName as written in the template: a string or an intrinsic. */
  readonly domainName: unknown;
  readonly originPath?: string;
}

/** CloudFront's managed CachingDisabled policy (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html). */
const cachingDisabledPolicyId = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
/** Managed CachingOptimized (same page): default TTL one day, no query string in the key. */
const cachingOptimizedPolicy = { id: '658327ea-f89d-4fab-a63d-7e88639e58f6', defaultTtlSeconds: 86_400 };
/**
 * Managed origin request policies that forward every viewer query string, AllViewer and AllViewerExceptHostHeader
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html).
 */
const allQueryStringsOriginRequestPolicyIds = ['216adef6-5c7f-47e4-b989-5492eafa07d3', 'b689b0a8-53d0-40ab-baf2-68738e2966ac'];

/** Loads a template CloudFront Function (its inline code, as the construct deploys it) for the stand-in to run. */
export type TemplateFunctionLoader = (logicalId: string, code: string) => CloudFrontFunction;

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, any>;
}

/**
 * The stand-in behaviors of the only distribution in `template`, in CloudFront's order (cache behaviors, then the
 * default as `*`). `originUrl` maps each template origin to the loopback URL standing in for it. A policy's
 * DefaultTTL is the TTL, as CloudFront applies it when the origin sends no Cache-Control. Behaviors with CloudFront
 * Function associations need `loadFunction`.
 */
export function standInBehaviors(
  template: Template, originUrl: (origin: TemplateOrigin) => string, loadFunction?: TemplateFunctionLoader,
): CdnBehavior[] {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const distributions = Object.values(resources).filter((resource) => resource.Type === 'AWS::CloudFront::Distribution');
  if (distributions.length !== 1) throw new Error(`expected one distribution in the template, found ${distributions.length}`);
  const config = distributions[0].Properties.DistributionConfig;
  const origins = new Map<string, string>((config.Origins as any[]).map((origin) => [
    origin.Id as string,
    originUrl({ id: origin.Id, domainName: origin.DomainName, originPath: origin.OriginPath }),
  ]));

  const policyOf = (reference: unknown, type: string): Record<string, any> | undefined => {
    if (reference === undefined) return undefined;
    const logicalId = (reference as { Ref?: string }).Ref;
    const resource = logicalId === undefined ? undefined : resources[logicalId];
    if (!resource || resource.Type !== type) throw new Error(`unsupported ${type} reference ${JSON.stringify(reference)}`);
    return resource.Properties;
  };
  const allowList = (policyConfig: Record<string, any> | undefined): string[] => {
    const queryStrings = policyConfig?.QueryStringsConfig;
    if (!queryStrings || queryStrings.QueryStringBehavior === 'none') return [];
    if (queryStrings.QueryStringBehavior !== 'whitelist') throw new Error(`unsupported query string behavior ${queryStrings.QueryStringBehavior}`);
    return queryStrings.QueryStrings;
  };
  const functionsOf = (behavior: Record<string, any>, pathPattern: string): Pick<CdnBehavior, 'viewerRequestFunction' | 'viewerResponseFunction'> => {
    const loaded: { viewerRequestFunction?: CloudFrontFunction; viewerResponseFunction?: CloudFrontFunction } = {};
    for (const association of (behavior.FunctionAssociations ?? []) as Array<{ EventType: string; FunctionARN: { 'Fn::GetAtt': [string, string] } }>) {
      const logicalId = association.FunctionARN['Fn::GetAtt']?.[0];
      const code = resources[logicalId]?.Properties.FunctionCode;
      if (typeof code !== 'string') throw new Error(`behavior '${pathPattern}': unsupported function association ${JSON.stringify(association.FunctionARN)}`);
      if (!loadFunction) throw new Error(`behavior '${pathPattern}' runs CloudFront Function ${logicalId}: pass loadFunction`);
      const fn = loadFunction(logicalId, code);
      if (association.EventType === 'viewer-request') loaded.viewerRequestFunction = fn;
      else if (association.EventType === 'viewer-response') loaded.viewerResponseFunction = fn;
      else throw new Error(`behavior '${pathPattern}': unsupported event type ${association.EventType}`);
    }
    return loaded;
  };
  const toBehavior = (behavior: Record<string, any>, pathPattern: string): CdnBehavior => {
    const origin = origins.get(behavior.TargetOriginId);
    if (origin === undefined) throw new Error(`behavior '${pathPattern}' targets unknown origin ${behavior.TargetOriginId}`);
    const forwardAll = allQueryStringsOriginRequestPolicyIds.includes(behavior.OriginRequestPolicyId);
    const forwarded = forwardAll ? [] : allowList(policyOf(behavior.OriginRequestPolicyId, 'AWS::CloudFront::OriginRequestPolicy')?.OriginRequestPolicyConfig);
    const common = {
      pathPattern,
      origin,
      forwardedQueryStrings: forwarded,
      ...(forwardAll ? { forwardAllQueryStrings: true } : {}),
      ...functionsOf(behavior, pathPattern),
    };
    if (behavior.CachePolicyId === cachingDisabledPolicyId) return { ...common, ttlSeconds: 0 };
    if (behavior.CachePolicyId === cachingOptimizedPolicy.id) return { ...common, ttlSeconds: cachingOptimizedPolicy.defaultTtlSeconds };
    const cachePolicy = policyOf(behavior.CachePolicyId, 'AWS::CloudFront::CachePolicy')!.CachePolicyConfig;
    return { ...common, ttlSeconds: cachePolicy.DefaultTTL, cacheKeyQueryStrings: allowList(cachePolicy.ParametersInCacheKeyAndForwardedToOrigin) };
  };
  const cacheBehaviors = (config.CacheBehaviors ?? []) as Array<Record<string, any>>;
  return [
    ...cacheBehaviors.map((behavior) => toBehavior(behavior, behavior.PathPattern)),
    toBehavior(config.DefaultCacheBehavior, '*'),
  ];
}
