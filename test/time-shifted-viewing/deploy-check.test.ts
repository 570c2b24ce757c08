import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';
import { TimeShiftChannel, TimeShiftedViewing, TimeShiftedViewingProps } from '../../src';
import { DeployCheckTarget, describeDeployCheck } from '../harness/deploy-check/deploy-check';
import { IamDecisionRow } from '../harness/deploy-check/iam-simulation';
import { checkEnvironment } from '../harness/deploy-check/intrinsics';
import { logicalIdOf } from '../harness/deploy-check/template';

const env = { account: checkEnvironment.account, region: checkEnvironment.region };
const anotherChannel = `arn:aws:mediatailor:${env.region}:${env.account}:channel/someone-else`;
const playbackUrl = 'https://abc123.channel-assembly.mediatailor.eu-west-1.amazonaws.com/v1/channel/News/index_hls.m3u8';

/** What the deploy-time DescribeChannel call may do, and what it must be refused, when the construct creates the channel. */
function createdChannelIamRows(stack: Stack, viewing: TimeShiftedViewing): IamDecisionRow[] {
  const provider = stack.node.findChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  const role = { role: logicalIdOf(provider.node.findChild('ServiceRole') as IConstruct) };
  const channel = { logicalId: stack.resolve(viewing.channel!.logicalId) as string };
  return [
    { name: 'custom resource role -> mediatailor:DescribeChannel on the channel', request: { principal: role, action: 'mediatailor:DescribeChannel', resource: channel }, expect: 'allow' },
    { name: 'custom resource role -> mediatailor:DescribeChannel on another channel', request: { principal: role, action: 'mediatailor:DescribeChannel', resource: { arn: anotherChannel } }, expect: 'deny' },
    { name: 'custom resource role -> mediatailor:DeleteChannel on the channel', request: { principal: role, action: 'mediatailor:DeleteChannel', resource: channel }, expect: 'deny' },
    { name: 'anonymous -> mediatailor:DescribeChannel on the channel', request: { principal: 'anonymous', action: 'mediatailor:DescribeChannel', resource: channel }, expect: 'deny' },
  ];
}

function viewingTarget(name: string, props: (stack: Stack) => TimeShiftedViewingProps): DeployCheckTarget {
  const stack = new Stack(new App(), 'TimeShift', { env });
  const viewing = new TimeShiftedViewing(stack, 'Viewing', props(stack));
  return { name, stack, iam: viewing.channel ? createdChannelIamRows(stack, viewing) : [] };
}

describeDeployCheck('TimeShiftedViewing', () => [
  viewingTarget('default props, existing channel', () => ({ channel: TimeShiftChannel.fromPlaybackUrl(playbackUrl) })),
  viewingTarget('maximal props, created channel', (stack) => ({
    channel: TimeShiftChannel.create({
      channelName: 'News',
      maxTimeDelay: Duration.hours(6),
      outputs: [
        { manifestName: 'index_hls', sourceGroup: 'hls', hlsPlaylistSettings: { manifestWindowSeconds: 60 } },
        { manifestName: 'index_dash', sourceGroup: 'dash', dashPlaylistSettings: { manifestWindowSeconds: 60, minBufferTimeSeconds: 12, minUpdatePeriodSeconds: 4, suggestedPresentationDelaySeconds: 12 } },
      ],
      fillerSlate: { sourceLocationName: 'media', vodSourceName: 'slate' },
      liveSourceStartoverWindow: Duration.hours(7),
    }),
    segmentDuration: Duration.seconds(4),
    manifestTtl: Duration.seconds(0),
    segmentTtl: Duration.days(7),
    segmentSourceUrl: 'https://media.example.com/vod',
    startProgramParameter: 'aws.mediatailor.channel.programName',
    domainNames: ['tv.example.com'],
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'),
    webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/tv/abc',
    accessLogBucket: new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER, enforceSSL: true }),
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'AT'),
  })),
]);
