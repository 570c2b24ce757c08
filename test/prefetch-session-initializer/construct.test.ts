import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as events from 'aws-cdk-lib/aws-events';
import {
  AnnouncedBreakEvent, AvailSuppressionFillPolicy, AvailSuppressionMode, ContentSource, EncodingProfile, LiveInput, LiveOttPipeline,
  TimeShiftChannel, TimeShiftedViewing,
  DashMpdLocation, DashOriginManifestType, InsertionMode, MediaTailorLoggingStrategy,
  PlaybackConfiguration, PrefetchSessionInitializer, PrefetchSessionInitializerProps, PrefetchTrafficShaping,
} from '../../src';
import { announcedBreakEnvironment } from '../../src/prefetch-session-initializer/contract/announced-break';
import { originSecretHeader, sessionEnvironment } from '../../src/prefetch-session-initializer/contract/protocol';
import { expectNagClean } from '../harness/nag';

const contentSource = 'https://origin.example.com/out/v1/';
const adsUrl = 'https://ads.example.com/vast?duration=[session.avail_duration_secs]';

function initializerStack(props: Partial<PrefetchSessionInitializerProps> = {}) {
  const stack = new Stack(new App(), 'Ads', { env: { account: '111111111111', region: 'eu-west-1' } });
  const initializer = new PrefetchSessionInitializer(stack, 'Initializer', {
    playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, videoContentSourceUrl: contentSource }),
    ...props,
  });
  return { stack, initializer, template: Template.fromStack(stack) };
}

const maximalSchedules = {
  prefetchGroups: 3,
  prefetchSchedules: [{
    name: 'evening',
    startTime: '2030-01-01T18:00:00Z',
    endTime: '2030-01-01T23:00:00Z',
    availMatchingCriteria: ['scte.event_id'],
    dynamicVariables: { 'session.avail_duration_secs': '120' },
    retrievedAdExpiration: Duration.minutes(10),
    delayAfterAvailEnd: Duration.seconds(30),
    groupStagger: Duration.seconds(40),
    trafficShaping: PrefetchTrafficShaping.retrievalWindow(Duration.seconds(40)),
  }],
};

function distributionConfig(template: Template): any {
  return Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
}

function behavior(template: Template, pattern: string): any {
  return distributionConfig(template).CacheBehaviors.find((candidate: any) => candidate.PathPattern === pattern);
}

function originIdOf(template: Template, domain: string): string {
  return distributionConfig(template).Origins.find((origin: any) => JSON.stringify(origin.DomainName).includes(domain)).Id;
}

const managed = {
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  allViewerExceptHost: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
  corsWithPreflight: '5cc3b908-e619-4b99-88e5-2cf7f45965bd',
};

