import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { defaultTestInput, onlyResource, pipelineStack } from './pipeline-stack';
import { HlsAdMarkers, LiveOttPipeline, Packaging } from '../../src';

const endpointNamed = (template: ReturnType<typeof pipelineStack>['template'], name: string) =>
  Object.values(template.findResources('AWS::MediaPackageV2::OriginEndpoint')).find((resource) => resource.Properties.OriginEndpointName === name)!.Properties;

describe('LiveOttPipeline packaging (MediaPackage v2)', () => {
  const { stack, pipeline, template } = pipelineStack();

  test('the channel takes CMAF ingest, fed by the MediaLive channel\'s MEDIAPACKAGE output group naming the group and channel', () => {
    const group = onlyResource(template, 'AWS::MediaPackageV2::ChannelGroup');
    template.hasResourceProperties('AWS::MediaPackageV2::Channel', { ChannelGroupName: group.ChannelGroupName, ChannelName: 'live', InputType: 'CMAF' });
    const channel = onlyResource(template, 'AWS::MediaLive::Channel');
    expect(channel.Destinations).toEqual([{ Id: 'mediapackage', MediaPackageSettings: [{ ChannelGroup: group.ChannelGroupName, ChannelName: 'live' }] }]);
    expect(channel.EncoderSettings.OutputGroups[0].OutputGroupSettings.MediaPackageGroupSettings.Destination).toEqual({ DestinationRefId: 'mediapackage' });
  });

  test('two endpoints: HLS with TS segments, CMAF with HLS and DASH manifests, segments as long as MediaLive\'s', () => {
    const ts = endpointNamed(template, 'hls-ts');
    expect(ts).toMatchObject({ ContainerType: 'TS', Segment: { SegmentDurationSeconds: 4, TsUseAudioRenditionGroup: true }, HlsManifests: [{ ManifestName: 'index', ManifestWindowSeconds: 60 }] });
    expect(ts.DashManifests).toBeUndefined();
    const cmaf = endpointNamed(template, 'cmaf');
    expect(cmaf).toMatchObject({ ContainerType: 'CMAF', Segment: { SegmentDurationSeconds: 4 }, HlsManifests: [{ ManifestName: 'index' }], DashManifests: [{ ManifestName: 'dash', MinUpdatePeriodSeconds: 4 }] });
    expect(ts.StartoverWindowSeconds).toBeUndefined();
  });

  test('ad markers: DATERANGE in HLS, SCTE-35 XML in DASH, SCTE-35 filter on segments', () => {
    const cmaf = endpointNamed(template, 'cmaf');
    expect(cmaf.HlsManifests[0].ScteHls).toEqual({ AdMarkerHls: 'DATERANGE' });
    expect(cmaf.DashManifests[0]).toMatchObject({ ScteDash: { AdMarkerDash: 'XML' }, PeriodTriggers: ['AVAILS'] });
    expect(cmaf.Segment.Scte.ScteFilter).toEqual(expect.arrayContaining(['SPLICE_INSERT', 'PROVIDER_ADVERTISEMENT']));
  });

  test('only the encoder role may write to the channel', () => {
    template.hasResourceProperties('AWS::MediaPackageV2::ChannelPolicy', {
      Policy: {
        Statement: [{
          Sid: 'EncoderWritesIngest',
          Effect: 'Allow',
          Action: 'mediapackagev2:PutObject',
          Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LiveChannelRole'), 'Arn'] } },
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LivePackagerChannel'), 'Arn'] },
        }],
      },
    });
  });

  test('each endpoint lets only CloudFront, for this distribution, read (GetObject and GetHeadObject)', () => {
    const policies = Object.values(template.findResources('AWS::MediaPackageV2::OriginEndpointPolicy'));
    expect(policies.map((policy) => policy.Properties.OriginEndpointName).sort()).toEqual(['cmaf', 'hls-ts']);
    for (const policy of policies) {
      expect(policy.Properties.Policy.Statement).toEqual([{
        Sid: 'CloudFrontReadsThroughOriginAccessControl',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: ['mediapackagev2:GetObject', 'mediapackagev2:GetHeadObject'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Live(HlsTs|Cmaf)Endpoint/), 'Arn'] },
        Condition: { StringEquals: { 'AWS:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::111111111111:distribution/', { Ref: expect.stringMatching(/^LiveDistribution/) }]] } } },
      }]);
    }
  });

  test('playback URLs are the distribution\'s, on MediaPackage\'s /out/v1/<group>/<channel>/<endpoint>/<manifest> paths', () => {
    const group = onlyResource(template, 'AWS::MediaPackageV2::ChannelGroup').ChannelGroupName;
    const domain = { 'Fn::GetAtt': [expect.stringMatching(/^LiveDistribution/), 'DomainName'] };
    expect(stack.resolve(pipeline.hlsPlaybackUrl)).toEqual({ 'Fn::Join': ['', ['https://', domain, `/out/v1/${group}/live/hls-ts/index.m3u8`]] });
    expect(stack.resolve(pipeline.cmafHlsPlaybackUrl)).toEqual({ 'Fn::Join': ['', ['https://', domain, `/out/v1/${group}/live/cmaf/index.m3u8`]] });
    expect(stack.resolve(pipeline.dashPlaybackUrl)).toEqual({ 'Fn::Join': ['', ['https://', domain, `/out/v1/${group}/live/cmaf/dash.mpd`]] });
    expect(stack.resolve(pipeline.channelArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LiveChannel[0-9A-F]{8}$/), 'Arn'] });
  });

  test('start-over window, manifest window and ad marker style are props', () => {
    const packaging = Packaging.mediaPackageV2({
      startoverWindow: Duration.days(14),
      manifestWindow: Duration.minutes(5),
      adMarkers: HlsAdMarkers.SCTE35_ENHANCED,
    });
    const { template: custom } = pipelineStack({ packaging });
    const ts = endpointNamed(custom, 'hls-ts');
    expect(ts).toMatchObject({ StartoverWindowSeconds: 1209600, HlsManifests: [{ ManifestWindowSeconds: 300, ScteHls: { AdMarkerHls: 'SCTE35_ENHANCED' } }] });
    const { template: plain } = pipelineStack({ packaging: Packaging.mediaPackageV2({ adMarkers: HlsAdMarkers.NONE }) });
    expect(endpointNamed(plain, 'cmaf').HlsManifests[0].ScteHls).toBeUndefined();
    expect(endpointNamed(plain, 'cmaf').Segment.Scte).toBeUndefined();
  });

  test.each([
    [{ startoverWindow: Duration.days(15) }, 'packaging: startoverWindow must be 60 s to 1209600 s (14 days), got 1296000 s'],
    [{ manifestWindow: Duration.seconds(10) }, 'packaging: manifestWindow must be 30 s to 3600 s, got 10 s'],
  ])('%j is refused', (props, message) => {
    expect(() => pipelineStack({ packaging: Packaging.mediaPackageV2(props) })).toThrow(message);
  });

  test('ad markers without SCTE-35 from the encoder are refused', () => {
    expect(() => pipelineStack({ scte35Passthrough: false, packaging: Packaging.mediaPackageV2({ adMarkers: HlsAdMarkers.DATERANGE }) }))
      .toThrow(/^packaging: adMarkers DATERANGE needs SCTE-35 from the encoder, but scte35Passthrough is false/);
  });
});

