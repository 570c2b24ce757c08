import { App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { checkMediaLiveEnums } from './medialive-enums';
import { onlyResource, pipelineStack } from './pipeline-stack';
import { ChannelClass, LiveInput, LiveOttPipeline, LiveOttPipelineProps, Packaging } from '../../src';
import { childManifestKey, destinationKeyPrefix, mainManifestKey } from '../../src/live-ott-pipeline/contract/hls-s3-layout';
import { playlistPathPatternSuffix } from '../../src/stale-playlist-guard/contract/playlist-marks';
import { guardEnvironment } from '../../src/stale-playlist-guard/contract/protocol';
import { defaultStaleAfterTargetDurations, staleAfterMs } from '../../src/stale-playlist-guard/contract/staleness';
import { renderEdgeGuardFunction } from '../../src/stale-playlist-guard/edge-function';
import { expectNagClean } from '../harness/nag';

const twoSources = () => LiveInput.urlPull({ urls: ['https://a.example.com/live/index.m3u8', 'https://b.example.com/live/index.m3u8'] });
const standard = (props: Partial<LiveOttPipelineProps> = {}) =>
  pipelineStack({ channelClass: ChannelClass.STANDARD, input: twoSources(), packaging: Packaging.hlsToS3(), ...props });
const hlsGroupOf = (template: Template) => onlyResource(template, 'AWS::MediaLive::Channel').EncoderSettings.OutputGroups[0];
const stackFor = () => new Stack(new App(), 'Live', { env: { account: '111111111111', region: 'eu-west-1' } });

describe('LiveOttPipeline packaging (HLS to S3 behind the StalePlaylistGuard)', () => {
  const { stack, pipeline, template } = standard();
  const bucketRef = { Ref: expect.stringMatching(/^LiveOutputBucket/) };

  test('STANDARD: one S3 destination with a URL per pipeline, the same folder, a base filename each (MediaLive\'s redundant-manifest rule)', () => {
    const channel = onlyResource(template, 'AWS::MediaLive::Channel');
    expect(channel.Destinations).toHaveLength(1);
    expect(channel.Destinations[0].Id).toBe('s3');
    const urls = channel.Destinations[0].Settings.map((setting: { Url: unknown }) => setting.Url);
    expect(urls).toEqual(['channel-a', 'channel-b'].map((base) => ({ 'Fn::Join': ['', ['s3ssl://', bucketRef, `/live/${base}`]] })));
    expect(template.findResources('AWS::MediaPackageV2::Channel')).toEqual({});
  });

  test('the HLS output group: S3 CDN settings, redundant manifests, a paused pipeline on input loss, live mode, PDT from the wall clock', () => {
    const group = hlsGroupOf(template);
    expect(group.OutputGroupSettings.HlsGroupSettings).toMatchObject({
      Destination: { DestinationRefId: 's3' },
      HlsCdnSettings: { HlsS3Settings: {} },
      RedundantManifest: 'ENABLED',
      InputLossAction: 'PAUSE_OUTPUT',
      Mode: 'LIVE',
      DirectoryStructure: 'SINGLE_DIRECTORY',
      SegmentLength: 4,
      IndexNSegments: 15, // 60 s window of 4 s segments
      KeepSegments: 31, // twice the window plus one: a segment outlives the playlist that listed it
      ProgramDateTime: 'INCLUDE',
      ProgramDateTimeClock: 'SYSTEM_CLOCK',
      ProgramDateTimePeriod: 4,
      AdMarkers: ['ELEMENTAL_SCTE35'],
    });
    expect(group.OutputGroupSettings.HlsGroupSettings.HlsCdnSettings.HlsS3Settings.CannedAcl).toBeUndefined();
  });

  test('one TS output per video rendition with the audio muxed in, named by MediaLive\'s modifiers, segments stamped with their time', () => {
    const channel = onlyResource(template, 'AWS::MediaLive::Channel');
    const videoNames = channel.EncoderSettings.VideoDescriptions.map((description: { Name: string }) => description.Name);
    const outputs = hlsGroupOf(template).Outputs;
    expect(outputs.map((output: { VideoDescriptionName: string }) => output.VideoDescriptionName)).toEqual(videoNames);
    for (const output of outputs) {
      expect(output.AudioDescriptionNames).toEqual([channel.EncoderSettings.AudioDescriptions[0].Name]);
      expect(output.OutputSettings.HlsOutputSettings).toMatchObject({
        NameModifier: `-${output.VideoDescriptionName}`,
        SegmentModifier: '_$dt$',
        HlsSettings: { StandardHlsSettings: { M3u8Settings: { Scte35Behavior: 'PASSTHROUGH' } } },
      });
    }
    // closed GOPs divide the segment length, as in the MediaPackage mode
    const h264 = channel.EncoderSettings.VideoDescriptions[0].CodecSettings.H264Settings;
    expect(h264).toMatchObject({ GopSizeUnits: 'SECONDS', GopClosedCadence: 1 });
    expect(4 % h264.GopSize).toBe(0);
  });

  test('HLS only: the playback URL is pipeline 0\'s main manifest on the guard\'s distribution; CMAF and DASH are undefined', () => {
    expect(stack.resolve(pipeline.hlsPlaybackUrl)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^LiveStalePlaylistGuardDistribution/), 'DomainName'] }, `/${mainManifestKey('live/', 'channel', 0)}`]] });
    expect(pipeline.cmafHlsPlaybackUrl).toBeUndefined();
    expect(pipeline.dashPlaybackUrl).toBeUndefined();
    expect(stack.resolve(pipeline.originDomain)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LiveOutputBucket/), 'RegionalDomainName'] });
    expect(pipeline.stalePlaylistGuard?.distribution).toBe(pipeline.distribution);
    expect(pipeline.stalePlaylistGuard?.staleAfterMs).toBe(3 * 4000);
    expect(pipelineStack().pipeline.stalePlaylistGuard).toBeUndefined();
  });

  test('the guard takes each MediaLive pipeline\'s files as one of its pipelines: judged at the edge, heartbeats for failover, multivariant ones marked', () => {
    const keyPrefixes = [0, 1].map((index) => destinationKeyPrefix('live/', 'channel', index));
    expect(keyPrefixes).toEqual(['live/channel-a', 'live/channel-b']);
    const distribution = onlyResource(template, 'AWS::CloudFront::Distribution').DistributionConfig;
    const judged = distribution.CacheBehaviors.filter((behavior: { FunctionAssociations?: unknown[] }) => behavior.FunctionAssociations);
    expect(judged.map((behavior: { PathPattern: string }) => behavior.PathPattern).sort())
      .toEqual(keyPrefixes.map((keyPrefix) => `${keyPrefix}*${playlistPathPatternSuffix}`));
    const segments = distribution.CacheBehaviors.filter((behavior: { PathPattern: string }) => keyPrefixes.some((keyPrefix) => behavior.PathPattern === `${keyPrefix}*`));
    expect(segments).toHaveLength(2);
    const threshold = staleAfterMs(4, defaultStaleAfterTargetDurations(4, 2000));
    const expected = renderEdgeGuardFunction({ staleAfterMs: threshold, pipelinePrefixes: keyPrefixes });
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: expected });
    // two pipelines: the marker publishes heartbeats, so a stalled pipeline fails over while the other runs
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
    expect(pipeline.stalePlaylistGuard?.heartbeatStore).toBeDefined();
    const marker = Object.values(template.findResources('AWS::Lambda::Function'))
      .find((resource) => String(resource.Properties.Description ?? '').includes('stale-playlist-guard/mark'))!;
    const joined = marker.Properties.Environment.Variables[guardEnvironment.pipelines]['Fn::Join'][1] as unknown[];
    const configured = JSON.parse(joined.map((part) => (typeof part === 'string' ? part : 'output-bucket')).join(''));
    expect(configured).toEqual(keyPrefixes.map((prefix) => ({ bucket: 'output-bucket', prefix })));
    // the marker hears every playlist of each pipeline, and only those
    for (const keyPrefix of keyPrefixes) {
      template.hasResourceProperties('Custom::S3BucketNotifications', {
        NotificationConfiguration: {
          LambdaFunctionConfigurations: Match.arrayWith([Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.m3u8' }, { Name: 'prefix', Value: keyPrefix }] } },
          })]),
        },
      });
    }
  });

  test('the bucket it creates: encrypted, private, TLS only, ACLs off; segments (not main manifests) expire after a day', () => {
    const bucket = onlyResource(template, 'AWS::S3::Bucket');
    expect(bucket).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(bucket.LifecycleConfiguration.Rules).toEqual(expect.arrayContaining([
      { Id: 'ExpireOldSegments', Status: 'Enabled', Prefix: 'live/', ObjectSizeGreaterThan: 8192, ExpirationInDays: 1 },
      { Id: 'AbortIncompleteUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
    ]));
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the channel role may write its channel\'s files, list them and delete its segments: nothing else in S3', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))
      .find((resource) => JSON.stringify(resource.Properties.PolicyDocument).includes('s3:PutObject') && JSON.stringify(resource.Properties.Roles).includes('LiveChannelRole'))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.map((statement: { Sid: string; Action: unknown }) => [statement.Sid, statement.Action])).toEqual([
      ['WriteTheChannelOutput', ['s3:PutObject', 's3:GetObject']],
      ['DeleteOldSegments', 's3:DeleteObject'],
      ['ListTheChannelOutput', 's3:ListBucket'],
    ]);
    const resources = JSON.stringify(statements.map((statement: { Resource: unknown }) => statement.Resource));
    for (const keyPattern of ['/live/channel-a*', '/live/channel-b*', '/live/channel-a*.ts', '/live/channel-b*.ts']) expect(resources).toContain(`"${keyPattern}"`);
    expect(statements[2].Condition).toEqual({ StringLike: { 's3:prefix': ['live/channel-a*', 'live/channel-b*'] } });
  });

  test('cdk-nag AwsSolutions: clean, every acknowledgement with a reason', () => {
    expectNagClean(stack);
  });
});

