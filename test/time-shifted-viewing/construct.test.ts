import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ChannelCacheBehaviors, TimeShiftChannel, TimeShiftChannelOptions, TimeShiftedViewing, TimeShiftedViewingProps } from '../../src';
import { timeShiftCacheKey } from '../../src/time-shifted-viewing/contract/time-shift';
import { expectNagClean } from '../harness/nag';

const playbackUrl = 'https://abc123.channel-assembly.mediatailor.eu-west-1.amazonaws.com/v1/channel/News/index_hls.m3u8';
const timeShiftKey = [
  'aws.mediatailor.channel.timeDelay', 'aws.mediatailor.channel.startTime', 'aws.mediatailor.channel.startProgram', 'aws.mediatailor.channel.audienceId', 'start',
];
const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const hlsOutput = { manifestName: 'index_hls', sourceGroup: 'hls', hlsPlaylistSettings: { manifestWindowSeconds: 60 } };

function viewingStack(props: Partial<TimeShiftedViewingProps> = {}): { stack: Stack; viewing: TimeShiftedViewing; template: Template } {
  const stack = new Stack(new App(), 'TimeShift', { env: { account: '111111111111', region: 'eu-west-1' } });
  const viewing = new TimeShiftedViewing(stack, 'Viewing', { channel: TimeShiftChannel.fromPlaybackUrl(playbackUrl), ...props });
  return { stack, viewing, template: Template.fromStack(stack) };
}

function newChannel(options: Partial<TimeShiftChannelOptions> = {}): TimeShiftChannel {
  return TimeShiftChannel.create({ channelName: 'News', maxTimeDelay: Duration.hours(2), outputs: [hlsOutput], ...options });
}

/** The cache policy config a behavior of the only distribution uses, by path pattern ('*' for the default). */
function policyOf(template: Template, pathPattern: string): Record<string, any> {
  const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
  const behavior = pathPattern === '*' ? config.DefaultCacheBehavior : config.CacheBehaviors.find((b: any) => b.PathPattern === pathPattern);
  return template.toJSON().Resources[behavior.CachePolicyId.Ref].Properties.CachePolicyConfig;
}