describe('LiveOttPipeline delivery (CloudFront)', () => {
  const distributionOf = (props: Parameters<typeof pipelineStack>[0] = {}) => {
    const { template } = pipelineStack(props);
    return { template, config: onlyResource(template, 'AWS::CloudFront::Distribution').DistributionConfig };
  };
  const cachePolicyTtls = (template: ReturnType<typeof pipelineStack>['template']) => Object.values(template.findResources('AWS::CloudFront::CachePolicy'))
    .map((policy) => policy.Properties.CachePolicyConfig)
    .map((config) => ({
      comment: config.Comment as string,
      ttl: config.DefaultTTL,
      max: config.MaxTTL,
      queryStrings: config.ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig.QueryStrings,
    }));

  test('the origin is the channel group\'s egress domain over HTTPS with MediaPackage v2 Origin Access Control', () => {
    const { template, config } = distributionOf();
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 'mediapackagev2', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
    });
    expect(config.Origins).toEqual([expect.objectContaining({
      DomainName: { 'Fn::GetAtt': [expect.stringMatching(/^LiveChannelGroup/), 'EgressDomain'] },
      OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/^LiveOriginAccessControl/), 'Id'] },
      CustomOriginConfig: expect.objectContaining({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] }),
    })]);
  });

  test.each([[4, 2, 2, 2, 5], [6, 3, 3, 3, 7], [1, 1, 1, 1, 2], [30, 15, 10, 15, 31]])(
    'a %i s segment: manifests cached %i s, origin connect %i s, read %i s, keep-alive %i s', (segment, manifestTtl, connect, read, keepalive) => {
      const { template, config } = distributionOf({ segmentLength: Duration.seconds(segment) });
      const manifestPolicy = cachePolicyTtls(template).find((policy) => policy.comment.includes('manifests'))!;
      expect(manifestPolicy).toMatchObject({ ttl: manifestTtl, max: manifestTtl, queryStrings: ['aws.manifestfilter', 'start', 'end', 'time_delay'] });
      expect(config.Origins[0].ConnectionTimeout).toBe(connect);
      expect(config.Origins[0].CustomOriginConfig).toMatchObject({ OriginReadTimeout: read, OriginKeepaliveTimeout: keepalive });
    });

  test('segments are cached a day with no query strings; .m3u8 and .mpd go to the manifest policy, compressed', () => {
    const { template, config } = distributionOf();
    const segmentPolicy = cachePolicyTtls(template).find((policy) => policy.comment.includes('segments'))!;
    expect(segmentPolicy).toMatchObject({ ttl: 86400, max: 86400, queryStrings: undefined });
    expect(config.CacheBehaviors.map((behavior: any) => behavior.PathPattern)).toEqual(['*.m3u8', '*.mpd']);
    for (const behavior of config.CacheBehaviors) expect(behavior).toMatchObject({ Compress: true, AllowedMethods: ['GET', 'HEAD'], ViewerProtocolPolicy: 'redirect-to-https' });
    expect(config.DefaultCacheBehavior).toMatchObject({ Compress: false, AllowedMethods: ['GET', 'HEAD'] });
  });

  test('errors are cached one second, and every behavior answers CORS for any origin', () => {
    const { config } = distributionOf();
    expect(config.CustomErrorResponses).toHaveLength(11);
    for (const response of config.CustomErrorResponses) expect(response.ErrorCachingMinTTL).toBe(1);
    const corsAllOrigins = cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS.responseHeadersPolicyId;
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) expect(behavior.ResponseHeadersPolicyId).toBe(corsAllOrigins);
  });

  test('distribution settings: price class, logging, geo restriction, custom domain with TLS 1.2', () => {
    const imports = new Stack();
    const certificate = acm.Certificate.fromCertificateArn(imports, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    const logs = s3.Bucket.fromBucketName(imports, 'Logs', 'my-cf-logs');
    const { config } = distributionOf({
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'FR'),
      accessLogBucket: logs,
      domainNames: ['live.example.com'],
      certificate,
    });
    expect(config).toMatchObject({
      PriceClass: 'PriceClass_100',
      Restrictions: { GeoRestriction: { RestrictionType: 'whitelist', Locations: ['DE', 'FR'] } },
      Logging: { Prefix: 'live-ott-pipeline/' },
      Aliases: ['live.example.com'],
      ViewerCertificate: { AcmCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc', MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
    });
  });
});

