import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AvailSuppressionFillPolicy, AvailSuppressionMode, DashMpdLocation, InsertionMode, MediaTailorLoggingStrategy, PlaybackConfiguration,
  PrefetchSessionInitializer, PrefetchSessionInitializerProps,
} from '../../src';
import { DeployCheckTarget, describeDeployCheck } from '../harness/deploy-check/deploy-check';
import { IamDecisionRow } from '../harness/deploy-check/iam-simulation';
import { checkEnvironment } from '../harness/deploy-check/intrinsics';
import { logicalIdOf } from '../harness/deploy-check/template';

const env = { account: checkEnvironment.account, region: checkEnvironment.region };
const anotherSecret = `arn:aws:secretsmanager:${env.region}:${env.account}:secret:someone-else-AbCdEf`;
const adsUrl = 'https://ads.example.com/vast?duration=[session.avail_duration_secs]';

/** What the announced-break function does (its own schedules) and must be refused (anyone else's, another configuration). */
function announcedBreakIamRows(initializer: PrefetchSessionInitializer): IamDecisionRow[] {
  if (!initializer.announcedBreakFunction) return [];
  const role = { role: logicalIdOf(initializer.announcedBreakFunction.role!) };
  const mediaTailorArn = (resource: string) => ({ arn: `arn:aws:mediatailor:${env.region}:${env.account}:${resource}` });
  const own = initializer.playbackConfigurationName;
  const configuration = mediaTailorArn(`playbackConfiguration/${own}`);
  const ownSchedule = mediaTailorArn(`prefetchSchedule/${own}/announced-break-match-42-1`);
  const usersSchedule = mediaTailorArn(`prefetchSchedule/${own}/evening-1`);
  const anotherConfiguration = mediaTailorArn('playbackConfiguration/someone-else');
  const anotherSchedule = mediaTailorArn('prefetchSchedule/someone-else/announced-break-match-42-1');
  const row = (name: string, action: string, resource: { arn: string }, expect: 'allow' | 'deny'): IamDecisionRow =>
    ({ name: `announced-break role -> ${name}`, request: { principal: role, action: `mediatailor:${action}`, resource }, expect });
  return [
    row('CreatePrefetchSchedule on its configuration', 'CreatePrefetchSchedule', configuration, 'allow'),
    row('ListPrefetchSchedules on its configuration', 'ListPrefetchSchedules', configuration, 'allow'),
    row('GetPrefetchSchedule of a schedule it named', 'GetPrefetchSchedule', ownSchedule, 'allow'),
    row('DeletePrefetchSchedule of a schedule it named', 'DeletePrefetchSchedule', ownSchedule, 'allow'),
    row('DeletePrefetchSchedule of the user\'s recurring schedule', 'DeletePrefetchSchedule', usersSchedule, 'deny'),
    row('GetPrefetchSchedule of the user\'s recurring schedule', 'GetPrefetchSchedule', usersSchedule, 'deny'),
    row('CreatePrefetchSchedule on another configuration', 'CreatePrefetchSchedule', anotherConfiguration, 'deny'),
    row('DeletePrefetchSchedule on another configuration', 'DeletePrefetchSchedule', anotherSchedule, 'deny'),
    row('DeletePlaybackConfiguration', 'DeletePlaybackConfiguration', configuration, 'deny'),
  ];
}

/** The requests the running system makes, and the ones it must be refused. */
function initializerIamRows(initializer: PrefetchSessionInitializer): IamDecisionRow[] {
  const sessionFunction = { logicalId: logicalIdOf(initializer.sessionFunction) };
  const role = { role: logicalIdOf(initializer.sessionFunction.role!) };
  const secret = { logicalId: logicalIdOf(initializer.originSecret) };
  return [
    // the URL is public on purpose (CloudFront cannot sign a viewer's POST body); the origin secret header guards it
    { name: 'anyone -> lambda:InvokeFunctionUrl (AuthType NONE)', request: { principal: 'anonymous', action: 'lambda:InvokeFunctionUrl', resource: sessionFunction, context: { 'lambda:FunctionUrlAuthType': 'NONE' } }, expect: 'allow' },
    { name: 'anyone -> lambda:InvokeFunction via the URL', request: { principal: 'anonymous', action: 'lambda:InvokeFunction', resource: sessionFunction, context: { 'lambda:InvokedViaFunctionUrl': 'true' } }, expect: 'allow' },
    { name: 'anyone -> lambda:InvokeFunction directly', request: { principal: 'anonymous', action: 'lambda:InvokeFunction', resource: sessionFunction }, expect: 'deny' },
    { name: 'session role -> its origin secret', request: { principal: role, action: 'secretsmanager:GetSecretValue', resource: secret }, expect: 'allow' },
    { name: 'anonymous -> the origin secret', request: { principal: 'anonymous', action: 'secretsmanager:GetSecretValue', resource: secret }, expect: 'deny' },
    { name: 'session role -> another secret', request: { principal: role, action: 'secretsmanager:GetSecretValue', resource: { arn: anotherSecret } }, expect: 'deny' },
    {
      name: 'session role -> mediatailor:DeletePlaybackConfiguration',
      request: { principal: role, action: 'mediatailor:DeletePlaybackConfiguration', resource: { arn: `arn:aws:mediatailor:${env.region}:${env.account}:playbackConfiguration/${initializer.playbackConfigurationName}` } },
      expect: 'deny',
    },
  ];
}

