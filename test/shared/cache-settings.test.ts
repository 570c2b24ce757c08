import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { cacheSettings } from '../../src/shared/cache-settings';

describe('cacheSettings', () => {
  test('a positive TTL: default and maximum TTL, exactly the named query parameters in the key, compression when asked', () => {
    const stack = new Stack(new App(), 'S');
    const settings = cacheSettings(stack, 'Policy', { comment: 'c', ttl: Duration.minutes(5), queryStrings: ['a', 'b'], compress: true });
    expect(settings.compress).toBe(true);
    expect(settings.originRequestPolicy).toBeUndefined();
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        Name: Match.anyValue(),
        Comment: 'c',
        DefaultTTL: 300,
        MaxTTL: 300,
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: {
          CookiesConfig: { CookieBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['a', 'b'] },
          EnableAcceptEncodingGzip: true,
          EnableAcceptEncodingBrotli: true,
        },
      },
    });
  });

  test('a zero TTL: CloudFront\'s CachingDisabled policy, no compression, and the query parameters forwarded by an origin request policy', () => {
    const stack = new Stack(new App(), 'S');
    const settings = cacheSettings(stack, 'Policy', { comment: 'c', ttl: Duration.seconds(0), queryStrings: ['payload'], compress: true });
    expect(settings.cachePolicy).toBe(cloudfront.CachePolicy.CACHING_DISABLED);
    expect(settings.compress).toBe(false);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudFront::CachePolicy', 0);
    template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: {
        Name: Match.anyValue(),
        Comment: Match.stringLikeRegexp('not cached'),
        QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['payload'] },
        HeadersConfig: { HeaderBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
      },
    });
  });

  test('a zero TTL without query parameters needs no origin request policy', () => {
    const stack = new Stack(new App(), 'S');
    expect(cacheSettings(stack, 'Policy', { comment: 'c', ttl: Duration.seconds(0) }).originRequestPolicy).toBeUndefined();
  });
});
