import { App, CfnElement, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
import { defaultTestInput, largestV1Pipeline, maximalPipeline } from './pipeline-stack';
import { ChannelClass, LiveInput, LiveOttPipeline } from '../../src';
import { DeployCheckTarget, describeDeployCheck } from '../harness/deploy-check/deploy-check';
import { IamDecisionRow } from '../harness/deploy-check/iam-simulation';
import { checkEnvironment, distributionArn, templateDistributionArn } from '../harness/deploy-check/intrinsics';
import { logicalIdOf } from '../harness/deploy-check/template';

const env = { account: checkEnvironment.account, region: checkEnvironment.region };
const { partition, region, account } = checkEnvironment;
const anotherDistribution = distributionArn('EANOTHERDISTRO');
const anotherPackagerChannel = `arn:${partition}:mediapackagev2:${region}:${account}:channelGroup/someone-else/channel/live`;
const anotherMediaLiveChannel = `arn:${partition}:medialive:${region}:${account}:channel:7654321`;
const anotherV1Channel = `arn:${partition}:mediapackage:${region}:${account}:channels/0123456789abcdef0123456789abcdef`;
const anotherSecret = `arn:${partition}:secretsmanager:${region}:${account}:secret:someone-else-AbCdEf`;

/** The logical id of an L1 resource, or of an L2 construct's resource. */
const idOf = (construct: IConstruct): string =>
  (construct instanceof CfnElement ? Stack.of(construct).resolve(construct.logicalId) : logicalIdOf(construct));
const child = (scope: IConstruct, id: string) => ({ logicalId: idOf(scope.node.findChild(id)) });

/** The requests MediaLive and CloudFront make of MediaPackage v2, and the ones they must be refused. */
function mediaPackageV2Rows(pipeline: LiveOttPipeline): IamDecisionRow[] {
  const cloudfrontService = { service: 'cloudfront.amazonaws.com' } as const;
  const thisDistribution = { 'aws:SourceArn': templateDistributionArn(logicalIdOf(pipeline.distribution)) };
  const otherDistribution = { 'aws:SourceArn': anotherDistribution };
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  const packagerChannel = child(pipeline, 'PackagerChannel');
  const endpoints = [child(pipeline, 'HlsTsEndpoint'), child(pipeline, 'CmafEndpoint')];
  return [
    { name: 'MediaLive role -> PutObject on its packager channel', request: { principal: encoder, action: 'mediapackagev2:PutObject', resource: packagerChannel }, expect: 'allow' },
    { name: 'MediaLive role -> PutObject on another packager channel', request: { principal: encoder, action: 'mediapackagev2:PutObject', resource: { arn: anotherPackagerChannel } }, expect: 'deny' },
    { name: 'anonymous -> PutObject on the packager channel', request: { principal: 'anonymous', action: 'mediapackagev2:PutObject', resource: packagerChannel }, expect: 'deny' },
    ...endpoints.flatMap((endpoint): IamDecisionRow[] => [
      { name: `CloudFront (this distribution) -> GetObject on ${endpoint.logicalId}`, request: { principal: cloudfrontService, action: 'mediapackagev2:GetObject', resource: endpoint, context: thisDistribution }, expect: 'allow' },
      { name: `CloudFront (this distribution) -> GetHeadObject on ${endpoint.logicalId}`, request: { principal: cloudfrontService, action: 'mediapackagev2:GetHeadObject', resource: endpoint, context: thisDistribution }, expect: 'allow' },
      { name: `CloudFront (another distribution) -> GetObject on ${endpoint.logicalId}`, request: { principal: cloudfrontService, action: 'mediapackagev2:GetObject', resource: endpoint, context: otherDistribution }, expect: 'deny' },
      { name: `anonymous -> GetObject on ${endpoint.logicalId}`, request: { principal: 'anonymous', action: 'mediapackagev2:GetObject', resource: endpoint }, expect: 'deny' },
    ]),
  ];
}

/** The requests MediaLive and MediaPackage make in MediaPackage v1 packaging, and the ones they must be refused. */
function mediaPackageV1Rows(pipeline: LiveOttPipeline): IamDecisionRow[] {
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  const reader = { role: child(pipeline, 'CdnIdentifierReaderRole').logicalId };
  const secret = child(pipeline, 'CdnIdentifier');
  const packagerChannel = child(pipeline, 'PackagerChannel');
  return [
    { name: 'MediaLive role -> DescribeChannel on its v1 packager channel', request: { principal: encoder, action: 'mediapackage:DescribeChannel', resource: packagerChannel }, expect: 'allow' },
    { name: 'MediaLive role -> DescribeChannel on another v1 channel', request: { principal: encoder, action: 'mediapackage:DescribeChannel', resource: { arn: anotherV1Channel } }, expect: 'deny' },
    { name: 'MediaLive role -> the CDN identifier', request: { principal: encoder, action: 'secretsmanager:GetSecretValue', resource: secret }, expect: 'deny' },
    ...['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'].map((action): IamDecisionRow =>
      ({ name: `MediaPackage secrets role -> ${action} on the CDN identifier`, request: { principal: reader, action, resource: secret }, expect: 'allow' })),
    { name: 'MediaPackage secrets role -> GetSecretValue on another secret', request: { principal: reader, action: 'secretsmanager:GetSecretValue', resource: { arn: anotherSecret } }, expect: 'deny' },
    { name: 'MediaPackage secrets role -> PutSecretValue on the CDN identifier', request: { principal: reader, action: 'secretsmanager:PutSecretValue', resource: secret }, expect: 'deny' },
    { name: 'MediaPackage secrets role -> ListSecrets', request: { principal: reader, action: 'secretsmanager:ListSecrets', resource: { arn: '*' } }, expect: 'deny' },
  ];
}

/** The requests the running pipeline makes, and the ones it must be refused. */
function pipelineIamRows(pipeline: LiveOttPipeline, extra: IamDecisionRow[] = [], packagerRows = mediaPackageV2Rows): IamDecisionRow[] {
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  const stopper = { role: child(pipeline, 'StopOnDeleteRole').logicalId };
  const channel = { logicalId: idOf(pipeline.channel) };
  return [
    ...packagerRows(pipeline),
    { name: 'MediaLive role -> its channel log streams', request: { principal: encoder, action: 'logs:PutLogEvents', resource: { arn: `arn:${partition}:logs:${region}:${account}:log-group:ElementalMediaLive:log-stream:arn_aws_medialive_channel_0` } }, expect: 'allow' },
    { name: 'MediaLive role -> another log group', request: { principal: encoder, action: 'logs:PutLogEvents', resource: { arn: `arn:${partition}:logs:${region}:${account}:log-group:other:log-stream:x` } }, expect: 'deny' },
    { name: 'MediaLive role -> StopChannel', request: { principal: encoder, action: 'medialive:StopChannel', resource: channel }, expect: 'deny' },
    { name: 'stop function -> DescribeChannel on its channel', request: { principal: stopper, action: 'medialive:DescribeChannel', resource: channel }, expect: 'allow' },
    { name: 'stop function -> StopChannel on its channel', request: { principal: stopper, action: 'medialive:StopChannel', resource: channel }, expect: 'allow' },
    { name: 'stop function -> StopChannel on another channel', request: { principal: stopper, action: 'medialive:StopChannel', resource: { arn: anotherMediaLiveChannel } }, expect: 'deny' },
    { name: 'stop function -> DeleteChannel', request: { principal: stopper, action: 'medialive:DeleteChannel', resource: channel }, expect: 'deny' },
    { name: 'stop function -> StartChannel on another channel', request: { principal: stopper, action: 'medialive:StartChannel', resource: { arn: anotherMediaLiveChannel } }, expect: 'deny' },
    ...extra,
  ];
}

function defaultTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const pipeline = new LiveOttPipeline(stack, 'Live', { input: defaultTestInput() });
  const stopper = { role: child(pipeline, 'StopOnDeleteRole').logicalId };
  return {
    name: 'default props',
    stack,
    iam: pipelineIamRows(pipeline, [
      { name: 'stop function -> StartChannel without autoStart', request: { principal: stopper, action: 'medialive:StartChannel', resource: { logicalId: idOf(pipeline.channel) } }, expect: 'deny' },
    ]),
  };
}

function maximalTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const pipeline = maximalPipeline(stack);
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  const passphrase = (name: string) => ({ arn: `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-AbCdEf` });
  return {
    name: 'maximal props (STANDARD, SRT caller with encrypted sources, 1080p HEVC, start-over, every distribution setting)',
    stack,
    iam: pipelineIamRows(pipeline, [
      { name: 'MediaLive role -> the SRT passphrase secret', request: { principal: encoder, action: 'secretsmanager:GetSecretValue', resource: passphrase('live/srt-0') }, expect: 'allow' },
      { name: 'MediaLive role -> another secret', request: { principal: encoder, action: 'secretsmanager:GetSecretValue', resource: passphrase('someone-else') }, expect: 'deny' },
    ]),
  };
}

function credentialsTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const password = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'SourcePassword', { parameterName: '/live/source-password' });
  const pipeline = new LiveOttPipeline(stack, 'Live', {
    channelClass: ChannelClass.STANDARD,
    input: LiveInput.urlPull({ urls: ['https://a.example.com/live/index.m3u8', 'https://b.example.com/live/index.m3u8'], credentials: { username: 'encoder', password } }),
  });
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  const parameter = (name: string) => ({ arn: `arn:${partition}:ssm:${region}:${account}:parameter/${name}` });
  return {
    name: 'HLS pull with credentials (STANDARD)',
    stack,
    iam: pipelineIamRows(pipeline, [
      { name: 'MediaLive role -> the source password parameter', request: { principal: encoder, action: 'ssm:GetParameters', resource: parameter('live/source-password') }, expect: 'allow' },
      { name: 'MediaLive role -> another parameter', request: { principal: encoder, action: 'ssm:GetParameters', resource: parameter('other') }, expect: 'deny' },
    ]),
  };
}