describe('LiveOttPipeline low-latency HLS (MediaPackage v2)', () => {
  const { stack, pipeline, template } = pipelineStack({ packaging: Packaging.mediaPackageV2({ lowLatencyHls: true }) });

  test('the CMAF endpoint gets an LL-HLS manifest beside its HLS manifest, under its own name', () => {
    const cmaf = endpointNamed(template, 'cmaf');
    expect(cmaf.LowLatencyHlsManifests).toEqual([expect.objectContaining({ ManifestName: 'index-ll', ManifestWindowSeconds: 60, ProgramDateTimeIntervalSeconds: 4 })]);
    expect(cmaf.HlsManifests).toEqual([expect.objectContaining({ ManifestName: 'index' })]);
    expect(endpointNamed(template, 'hls-ts').LowLatencyHlsManifests).toBeUndefined();
    expect(endpointNamed(pipelineStack().template, 'cmaf').LowLatencyHlsManifests).toBeUndefined();
  });

  test('manifests are keyed on the blocking-reload parameters _HLS_msn and _HLS_part, and the URL names the LL-HLS manifest', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['aws.manifestfilter', 'start', 'end', 'time_delay', '_HLS_msn', '_HLS_part'] },
        }),
      }),
    });
    const group = onlyResource(template, 'AWS::MediaPackageV2::ChannelGroup').ChannelGroupName;
    const domain = { 'Fn::GetAtt': [expect.stringMatching(/^LiveDistribution/), 'DomainName'] };
    expect(stack.resolve(pipeline.lowLatencyHlsPlaybackUrl)).toEqual({ 'Fn::Join': ['', ['https://', domain, `/out/v1/${group}/live/cmaf/index-ll.m3u8`]] });
    expect(pipelineStack().pipeline.lowLatencyHlsPlaybackUrl).toBeUndefined();
  });
});