type PropsNeedingStack = (stack: Stack) => Partial<PrefetchSessionInitializerProps>;

function initializerTarget(name: string, props: Partial<PrefetchSessionInitializerProps>, build?: PropsNeedingStack): DeployCheckTarget {
  const stack = new Stack(new App(), 'Ads', { env });
  const initializer = new PrefetchSessionInitializer(stack, 'Initializer', {
    playbackConfiguration: PlaybackConfiguration.create({ adDecisionServerUrl: adsUrl, videoContentSourceUrl: 'https://origin.example.com/out/v1/' }),
    ...props,
    ...build?.(stack),
  });
  return { name, stack, iam: [...initializerIamRows(initializer), ...announcedBreakIamRows(initializer)] };
}

// Not here: prefetchSchedules (AWS::MediaTailor::PrefetchSchedule) and adsPersonalizationTimeouts. The cfn-lint 1.51
// schemas predate both (E3006 unknown resource type, E3002 unknown property) although aws-cdk-lib 2.268 generates them
// from the CloudFormation registry; construct.test.ts asserts their templates.
describeDeployCheck('PrefetchSessionInitializer', () => [
  initializerTarget('default props', {}),
  initializerTarget('maximal props', {
    playbackConfiguration: PlaybackConfiguration.create({
      name: 'maximal-config',
      adDecisionServerUrl: adsUrl,
      videoContentSourceUrl: 'https://origin.example.com/out/v1/',
      slateAdUrl: 'https://ads.example.com/slate.mp4',
      availSuppression: {
        mode: AvailSuppressionMode.BEHIND_LIVE_EDGE, value: Duration.seconds(21), fillPolicy: AvailSuppressionFillPolicy.PARTIAL_AVAIL,
      },
      bumperStartUrl: 'https://ads.example.com/start.mp4',
      bumperEndUrl: 'https://ads.example.com/end.mp4',
      livePreRollAdDecisionServerUrl: 'https://ads.example.com/preroll',
      livePreRollMaxDuration: Duration.seconds(30),
      personalizationThreshold: Duration.seconds(2),
      adMarkerPassthrough: true,
      logging: { percentEnabled: 10, strategies: [MediaTailorLoggingStrategy.LEGACY_CLOUDWATCH] },
      configurationAliases: { 'player_params.origin_domain': { pdx: 'abc.example.com' } },
      insertionMode: InsertionMode.STITCHED_ONLY,
      dashMpdLocation: DashMpdLocation.DISABLED,
      tags: { team: 'ads' },
    }),
    prefetchGroups: 5,
    maxSessionBodyBytes: 32_768,
    sessionFunctionOptions: { memorySize: 512, reservedConcurrentExecutions: 50 },
    domainNames: ['tv.example.com'],
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'FR'),
    webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/ads/abc',
  }, (stack) => ({
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'),
    accessLogBucket: new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER, enforceSSL: true }),
  })),
  initializerTarget('announced breaks on a bus of their own', {
    prefetchGroups: 8,
    announcedBreaks: { maxOverlappingBreaks: 3 },
  }, (stack) => ({ announcedBreaks: { maxOverlappingBreaks: 3, eventBus: new events.EventBus(stack, 'Ads') } })),
  initializerTarget('existing playback configuration', {
    playbackConfiguration: PlaybackConfiguration.fromExisting({ name: 'theirs', videoContentSourceUrl: 'https://origin.example.com/live/' }),
    prefetchGroups: 2,
  }),
]);
