import { App, CfnElement, Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
import { defaultTestInput, maximalPipeline } from './pipeline-stack';
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

/** The logical id of an L1 resource, or of an L2 construct's resource. */
const idOf = (construct: IConstruct): string =>
  (construct instanceof CfnElement ? Stack.of(construct).resolve(construct.logicalId) : logicalIdOf(construct));
const child = (scope: IConstruct, id: string) => ({ logicalId: idOf(scope.node.findChild(id)) });

/** The requests the running pipeline makes, and the ones it must be refused. */
function pipelineIamRows(pipeline: LiveOttPipeline, extra: IamDecisionRow[] = []): IamDecisionRow[] {
  const cloudfront = { service: 'cloudfront.amazonaws.com' } as const;
  const thisDistribution = { 'aws:SourceArn': templateDistributionArn(logicalIdOf(pipeline.distribution)) };
  const otherDistribution = { 'aws:SourceArn': anotherDistribution };
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  const stopper = { role: child(pipeline, 'StopOnDeleteRole').logicalId };
  const packagerChannel = child(pipeline, 'PackagerChannel');
  const endpoints = [child(pipeline, 'HlsTsEndpoint'), child(pipeline, 'CmafEndpoint')];
  const channel = { logicalId: idOf(pipeline.channel) };
  return [
    { name: 'MediaLive role -> PutObject on its packager channel', request: { principal: encoder, action: 'mediapackagev2:PutObject', resource: packagerChannel }, expect: 'allow' },
    { name: 'MediaLive role -> PutObject on another packager channel', request: { principal: encoder, action: 'mediapackagev2:PutObject', resource: { arn: anotherPackagerChannel } }, expect: 'deny' },
    { name: 'anonymous -> PutObject on the packager channel', request: { principal: 'anonymous', action: 'mediapackagev2:PutObject', resource: packagerChannel }, expect: 'deny' },
    ...endpoints.flatMap((endpoint): IamDecisionRow[] => [
      { name: `CloudFront (this distribution) -> GetObject on ${endpoint.logicalId}`, request: { principal: cloudfront, action: 'mediapackagev2:GetObject', resource: endpoint, context: thisDistribution }, expect: 'allow' },
      { name: `CloudFront (this distribution) -> GetHeadObject on ${endpoint.logicalId}`, request: { principal: cloudfront, action: 'mediapackagev2:GetHeadObject', resource: endpoint, context: thisDistribution }, expect: 'allow' },
      { name: `CloudFront (another distribution) -> GetObject on ${endpoint.logicalId}`, request: { principal: cloudfront, action: 'mediapackagev2:GetObject', resource: endpoint, context: otherDistribution }, expect: 'deny' },
      { name: `anonymous -> GetObject on ${endpoint.logicalId}`, request: { principal: 'anonymous', action: 'mediapackagev2:GetObject', resource: endpoint }, expect: 'deny' },
    ]),
    { name: 'MediaLive role -> its channel log streams', request: { principal: encoder, action: 'logs:PutLogEvents', resource: { arn: `arn:${partition}:logs:${region}:${account}:log-group:ElementalMediaLive:log-stream:arn_aws_medialive_channel_0` } }, expect: 'allow' },
    { name: 'MediaLive role -> another log group', request: { principal: encoder, action: 'logs:PutLogEvents', resource: { arn: `arn:${partition}:logs:${region}:${account}:log-group:other:log-stream:x` } }, expect: 'deny' },
    { name: 'MediaLive role -> StopChannel', request: { principal: encoder, action: 'medialive:StopChannel', resource: channel }, expect: 'deny' },
    { name: 'stop function -> DescribeChannel on its channel', request: { principal: stopper, action: 'medialive:DescribeChannel', resource: channel }, expect: 'allow' },
    { name: 'stop function -> StopChannel on its channel', request: { principal: stopper, action: 'medialive:StopChannel', resource: channel }, expect: 'allow' },
    { name: 'stop function -> StopChannel on another channel', request: { principal: stopper, action: 'medialive:StopChannel', resource: { arn: anotherMediaLiveChannel } }, expect: 'deny' },
    { name: 'stop function -> DeleteChannel', request: { principal: stopper, action: 'medialive:DeleteChannel', resource: channel }, expect: 'deny' },
    ...extra,
  ];
}

function defaultTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const pipeline = new LiveOttPipeline(stack, 'Live', { input: defaultTestInput() });
  return { name: 'default props', stack, iam: pipelineIamRows(pipeline) };
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

describeDeployCheck('LiveOttPipeline', () => [defaultTarget(), maximalTarget(), credentialsTarget()]);