function largestV1Target(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const pipeline = largestV1Pipeline(stack, { autoStart: true });
  const stopper = { role: child(pipeline, 'StopOnDeleteRole').logicalId };
  return {
    name: 'MediaPackage v1, every endpoint, autoStart (STANDARD, SRT caller, 1080p HEVC, start-over, every distribution setting)',
    stack,
    iam: pipelineIamRows(pipeline, [
      { name: 'stop function -> StartChannel on its channel (autoStart)', request: { principal: stopper, action: 'medialive:StartChannel', resource: { logicalId: idOf(pipeline.channel) } }, expect: 'allow' },
    ], mediaPackageV1Rows),
  };
}

/** An object of a bucket outside the template, by bucket name and key. */
const objectArn = (bucket: string, key: string) => ({ arn: `arn:${partition}:s3:::${bucket}/${key}` });

function s3FileTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const bucket = new s3.Bucket(stack, 'Sources', { enforceSSL: true });
  const pipeline = new LiveOttPipeline(stack, 'Live', {
    channelClass: ChannelClass.STANDARD,
    input: LiveInput.mp4File({ objects: [{ bucket, key: 'loops/main.mp4' }, { bucket, key: 'loops/backup.mp4' }] }),
  });
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  const sources = logicalIdOf(bucket);
  const object = (key: string) => ({ logicalId: sources, suffix: `/${key}` });
  return {
    name: 'MP4 files from a bucket of the stack (STANDARD)',
    stack,
    iam: pipelineIamRows(pipeline, [
      { name: 'MediaLive role -> GetObject on the main file', request: { principal: encoder, action: 's3:GetObject', resource: object('loops/main.mp4') }, expect: 'allow' },
      { name: 'MediaLive role -> GetObject on the backup file', request: { principal: encoder, action: 's3:GetObject', resource: object('loops/backup.mp4') }, expect: 'allow' },
      { name: 'MediaLive role -> GetObject on another key of the bucket', request: { principal: encoder, action: 's3:GetObject', resource: object('loops/other.mp4') }, expect: 'deny' },
      { name: 'MediaLive role -> GetObject on the same key in another bucket', request: { principal: encoder, action: 's3:GetObject', resource: objectArn('someone-else', 'loops/main.mp4') }, expect: 'deny' },
      { name: 'MediaLive role -> PutObject on the main file', request: { principal: encoder, action: 's3:PutObject', resource: object('loops/main.mp4') }, expect: 'deny' },
      { name: 'MediaLive role -> ListBucket on the bucket', request: { principal: encoder, action: 's3:ListBucket', resource: { logicalId: sources } }, expect: 'deny' },
    ]),
  };
}