describe('PrefetchSessionInitializer construct', () => {
  describe('defaults', () => {
    const { stack, initializer, template } = initializerStack();

    test('declares the playback configuration itself, no custom resource', () => {
      template.resourceCountIs('AWS::MediaTailor::PlaybackConfiguration', 1);
      template.resourceCountIs('AWS::CloudFormation::CustomResource', 0);
      template.resourceCountIs('Custom::AWS', 0);
      template.hasResourceProperties('AWS::MediaTailor::PlaybackConfiguration', {
        AdDecisionServerUrl: adsUrl,
        VideoContentSourceUrl: contentSource,
        Name: Match.stringLikeRegexp('^[A-Za-z0-9_-]{1,64}$'),
      });
    });

    test('points the CDN prefixes at the distribution: content under the content source path, ads at the root', () => {
      const domain = { 'Fn::GetAtt': [Match.stringLikeRegexp('Distribution'), 'DomainName'] };
      template.hasResourceProperties('AWS::MediaTailor::PlaybackConfiguration', {
        CdnConfiguration: {
          ContentSegmentUrlPrefix: { 'Fn::Join': ['', ['https://', domain, '/out/v1/']] },
          AdSegmentUrlPrefix: { 'Fn::Join': ['', ['https://', domain, '/']] },
        },
      });
    });

    test('has three origins: the content host, MediaTailor segments and manifests of the region, plus the session function', () => {
      const domains = distributionConfig(template).Origins.map((origin: any) => JSON.stringify(origin.DomainName));
      expect(domains).toEqual(expect.arrayContaining([
        '"origin.example.com"', '"segments.mediatailor.eu-west-1.amazonaws.com"', '"manifests.mediatailor.eu-west-1.amazonaws.com"',
      ]));
      expect(domains).toHaveLength(4);
    });

    test('sends content segments (the default behavior) to the content origin, cached', () => {
      const defaultBehavior = distributionConfig(template).DefaultCacheBehavior;
      expect(defaultBehavior.TargetOriginId).toBe(originIdOf(template, 'origin.example.com'));
      expect(defaultBehavior.CachePolicyId).toBe(managed.cachingOptimized);
      expect(defaultBehavior.ResponseHeadersPolicyId).toBe(managed.corsWithPreflight);
    });

    test('caches /tm/* ad segments from MediaTailor\'s segments origin', () => {
      const ads = behavior(template, 'tm/*');
      expect(ads.TargetOriginId).toBe(originIdOf(template, 'segments.mediatailor'));
      expect(ads.CachePolicyId).toBe(managed.cachingOptimized);
      expect(ads.ResponseHeadersPolicyId).toBe(managed.corsWithPreflight);
    });

    test.each(['v1/*', 'segment/*'])('sends %s uncached to the manifests origin with every viewer header and query string but Host', (pattern) => {
      const uncached = behavior(template, pattern);
      expect(uncached.TargetOriginId).toBe(originIdOf(template, 'manifests.mediatailor'));
      expect(uncached.CachePolicyId).toBe(managed.cachingDisabled);
      expect(uncached.OriginRequestPolicyId).toBe(managed.allViewerExceptHost);
      expect(uncached.ResponseHeadersPolicyId).toBe(managed.corsWithPreflight);
    });

    test('lets explicit sessions POST through /v1/*', () => {
      expect(behavior(template, 'v1/*').AllowedMethods).toEqual(expect.arrayContaining(['POST', 'OPTIONS']));
    });

    test('waits for MediaTailor longer than its ADS timeout (3 s + 2 s)', () => {
      const manifests = distributionConfig(template).Origins.find((origin: any) => origin.DomainName === 'manifests.mediatailor.eu-west-1.amazonaws.com');
      expect(manifests.CustomOriginConfig.OriginReadTimeout).toBe(5);
      expect(manifests.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    });

    test('runs the stream-id redirect (cloudfront-js-2.0) on viewer requests of /session-initializer/*', () => {
      const redirect = behavior(template, 'session-initializer/*');
      expect(redirect.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.stringMatching(/RedirectFunction/), 'FunctionARN'] } }]);
      template.hasResourceProperties('AWS::CloudFront::Function', {
        FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
        FunctionCode: Match.stringLikeRegexp('"streamIds":\\["1","2","3","4"\\]'),
      });
    });

    test('sends /session-initializer/v1/session/* (before the redirect behavior) to the session function, every method, uncached', () => {
      const patterns = distributionConfig(template).CacheBehaviors.map((candidate: any) => candidate.PathPattern);
      expect(patterns.indexOf('session-initializer/v1/session/*')).toBeLessThan(patterns.indexOf('session-initializer/*'));
      const session = behavior(template, 'session-initializer/v1/session/*');
      expect(session.AllowedMethods).toHaveLength(7);
      expect(session.CachePolicyId).toBe(managed.cachingDisabled);
      expect(session.OriginRequestPolicyId).toBe(managed.allViewerExceptHost);
      expect(session.FunctionAssociations).toBeUndefined();
    });

    test('fronts the session function with a Function URL (AuthType NONE) and the origin secret header as a dynamic reference', () => {
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
      template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 0);
      const origin = distributionConfig(template).Origins.find((candidate: any) => candidate.OriginCustomHeaders);
      expect(origin.OriginCustomHeaders).toHaveLength(1);
      expect(origin.OriginCustomHeaders[0].HeaderName).toBe(originSecretHeader);
      const value = JSON.stringify(stack.resolve(origin.OriginCustomHeaders[0].HeaderValue));
      expect(value).toMatch(/\{\{resolve:secretsmanager:/);
      expect(value).toContain('OriginSecret');
      template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true } });
    });

    test('sizes the session function: 256 MiB, arm64, reserved concurrency 100, timeout above the MediaTailor wait', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 256, ReservedConcurrentExecutions: 100, Timeout: 7,
      });
    });

    test('configures the session function from the contract', () => {
      const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
      expect(fn.Properties.Environment.Variables).toMatchObject({
        [sessionEnvironment.mediaTailorEndpoint]: 'https://manifests.mediatailor.eu-west-1.amazonaws.com',
        [sessionEnvironment.playbackConfigurationName]: initializer.playbackConfigurationName,
        [sessionEnvironment.groupCount]: '4',
        [sessionEnvironment.maxBodyBytes]: '16384',
        [sessionEnvironment.mediaTailorTimeoutMs]: '5000',
      });
    });

    test('lets the session function read the origin secret and nothing else but its logs', () => {
      const policies = Object.values(template.findResources('AWS::IAM::Policy'));
      const statements = policies.flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
      const actions = statements.flatMap((statement: any) => [statement.Action].flat());
      expect(new Set(actions)).toEqual(new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'logs:CreateLogStream', 'logs:PutLogEvents']));
      const secretStatement = statements.find((statement: any) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'));
      expect(secretStatement.Resource).toEqual({ Ref: expect.stringMatching(/OriginSecret/) });
    });

    test('creates no prefetch schedule unless asked', () => {
      template.resourceCountIs('AWS::MediaTailor::PrefetchSchedule', 0);
    });

    test('exposes the session-initializer URL base', () => {
      expect(stack.resolve(initializer.sessionInitializerUrlBase)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/Distribution/), 'DomainName'] }, '/session-initializer']] });
    });

    test('is cdk-nag AwsSolutions clean', () => {
      expectNagClean(stack);
    });
  });

  describe('every playback configuration property', () => {
    const { template } = initializerStack({
      playbackConfiguration: PlaybackConfiguration.create({
        name: 'my-config',
        adDecisionServerUrl: adsUrl,
        videoContentSourceUrl: contentSource,
        slateAdUrl: 'https://ads.example.com/slate.mp4',
        availSuppression: {
          mode: AvailSuppressionMode.BEHIND_LIVE_EDGE, value: Duration.seconds(21), fillPolicy: AvailSuppressionFillPolicy.FULL_AVAIL_ONLY,
        },
        bumperStartUrl: 'https://ads.example.com/start.mp4',
        bumperEndUrl: 'https://ads.example.com/end.mp4',
        livePreRollAdDecisionServerUrl: 'https://ads.example.com/preroll',
        livePreRollMaxDuration: Duration.seconds(30),
        personalizationThreshold: Duration.seconds(2),
        adMarkerPassthrough: true,
        logging: { percentEnabled: 10, strategies: [MediaTailorLoggingStrategy.VENDED_LOGS] },
        configurationAliases: { 'player_params.origin_domain': { pdx: 'abc.example.com' } },
        insertionMode: InsertionMode.PLAYER_SELECT,
        transcodeProfileName: 'profile',
        dashMpdLocation: DashMpdLocation.DISABLED,
        dashOriginManifestType: DashOriginManifestType.MULTI_PERIOD,
        adConditioningConfiguration: { streamingMediaFileConditioning: 'TRANSCODE' },
        adsPersonalizationTimeouts: { adsRequestTimeoutMilliseconds: 6000 },
        functionMapping: { PRE_SESSION_INITIALIZATION: 'fn' },
        tags: { team: 'ads' },
      }),
    });

    test('writes each property to the configuration', () => {
      template.hasResourceProperties('AWS::MediaTailor::PlaybackConfiguration', {
        Name: 'my-config',
        SlateAdUrl: 'https://ads.example.com/slate.mp4',
        AvailSuppression: { Mode: 'BEHIND_LIVE_EDGE', Value: '00:00:21', FillPolicy: 'FULL_AVAIL_ONLY' },
        Bumper: { StartUrl: 'https://ads.example.com/start.mp4', EndUrl: 'https://ads.example.com/end.mp4' },
        LivePreRollConfiguration: { AdDecisionServerUrl: 'https://ads.example.com/preroll', MaxDurationSeconds: 30 },
        PersonalizationThresholdSeconds: 2,
        ManifestProcessingRules: { AdMarkerPassthrough: { Enabled: true } },
        LogConfiguration: { PercentEnabled: 10, EnabledLoggingStrategies: ['VENDED_LOGS'] },
        ConfigurationAliases: { 'player_params.origin_domain': { pdx: 'abc.example.com' } },
        InsertionMode: 'PLAYER_SELECT',
        TranscodeProfileName: 'profile',
        DashConfiguration: { MpdLocation: 'DISABLED', OriginManifestType: 'MULTI_PERIOD' },
        AdConditioningConfiguration: { StreamingMediaFileConditioning: 'TRANSCODE' },
        AdsPersonalizationTimeouts: { AdsRequestTimeoutMilliseconds: 6000 },
        FunctionMapping: { PRE_SESSION_INITIALIZATION: 'fn' },
        Tags: [{ Key: 'team', Value: 'ads' }],
      });
    });

    test('sizes the MediaTailor waits from the ADS timeout (6 s + 2 s)', () => {
      const manifests = distributionConfig(template).Origins.find((origin: any) => origin.DomainName === 'manifests.mediatailor.eu-west-1.amazonaws.com');
      expect(manifests.CustomOriginConfig.OriginReadTimeout).toBe(8);
      template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 10 });
    });
  });

  describe('an existing playback configuration', () => {
    const { template, initializer } = initializerStack({
      playbackConfiguration: PlaybackConfiguration.fromExisting({ name: 'theirs', videoContentSourceUrl: 'http://origin.example.com:8080/live/' }),
      ...maximalSchedules,
    });

    test('is neither created nor changed', () => {
      template.resourceCountIs('AWS::MediaTailor::PlaybackConfiguration', 0);
      template.resourceCountIs('AWS::CloudFormation::CustomResource', 0);
      expect(initializer.playbackConfigurationName).toBe('theirs');
      expect(initializer.playbackConfigurationResource).toBeUndefined();
    });

    test('gets schedules by name and an http content origin on its port', () => {
      template.resourceCountIs('AWS::MediaTailor::PrefetchSchedule', 3);
      template.hasResourceProperties('AWS::MediaTailor::PrefetchSchedule', { PlaybackConfigurationName: 'theirs' });
      const content = distributionConfig(template).Origins.find((origin: any) => origin.DomainName === 'origin.example.com');
      expect(content.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'http-only', HTTPPort: 8080 });
    });
  });

  describe('recurring prefetch schedules', () => {
    const { template } = initializerStack(maximalSchedules);
    const schedules = () => Object.values(template.findResources('AWS::MediaTailor::PrefetchSchedule')).map((resource: any) => resource);

    test('declares one RECURRING schedule per group, with its stream id, after the configuration', () => {
      expect(schedules().map((schedule) => [schedule.Properties.Name, schedule.Properties.StreamId, schedule.Properties.ScheduleType])).toEqual([
        ['evening-1', '1', 'RECURRING'], ['evening-2', '2', 'RECURRING'], ['evening-3', '3', 'RECURRING'],
      ]);
      for (const schedule of schedules()) expect(schedule.DependsOn).toEqual([expect.stringMatching(/PlaybackConfiguration/)]);
    });

    test('staggers the groups\' retrieval and passes matching criteria, variables, expiry and shaping', () => {
      expect(schedules().map((schedule) => schedule.Properties.RecurringPrefetchConfiguration)).toEqual([30, 70, 110].map((delay) => ({
        StartTime: '2030-01-01T18:00:00Z',
        EndTime: '2030-01-01T23:00:00Z',
        RecurringConsumption: { AvailMatchingCriteria: [{ DynamicVariable: 'scte.event_id', Operator: 'EQUALS' }], RetrievedAdExpirationSeconds: 600 },
        RecurringRetrieval: {
          DelayAfterAvailEndSeconds: delay,
          DynamicVariables: { 'session.avail_duration_secs': '120' },
          TrafficShapingType: 'RETRIEVAL_WINDOW',
          TrafficShapingRetrievalWindow: { RetrievalWindowDurationSeconds: 40 },
        },
      })));
    });

    test('splits a TPS budget over the groups', () => {
      const { template: tps } = initializerStack({
        prefetchGroups: 4,
        prefetchSchedules: [{ name: 'tps', endTime: '2030-01-02T00:00:00Z', trafficShaping: PrefetchTrafficShaping.tps(1000, 200_000) }],
      });
      tps.hasResourceProperties('AWS::MediaTailor::PrefetchSchedule', {
        RecurringPrefetchConfiguration: Match.objectLike({
          RecurringRetrieval: Match.objectLike({ TrafficShapingType: 'TPS', TrafficShapingTpsConfiguration: { PeakTps: 250, PeakConcurrentUsers: 50_000 } }),
        }),
      });
    });

    test('warns when a schedule has already ended', () => {
      const { stack } = initializerStack({ prefetchSchedules: [{ name: 'past', endTime: '2020-01-01T00:00:00Z' }] });
      Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp("prefetch schedule 'past' ended at 2020-01-01T00:00:00Z"));
    });

    test('is cdk-nag clean with schedules', () => {
      expectNagClean(initializerStack(maximalSchedules).stack);
    });
  });

  describe('announced breaks', () => {
    const { stack, initializer, template } = initializerStack({
      prefetchGroups: 6,
      prefetchSchedules: [{ name: 'evening', endTime: '2030-01-01T23:00:00Z' }],
      announcedBreaks: { maxOverlappingBreaks: 2, retrievalLead: Duration.minutes(8), retrievalEndsBeforeBreak: Duration.seconds(20) },
    });
    const configurationName = () => initializer.playbackConfigurationName;
    const functionId = () => stack.getLogicalId(initializer.announcedBreakFunction!.node.defaultChild as any);

    test('a rule on the default bus sends this configuration\'s announcements to the function, retried twice within an hour', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { 'source': [AnnouncedBreakEvent.SOURCE], 'detail-type': [AnnouncedBreakEvent.DETAIL_TYPE], 'detail': { playbackConfigurationName: [configurationName()] } },
        EventBusName: Match.absent(),
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId(), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })],
      });
      expect(AnnouncedBreakEvent.SOURCE).toBe('cdk-ott-constructs.prefetch-session-initializer');
      expect(AnnouncedBreakEvent.DETAIL_TYPE).toBe('Ad Break Announced');
    });

    test('an hourly rule runs the sweep', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 hour)',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId(), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
      });
    });

    test('configures the function: configuration, groups, timing and overlapping breaks', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            [announcedBreakEnvironment.playbackConfigurationName]: configurationName(),
            [announcedBreakEnvironment.groupCount]: '6',
            [announcedBreakEnvironment.retrievalLeadSeconds]: '480',
            [announcedBreakEnvironment.retrievalEndsBeforeBreakSeconds]: '20',
            [announcedBreakEnvironment.maxOverlappingBreaks]: '2',
          }),
        },
      });
    });

    test('may create and list schedules of its configuration, and get and delete only those it named', () => {
      const arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:mediatailor:eu-west-1:111111111111:${resource}`]] });
      const roleId = stack.getLogicalId(initializer.announcedBreakFunction!.role!.node.defaultChild as any);
      const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy: any) => JSON.stringify(policy.Properties.Roles).includes(roleId));
      const statements = policies.flatMap((policy: any) => policy.Properties.PolicyDocument.Statement).filter((statement: any) => JSON.stringify(statement.Action).includes('mediatailor'));
      expect(statements).toEqual([
        { Effect: 'Allow', Action: ['mediatailor:CreatePrefetchSchedule', 'mediatailor:ListPrefetchSchedules'], Resource: arn(`playbackConfiguration/${configurationName()}`) },
        {
          Effect: 'Allow',
          Action: ['mediatailor:GetPrefetchSchedule', 'mediatailor:DeletePrefetchSchedule'],
          Resource: [arn(`playbackConfiguration/${configurationName()}`), arn(`prefetchSchedule/${configurationName()}/announced-break-*`)],
        },
      ]);
    });

    test('takes an event bus', () => {
      const busStack = new Stack(new App(), 'Bus', { env: { account: '111111111111', region: 'eu-west-1' } });
      const eventBus = new events.EventBus(busStack, 'Ads');
      new PrefetchSessionInitializer(busStack, 'Initializer', {
        playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, videoContentSourceUrl: contentSource }),
        announcedBreaks: { eventBus },
      });
      Template.fromStack(busStack).hasResourceProperties('AWS::Events::Rule', { EventBusName: { Ref: busStack.getLogicalId(eventBus.node.defaultChild as any) } });
    });

    test('exposes its metrics, and refuses them when announced breaks are off', () => {
      expect(initializer.metricRejectedAnnouncements().metricName).toBe('RejectedAnnouncements');
      expect(initializer.metricAnnouncedSchedulesCreated().metricName).toBe('AnnouncedSchedulesCreated');
      expect(initializer.metricAnnouncedBreakFailures().metricName).toBe('AnnouncedBreakMediaTailorFailures');
      expect(() => initializerStack().initializer.metricRejectedAnnouncements()).toThrow('RejectedAnnouncements is published only when announcedBreaks is set');
    });

    test('is cdk-nag clean', () => {
      expectNagClean(stack);
    });
  });

  describe('content sources', () => {
    const stackWith = (source: (stack: Stack) => ContentSource) => {
      const stack = new Stack(new App(), 'Sources', { env: { account: '111111111111', region: 'eu-west-1' } });
      const initializer = new PrefetchSessionInitializer(stack, 'Initializer', {
        playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, contentSource: source(stack) }),
      });
      return { stack, initializer, template: Template.fromStack(stack) };
    };
    const domainOf = (stack: Stack, distribution: { node: { defaultChild?: any } }) => ({ 'Fn::GetAtt': [stack.getLogicalId(distribution.node.defaultChild), 'DomainName'] });

    describe('a LiveOttPipeline', () => {
      let pipeline: LiveOttPipeline;
      const { stack, template } = stackWith((scope) => {
        pipeline = new LiveOttPipeline(scope, 'Live', {
          input: LiveInput.rtmpPush({ allowedCidrs: ['203.0.113.0/24'], streamNames: ['live/main'] }),
          encoding: EncodingProfile.hd1080p(),
        });
        return ContentSource.fromLiveOttPipeline(pipeline);
      });

      test('MediaTailor reads the pipeline\'s playlists through its distribution, and content segments come from there', () => {
        const pipelineDomain = domainOf(stack, pipeline.distribution);
        template.hasResourceProperties('AWS::MediaTailor::PlaybackConfiguration', {
          VideoContentSourceUrl: { 'Fn::Join': ['', ['https://', pipelineDomain, '/']] },
          CdnConfiguration: Match.objectLike({ ContentSegmentUrlPrefix: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^InitializerDistribution'), 'DomainName'] }, '/']] } }),
        });
        const distributions = Object.values(template.findResources('AWS::CloudFront::Distribution')).map((resource: any) => resource.Properties.DistributionConfig);
        const initializer = distributions.find((config: any) => config.Comment.startsWith('PrefetchSessionInitializer'));
        const content = initializer.Origins.find((origin: any) => origin.Id === initializer.DefaultCacheBehavior.TargetOriginId);
        expect(content).toMatchObject({ DomainName: pipelineDomain, CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } });
      });

      test('is cdk-nag clean', () => {
        expectNagClean(stack);
      });
    });

    describe('a TimeShiftedViewing channel', () => {
      let viewing: TimeShiftedViewing;
      const { stack, template } = stackWith((scope) => {
        viewing = new TimeShiftedViewing(scope, 'TimeShift', { channel: TimeShiftChannel.fromPlaybackUrl('https://abc.channel-assembly.mediatailor.eu-west-1.amazonaws.com/v1/channel/news/index.m3u8') });
        return ContentSource.fromTimeShiftedViewing(viewing);
      });
      const initializerConfig = () => Object.values(template.findResources('AWS::CloudFront::Distribution'))
        .map((resource: any) => resource.Properties.DistributionConfig).find((config: any) => config.Comment.startsWith('PrefetchSessionInitializer'));

      test('MediaTailor reads the channel through the time-shift distribution (its time-shift cache keys)', () => {
        template.hasResourceProperties('AWS::MediaTailor::PlaybackConfiguration', {
          VideoContentSourceUrl: { 'Fn::Join': ['', ['https://', domainOf(stack, viewing.distribution), '/v1/channel/news/']] },
          CdnConfiguration: Match.objectLike({ ContentSegmentUrlPrefix: { 'Fn::Join': ['', ['https://', Match.anyValue(), '/v1/channel/news/']] } }),
        });
      });

      test('content under the channel path is served before MediaTailor\'s v1/*, with the channel\'s segment cache policy and CORS', () => {
        const patterns = initializerConfig().CacheBehaviors.map((cacheBehavior: any) => cacheBehavior.PathPattern);
        expect(patterns.indexOf('v1/channel/news/*')).toBe(0);
        expect(patterns.indexOf('v1/*')).toBeGreaterThan(0);
        const channel = initializerConfig().CacheBehaviors[0];
        expect(channel.CachePolicyId).toEqual({ Ref: stack.getLogicalId(viewing.cacheBehaviors.segmentCachePolicy.node.defaultChild as any) });
        expect(channel.ResponseHeadersPolicyId).toBe(managed.corsWithPreflight);
        expect(initializerConfig().DefaultCacheBehavior.CachePolicyId).toEqual(channel.CachePolicyId);
      });

      test('is cdk-nag clean', () => {
        expectNagClean(stack);
      });
    });

    test.each([
      ['both a content source and a URL', { contentSource: ContentSource.fromUrl(contentSource), videoContentSourceUrl: contentSource }, 'got both'],
      ['neither', {}, 'got neither'],
    ])('refuses %s', (_case, content, message) => {
      const stack = new Stack(new App(), 'Sources', { env: { account: '111111111111', region: 'eu-west-1' } });
      expect(() => new PrefetchSessionInitializer(stack, 'Initializer', { playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, ...content }) }))
        .toThrow(`playbackConfiguration needs exactly one of contentSource and videoContentSourceUrl, ${message}`);
    });

    test('ContentSource.fromUrl is the same as videoContentSourceUrl', () => {
      const viaUrl = initializerStack().template.toJSON();
      const stack = new Stack(new App(), 'Ads', { env: { account: '111111111111', region: 'eu-west-1' } });
      new PrefetchSessionInitializer(stack, 'Initializer', { playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, contentSource: ContentSource.fromUrl(contentSource) }) });
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).toBe(JSON.stringify(viaUrl));
    });
  });

  describe('custom domain', () => {
    const certificate = (stack: Stack) => acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    test('points the CDN prefixes at the first domain name', () => {
      const stack = new Stack(new App(), 'Domain', { env: { account: '111111111111', region: 'eu-west-1' } });
      new PrefetchSessionInitializer(stack, 'Initializer', {
        playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, videoContentSourceUrl: contentSource }),
        domainNames: ['tv.example.com'],
        certificate: certificate(stack),
      });
      Template.fromStack(stack).hasResourceProperties('AWS::MediaTailor::PlaybackConfiguration', {
        CdnConfiguration: { ContentSegmentUrlPrefix: 'https://tv.example.com/out/v1/', AdSegmentUrlPrefix: 'https://tv.example.com/' },
      });
    });
  });

  describe('rejects impossible props', () => {
    const fails = (props: Partial<PrefetchSessionInitializerProps>) => () => initializerStack(props);

    test.each([0, 26, 2.5])('prefetchGroups %p', (prefetchGroups) => {
      expect(fails({ prefetchGroups })).toThrow(`prefetchGroups must be an integer from 1 to 25: ${prefetchGroups} groups x 0 schedules per group`);
    });

    test('more groups x schedules than the 25 active schedules, with the arithmetic', () => {
      const prefetchSchedules = Array.from({ length: 3 }, (_, index) => ({ name: `s${index}`, endTime: '2030-01-01T00:00:00Z' }));
      expect(fails({ prefetchGroups: 9, prefetchSchedules })).toThrow(
        'prefetchGroups must be an integer from 1 to 8: 9 groups x 3 schedules per group (3 recurring + 0 single) (9 x 3 = 27) must stay within MediaTailor\'s 25 active prefetch schedules per playback configuration, got 9');
    });

    test('more groups x (recurring + overlapping announced breaks) than the 25 active schedules, with the arithmetic', () => {
      const prefetchSchedules = [{ name: 'evening', endTime: '2030-01-01T00:00:00Z' }];
      expect(fails({ prefetchGroups: 9, prefetchSchedules, announcedBreaks: { maxOverlappingBreaks: 2 } })).toThrow(
        'prefetchGroups must be an integer from 1 to 8: 9 groups x 3 schedules per group (1 recurring + 2 single) (9 x 3 = 27) must stay within MediaTailor\'s 25 active prefetch schedules per playback configuration, got 9');
    });

    test.each([
      ['overlapping announced breaks under 1', { announcedBreaks: { maxOverlappingBreaks: 0 } }, 'announcedBreaks.maxOverlappingBreaks must be an integer from 1 to 25, got 0'],
      ['a retrieval lead under 10 s', { announcedBreaks: { retrievalLead: Duration.seconds(5) } }, 'announcedBreaks.retrievalLead must be whole seconds from 10 to 3600, got 5 seconds'],
      ['a retrieval lead leaving no time per group', { prefetchGroups: 4, announcedBreaks: { retrievalLead: Duration.seconds(32), retrievalEndsBeforeBreak: Duration.seconds(30) } }, 'announcedBreaks.retrievalLead (32 s) must exceed retrievalEndsBeforeBreak (30 s) by at least one second per group (4)'],
      ['a recurring schedule named like an announced one', { prefetchSchedules: [{ name: 'announced-break-x', endTime: '2030-01-01T00:00:00Z' }] }, "prefetchSchedules name must not start with 'announced-break-' (the announced-break schedules' prefix), got 'announced-break-x'"],
      ['a content source with a query', { playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, videoContentSourceUrl: 'https://o.example.com/?a=1' }) }, 'videoContentSourceUrl must be an http(s) URL'],
      ['a bad configuration name', { playbackConfiguration: PlaybackConfiguration.create({ name: 'bad name', adDecisionServerUrl: adsUrl, videoContentSourceUrl: contentSource }) }, "name must be 1 to 64 letters, digits, '-' or '_', got 'bad name'"],
      ['an ADS timeout over 6000 ms', { playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, videoContentSourceUrl: contentSource, adsPersonalizationTimeouts: { adsRequestTimeoutMilliseconds: 7000 } }) }, 'adsPersonalizationTimeouts.adsRequestTimeoutMilliseconds must be from 250 to 6000 ms, got 7000'],
      ['a log percentage over 100', { playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, videoContentSourceUrl: contentSource, logging: { percentEnabled: 101 } }) }, 'logging.percentEnabled must be an integer from 0 to 100, got 101'],
      ['a bad alias key', { playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, videoContentSourceUrl: contentSource, configurationAliases: { origin: {} } }) }, "configurationAliases keys must be 'player_params.<name>', got 'origin'"],
      ['a schedule ending before it starts', { prefetchSchedules: [{ name: 'x', startTime: '2030-01-02T00:00:00Z', endTime: '2030-01-01T00:00:00Z' }] }, "prefetchSchedules 'x' endTime must be after startTime"],
      ['a schedule time that is not ISO-8601', { prefetchSchedules: [{ name: 'x', endTime: 'tomorrow' }] }, "prefetchSchedules 'x' endTime must be an ISO-8601 time, got 'tomorrow'"],
      ['six avail matching criteria', { prefetchSchedules: [{ name: 'x', endTime: '2030-01-01T00:00:00Z', availMatchingCriteria: ['a', 'b', 'c', 'd', 'e', 'f'] }] }, 'availMatchingCriteria holds at most 5 dynamic variables, got 6'],
      ['a bad schedule name', { prefetchSchedules: [{ name: 'a b', endTime: '2030-01-01T00:00:00Z' }] }, "prefetchSchedules name must be letters, digits, '-' or '_'"],
      ['a TPS budget under one per group', { prefetchSchedules: [{ name: 'x', endTime: '2030-01-01T00:00:00Z', trafficShaping: PrefetchTrafficShaping.tps(2, 100) }] }, 'trafficShaping peakTps must be an integer of at least one per group (4), got 2'],
      ['a session body limit under 256', { maxSessionBodyBytes: 10 }, 'maxSessionBodyBytes must be an integer from 256 to 1048576, got 10'],
      ['a session function timeout', { sessionFunctionOptions: { timeout: Duration.seconds(1) } }, 'sessionFunctionOptions.timeout is derived from the ADS timeout'],
    ])('%s', (_case, props, message) => {
      expect(fails(props as Partial<PrefetchSessionInitializerProps>)).toThrow(message);
    });
  });
});