describe('LiveOttPipeline on an existing distribution', () => {
  const shared = () => {
    const stack = new Stack(new App(), 'Live', { env: { account: '111111111111', region: 'eu-west-1' } });
    const existing = new cloudfront.Distribution(stack, 'Shared', { defaultBehavior: { origin: new origins.HttpOrigin('www.example.com') } });
    return { stack, existing };
  };

  test('two pipelines add their behaviors under their own channel paths; no new distribution; endpoints admit that distribution only', () => {
    const { stack, existing } = shared();
    const first = new LiveOttPipeline(stack, 'First', { input: defaultTestInput(), existingDistribution: existing });
    const second = new LiveOttPipeline(stack, 'Second', { input: defaultTestInput(), existingDistribution: existing });
    const template = Template.fromStack(stack);
    const config = onlyResource(template, 'AWS::CloudFront::Distribution').DistributionConfig;
    const groups = Object.values(template.findResources('AWS::MediaPackageV2::ChannelGroup')).map((group) => group.Properties.ChannelGroupName);
    expect(groups).toHaveLength(2);
    expect(config.CacheBehaviors.map((behavior: any) => behavior.PathPattern).sort()).toEqual(groups.flatMap((group) =>
      ['*', '*.m3u8', '*.mpd'].map((pattern) => `/out/v1/${group}/live/${pattern}`)).sort());
    expect(first.distribution).toBe(existing);
    const domain = { 'Fn::GetAtt': [expect.stringMatching(/^Shared/), 'DomainName'] };
    expect(stack.resolve(second.hlsPlaybackUrl)).toEqual({ 'Fn::Join': ['', ['https://', domain, `/out/v1/${groups[1]}/live/hls-ts/index.m3u8`]] });
    for (const policy of Object.values(template.findResources('AWS::MediaPackageV2::OriginEndpointPolicy'))) {
      expect(policy.Properties.Policy.Statement[0].Condition.StringEquals['AWS:SourceArn']['Fn::Join'][1][3]).toEqual({ Ref: expect.stringMatching(/^Shared/) });
    }
  });

  test('distribution settings and MediaPackage v1 are refused with an existing distribution', () => {
    const { stack, existing } = shared();
    expect(() => new LiveOttPipeline(stack, 'A', { input: defaultTestInput(), existingDistribution: existing, priceClass: cloudfront.PriceClass.PRICE_CLASS_100 }))
      .toThrow('priceClass configure a new distribution: set them on existingDistribution instead');
    expect(() => new LiveOttPipeline(stack, 'B', { input: defaultTestInput(), existingDistribution: existing, packaging: Packaging.mediaPackageV1() }))
      .toThrow(/^existingDistribution does not work with Packaging.mediaPackageV1\(\)/);
  });
});