function s3PlaylistTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const keyArn = `arn:${partition}:kms:${region}:${account}:key/0a1b2c3d-0000-4000-8000-000000000000`;
  const bucket = s3.Bucket.fromBucketAttributes(stack, 'Sources', { bucketName: 'live-sources', encryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn) });
  const pipeline = new LiveOttPipeline(stack, 'Live', { input: LiveInput.urlPull({ objects: [{ bucket, key: 'events/final/index.m3u8' }] }) });
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  return {
    name: 'HLS from an encrypted bucket of another stack',
    stack,
    iam: pipelineIamRows(pipeline, [
      { name: 'MediaLive role -> GetObject on the playlist', request: { principal: encoder, action: 's3:GetObject', resource: objectArn('live-sources', 'events/final/index.m3u8') }, expect: 'allow' },
      { name: 'MediaLive role -> GetObject on a variant segment', request: { principal: encoder, action: 's3:GetObject', resource: objectArn('live-sources', 'events/final/720p/segment-00001.ts') }, expect: 'allow' },
      { name: 'MediaLive role -> GetObject outside the playlist folder', request: { principal: encoder, action: 's3:GetObject', resource: objectArn('live-sources', 'events/other/index.m3u8') }, expect: 'deny' },
      { name: 'MediaLive role -> GetObject in another bucket', request: { principal: encoder, action: 's3:GetObject', resource: objectArn('live-backup', 'events/final/index.m3u8') }, expect: 'deny' },
      // allowing Decrypt with the bucket's key also takes that key's policy, which is outside the template: the grant is asserted in inputs.test.ts
      { name: 'MediaLive role -> Decrypt with another key', request: { principal: encoder, action: 'kms:Decrypt', resource: { arn: `arn:${partition}:kms:${region}:${account}:key/ffffffff-0000-4000-8000-000000000000` } }, expect: 'deny' },
    ]),
  };
}

function s3UrlTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const pipeline = new LiveOttPipeline(stack, 'Live', { input: LiveInput.tsFile({ urls: ['s3ssl://live-sources/loops/main.m2ts'] }) });
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  return {
    name: 'TS file from an s3ssl:// URL',
    stack,
    iam: pipelineIamRows(pipeline, [
      { name: 'MediaLive role -> GetObject on the file', request: { principal: encoder, action: 's3:GetObject', resource: objectArn('live-sources', 'loops/main.m2ts') }, expect: 'allow' },
      { name: 'MediaLive role -> GetObject on another key', request: { principal: encoder, action: 's3:GetObject', resource: objectArn('live-sources', 'loops/main.m2ts.bak') }, expect: 'deny' },
      { name: 'MediaLive role -> GetObject in another bucket', request: { principal: encoder, action: 's3:GetObject', resource: objectArn('live-backup', 'loops/main.m2ts') }, expect: 'deny' },
    ]),
  };
}

function existingDistributionTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const existing = new cloudfront.Distribution(stack, 'Shared', { defaultBehavior: { origin: new origins.HttpOrigin('www.example.com') } });
  const pipeline = new LiveOttPipeline(stack, 'Live', { input: defaultTestInput(), existingDistribution: existing });
  return { name: 'on an existing distribution', stack, iam: pipelineIamRows(pipeline) };
}

describeDeployCheck('LiveOttPipeline', () => [
  defaultTarget(), maximalTarget(), credentialsTarget(), largestV1Target(), existingDistributionTarget(),
  s3FileTarget(), s3PlaylistTarget(), s3UrlTarget(),
]);