describe('TimeShiftedViewing construct', () => {
  describe('defaults, existing channel', () => {
    const { stack, viewing, template } = viewingStack();

    test('the time-shift parameters are exactly the contract\'s cache key', () => {
      expect(timeShiftCacheKey()).toEqual(timeShiftKey);
      expect(viewing.cacheBehaviors.cacheKeyQueryStrings).toEqual(timeShiftKey);
    });

    test('media playlists before multivariant playlists before DASH, all to the channel host over HTTPS only', () => {
      const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
      expect(config.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual(['/v1/channel/News/*/*.m3u8', '/v1/channel/News/*.m3u8', '/v1/channel/News/*.mpd']);
      expect(config.Origins[0]).toMatchObject({
        DomainName: 'abc123.channel-assembly.mediatailor.eu-west-1.amazonaws.com',
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only' },
      });
      for (const behavior of [...config.CacheBehaviors, config.DefaultCacheBehavior]) {
        expect(behavior).toMatchObject({ AllowedMethods: ['GET', 'HEAD', 'OPTIONS'], ViewerProtocolPolicy: 'redirect-to-https' });
      }
    });

    test('multivariant playlists: the time-shift key, cached one segment duration (6 s)', () => {
      expect(policyOf(template, '/v1/channel/News/*.m3u8')).toMatchObject({
        DefaultTTL: 6,
        MaxTTL: 6,
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: {
          QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: timeShiftKey },
          HeadersConfig: { HeaderBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
        },
      });
    });

    test('media playlists and DASH manifests (and their redirects): the time-shift key, half a segment (3 s)', () => {
      for (const pattern of ['/v1/channel/News/*/*.m3u8', '/v1/channel/News/*.mpd']) {
        expect(policyOf(template, pattern)).toMatchObject({
          DefaultTTL: 3,
          MaxTTL: 3,
          ParametersInCacheKeyAndForwardedToOrigin: { QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: timeShiftKey } },
        });
      }
    });

    test('without a segment source, the default behavior is the channel with the media-playlist policy', () => {
      expect(policyOf(template, '*')).toEqual(policyOf(template, '/v1/channel/News/*/*.m3u8'));
    });

    test('no channel, no custom resource, playback URL base under the channel path', () => {
      template.resourceCountIs('AWS::MediaTailor::Channel', 0);
      template.resourceCountIs('Custom::AWS', 0);
      expect(viewing.channel).toBeUndefined();
      const [, parts] = stack.resolve(viewing.playbackUrlBase)['Fn::Join'];
      expect(parts[0]).toBe('https://');
      expect(parts[1]['Fn::GetAtt'][1]).toBe('DomainName');
      expect(parts[2]).toBe('/v1/channel/News/');
    });

    test('is cdk-nag clean', () => {
      expectNagClean(stack);
    });
  });

  test('segments come from the segment source, cached a day without any query parameter', () => {
    const { template } = viewingStack({ segmentSourceUrl: 'https://media.example.com/vod/' });
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const segmentOrigin = config.Origins.find((origin: any) => origin.Id === config.DefaultCacheBehavior.TargetOriginId);
    expect(segmentOrigin).toMatchObject({ DomainName: 'media.example.com', OriginPath: '/vod', CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } });
    expect(policyOf(template, '*')).toMatchObject({
      DefaultTTL: 86400,
      MaxTTL: 86400,
      ParametersInCacheKeyAndForwardedToOrigin: { QueryStringsConfig: { QueryStringBehavior: 'none' } },
    });
  });

  test('segment duration and manifest TTL set the TTLs', () => {
    const { template } = viewingStack({ segmentDuration: Duration.seconds(4), manifestTtl: Duration.seconds(1), segmentTtl: Duration.days(30) });
    expect(policyOf(template, '/v1/channel/News/*.m3u8')).toMatchObject({ DefaultTTL: 4, MaxTTL: 4 });
    expect(policyOf(template, '/v1/channel/News/*/*.m3u8')).toMatchObject({ DefaultTTL: 1, MaxTTL: 1 });
    expect(policyOf(template, '/v1/channel/News/*.mpd')).toMatchObject({ DefaultTTL: 1, MaxTTL: 1 });
  });

  test('a zero manifest TTL caches no media playlist or DASH response and still forwards the time-shift parameters', () => {
    const { template } = viewingStack({ manifestTtl: Duration.seconds(0) });
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    for (const pattern of ['/v1/channel/News/*/*.m3u8', '/v1/channel/News/*.mpd']) {
      const behavior = config.CacheBehaviors.find((b: any) => b.PathPattern === pattern);
      expect(behavior.CachePolicyId).toBe(cachingDisabled);
      const originRequest = template.toJSON().Resources[behavior.OriginRequestPolicyId.Ref].Properties.OriginRequestPolicyConfig;
      expect(originRequest.QueryStringsConfig).toEqual({ QueryStringBehavior: 'whitelist', QueryStrings: timeShiftKey });
    }
  });

  test('a start-program parameter name of the user\'s choice replaces the default in every key', () => {
    const { template } = viewingStack({ startProgramParameter: 'aws.mediatailor.channel.programName' });
    expect(policyOf(template, '/v1/channel/News/*.m3u8').ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig.QueryStrings)
      .toEqual(['aws.mediatailor.channel.timeDelay', 'aws.mediatailor.channel.startTime', 'aws.mediatailor.channel.programName', 'aws.mediatailor.channel.audienceId', 'start']);
  });

  describe('a channel the construct creates', () => {
    const stack = new Stack(new App(), 'TimeShift', { env: { account: '111111111111', region: 'eu-west-1' } });
    const viewing = new TimeShiftedViewing(stack, 'Viewing', { channel: newChannel({ liveSourceStartoverWindow: Duration.hours(3) }) });
    const template = Template.fromStack(stack);

    test('is STANDARD tier, LINEAR playback, with the maximum time delay', () => {
      template.hasResourceProperties('AWS::MediaTailor::Channel', {
        ChannelName: 'News',
        Tier: 'STANDARD',
        PlaybackMode: 'LINEAR',
        TimeShiftConfiguration: { MaxTimeDelaySeconds: 7200 },
        Outputs: [{ ManifestName: 'index_hls', SourceGroup: 'hls', HlsPlaylistSettings: { ManifestWindowSeconds: 60 } }],
      });
      expect(viewing.channel).toBeDefined();
    });

    test('reads the playback host with DescribeChannel on that channel only, and makes it the origin', () => {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [{ Action: 'mediatailor:DescribeChannel', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('Channel'), 'Arn'] } }] },
      });
      const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
      const select = config.Origins[0].DomainName['Fn::Select'];
      expect(select[0]).toBe(2);
      expect(select[1]['Fn::Split'][0]).toBe('/');
      expect(select[1]['Fn::Split'][1]['Fn::GetAtt'][0]).toMatch(/ChannelPlaybackUrl/);
      expect(config.Origins[0].DomainName['Fn::Select'][1]['Fn::Split'][1]['Fn::GetAtt'][1]).toBe('Outputs.0.PlaybackUrl');
    });

    test('is cdk-nag clean', () => {
      expectNagClean(stack);
    });
  });

  test('maximal props: custom domain, WAF, logs, geo restriction, segment source; cdk-nag clean', () => {
    const stack = new Stack(new App(), 'TimeShift', { env: { account: '111111111111', region: 'eu-west-1' } });
    new TimeShiftedViewing(stack, 'Viewing', {
      channel: newChannel({ fillerSlate: { sourceLocationName: 'media', vodSourceName: 'slate' }, liveSourceStartoverWindow: Duration.hours(4) }),
      segmentDuration: Duration.seconds(4),
      manifestTtl: Duration.seconds(2),
      segmentTtl: Duration.days(7),
      segmentSourceUrl: 'https://media.example.com',
      domainNames: ['tv.example.com'],
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'),
      webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/tv/abc',
      accessLogBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'tv-logs'),
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'AT'),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Aliases: ['tv.example.com'], WebACLId: Match.anyValue(), Logging: Match.anyValue() }),
    });
    expectNagClean(stack);
  });

  test('ChannelCacheBehaviors serve another distribution in front of the same channel', () => {
    const stack = new Stack(new App(), 'Reuse');
    const caching = new ChannelCacheBehaviors(stack, 'Caching', { channelName: 'Sports' });
    const origin = new origins.HttpOrigin('abc123.channel-assembly.mediatailor.eu-west-1.amazonaws.com');
    new cloudfront.Distribution(stack, 'Distribution', { defaultBehavior: caching.segmentBehavior(origin), additionalBehaviors: caching.manifestBehaviors(origin) });
    const template = Template.fromStack(stack);
    expect(policyOf(template, '/v1/channel/Sports/*.m3u8')).toMatchObject({ DefaultTTL: 6 });
    expect(policyOf(template, '*')).toMatchObject({ DefaultTTL: 86400 });
  });

  test('ChannelCacheBehaviors refuse a channel name MediaTailor would not accept', () => {
    expect(() => new ChannelCacheBehaviors(new Stack(new App(), 'Bad'), 'Caching', { channelName: 'news/*' }))
      .toThrow('channelName must be a MediaTailor channel name (letters, digits, \'-\' and \'_\'), got \'news/*\'');
  });

  describe('refuses impossible props, naming the prop and the value', () => {
    const fails = (props: Partial<TimeShiftedViewingProps>) => () => viewingStack(props);
    test.each([
      [{ maxTimeDelay: Duration.seconds(21_601) }, 'maxTimeDelay must be whole seconds from 0 to 21600 (6 hours), got 6 hours 1 second'],
      [{ maxTimeDelay: Duration.millis(1500) }, 'maxTimeDelay must be whole seconds from 0 to 21600 (6 hours), got 1 second 500 millis'],
      [{ outputs: [] }, 'outputs must name at least one output (an HLS or DASH manifest), got []'],
      [{ liveSourceStartoverWindow: Duration.minutes(130) }, 'liveSourceStartoverWindow must be at least maxTimeDelay + manifest window + 10 minutes = 7860 s (7200 + 60 + 600), got 7800 s'],
    ])('channel %j', (options, message) => {
      expect(() => newChannel(options as Partial<TimeShiftChannelOptions>)).toThrow(message);
    });

    test('a startover window of exactly the documented minimum is accepted', () => {
      expect(() => newChannel({ liveSourceStartoverWindow: Duration.seconds(7860) })).not.toThrow();
    });

    test.each([
      'http://abc.channel-assembly.mediatailor.eu-west-1.amazonaws.com/v1/channel/News/index.m3u8',
      'https://abc.channel-assembly.mediatailor.eu-west-1.amazonaws.com/v1/master/News/index.m3u8',
      'https://abc.channel-assembly.mediatailor.eu-west-1.amazonaws.com/v1/channel/News/index.m3u8?aws.mediatailor.channel.timeDelay=5',
    ])('playback URL %s', (url) => {
      expect(() => TimeShiftChannel.fromPlaybackUrl(url)).toThrow(`playbackUrl must be a literal channel playback URL like 'https://<prefix>.channel-assembly.mediatailor.<region>.amazonaws.com/v1/channel/<name>/<output>.m3u8', got '${url}'`);
    });

    test.each([
      [{ segmentDuration: Duration.seconds(0) }, 'segmentDuration must be whole seconds, at least 1, got 0 seconds'],
      [{ segmentDuration: Duration.millis(2500) }, 'segmentDuration must be whole seconds, at least 1, got 2 seconds 500 millis'],
      [{ manifestTtl: Duration.seconds(7) }, 'manifestTtl must be whole seconds, at most segmentDuration (6 s), got 7 seconds'],
      [{ startProgramParameter: 'startProgram' }, 'startProgramParameter must be an aws.mediatailor.channel.* query parameter name, got \'startProgram\''],
      [{ segmentSourceUrl: 'ftp://media.example.com' }, 'segmentSourceUrl must be an http(s) base URL without query, like \'https://media.example.com/vod\', got \'ftp://media.example.com\''],
    ])('%j', (props, message) => {
      expect(fails(props)).toThrow(message);
    });
  });
});