describe('HLS-to-S3 packaging: SINGLE_PIPELINE, a bucket you bring, and rejected props', () => {
  test('SINGLE_PIPELINE: one URL, no redundant manifest, the pipeline emits the input-loss slate rather than stalling its only playlists', () => {
    const { template, stack } = pipelineStack({ packaging: Packaging.hlsToS3({ prefix: 'events/final', baseFilename: 'match', playlistWindow: Duration.seconds(30) }) });
    const channel = onlyResource(template, 'AWS::MediaLive::Channel');
    expect(channel.Destinations[0].Settings).toHaveLength(1);
    expect(JSON.stringify(channel.Destinations[0].Settings[0].Url)).toContain('/events/final/match-a');
    expect(hlsGroupOf(template).OutputGroupSettings.HlsGroupSettings).toMatchObject({ RedundantManifest: 'DISABLED', InputLossAction: 'EMIT_OUTPUT', IndexNSegments: 8, KeepSegments: 17 });
    expect(JSON.stringify(template.toJSON())).not.toContain('match-b');
    // one guard pipeline, never failed over: no heartbeats
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 0);
    const expected = renderEdgeGuardFunction({
      staleAfterMs: staleAfterMs(4, defaultStaleAfterTargetDurations(4, 2000)), pipelinePrefixes: ['events/final/match-a'],
    });
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: expected });
    expectNagClean(stack);
  });

  test('a bucket you bring: no bucket is created, the channel writes there, the guard reads there, the layout keys are unchanged', () => {
    const stack = stackFor();
    const bucket = new s3.Bucket(stack, 'Origin', { enforceSSL: true });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'the test\'s own bucket: its access logging is the bucket owner\'s choice' });
    const pipeline = new LiveOttPipeline(stack, 'Live', { input: twoSources(), channelClass: ChannelClass.STANDARD, packaging: Packaging.hlsToS3({ bucket }) });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::S3::Bucket'))).toEqual([expect.stringMatching(/^Origin/)]);
    expect(stack.resolve(pipeline.originDomain)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Origin/), 'RegionalDomainName'] });
    expect(JSON.stringify(onlyResource(template, 'AWS::MediaLive::Channel').Destinations)).toMatch(/\{"Ref":"Origin[0-9A-F]+"\},"\/live\/channel-b"/);
    expect(childManifestKey('live/', 'channel', 1, 'video_1280x720_2700k')).toBe('live/channel-b-video_1280x720_2700k.m3u8');
    expectNagClean(stack);
  });

  test.each([
    ['a bucket named with a dot', { bucket: 'dotted' }, /MediaLive cannot write to a bucket whose name holds a dot, got 'live.example.com'/],
    ['bucketRemovalPolicy with a bucket you bring', { bucket: 'removal' }, /bucketRemovalPolicy applies to the bucket the packaging creates/],
    ['prefix a//b', { prefix: 'a//b' }, /prefix must be a key prefix like 'live\/'.*got 'a\/\/b'/],
    ['baseFilename with a folder', { baseFilename: 'sub/name' }, /baseFilename must be 1 to 40 letters.*got 'sub\/name'/],
    ['baseFilename with a date variable', { baseFilename: 'channel-$dt$' }, /baseFilename must be .*no \$ variables.*got 'channel-\$dt\$'/],
    ['playlistWindow under three segments', { playlistWindow: Duration.seconds(8) }, /playlistWindow must be 12 s \(three segments\) to 3600 s, got 8 s/],
    ['playlistWindow over an hour', { playlistWindow: Duration.hours(2) }, /playlistWindow must be 12 s .* got 7200 s/],
  ] as Array<[string, Record<string, unknown>, RegExp]>)('rejects %s at synth time, naming the prop and the value', (_name, props, message) => {
    const stack = stackFor();
    const packagingProps = {
      ...props,
      bucket: props.bucket === 'dotted' ? s3.Bucket.fromBucketName(stack, 'Dotted', 'live.example.com')
        : props.bucket === 'removal' ? s3.Bucket.fromBucketName(stack, 'Mine', 'mine') : undefined,
      bucketRemovalPolicy: props.bucket === 'removal' ? RemovalPolicy.DESTROY : undefined,
    };
    expect(() => new LiveOttPipeline(stack, 'Live', { input: twoSources(), channelClass: ChannelClass.STANDARD, packaging: Packaging.hlsToS3(packagingProps) }))
      .toThrow(message);
  });

  test('MediaLive enum check: every HLS group and output setting is a value of the API model, and a bogus one is named', () => {
    const { template } = standard({ scte35Passthrough: false });
    const channel = onlyResource(template, 'AWS::MediaLive::Channel');
    const { problems, checked } = checkMediaLiveEnums('AWS::MediaLive::Channel', channel);
    expect(problems).toEqual([]);
    const group = 'AWS::MediaLive::Channel.EncoderSettings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings';
    expect(checked).toEqual(expect.arrayContaining([
      `${group}.RedundantManifest = ENABLED (HlsRedundantManifest)`,
      `${group}.InputLossAction = PAUSE_OUTPUT (InputLossActionForHlsOut)`,
      `${group}.Mode = LIVE (HlsMode)`,
      `${group}.ProgramDateTimeClock = SYSTEM_CLOCK (HlsProgramDateTimeClock)`,
      'AWS::MediaLive::Channel.EncoderSettings.OutputGroups[0].Outputs[0].OutputSettings.HlsOutputSettings.HlsSettings.StandardHlsSettings.M3u8Settings.Scte35Behavior = NO_PASSTHROUGH (M3u8Scte35Behavior)',
    ]));
    const broken = JSON.parse(JSON.stringify(channel));
    broken.EncoderSettings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.RedundantManifest = 'ENABLEDX';
    broken.EncoderSettings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.HlsCdnSettings.HlsS3Settings.CannedAcl = 'PUBLICX';
    expect(checkMediaLiveEnums('AWS::MediaLive::Channel', broken).problems).toEqual([
      { path: `${group}.HlsCdnSettings.HlsS3Settings.CannedAcl`, message: expect.stringMatching(/^'PUBLICX' is not a S3CannedAcl/) },
      { path: `${group}.RedundantManifest`, message: expect.stringMatching(/^'ENABLEDX' is not a HlsRedundantManifest: one of .*ENABLED/) },
    ].sort((a, b) => (a.path < b.path ? -1 : 1)));
  });
});
