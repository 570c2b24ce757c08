import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LivePipeline, StaleDetection, StalePlaylistGuard, StalePlaylistGuardProps } from '../../src';
import { DeployCheckTarget, describeDeployCheck } from '../harness/deploy-check/deploy-check';
import { IamDecisionRow } from '../harness/deploy-check/iam-simulation';
import { checkEnvironment, distributionArn, templateDistributionArn } from '../harness/deploy-check/intrinsics';
import { logicalIdOf } from '../harness/deploy-check/template';

/** Props whose values are constructs of the stack under test (a certificate, a log bucket...). */
type PropsNeedingStack<Props> = (stack: Stack) => Partial<Props>;

const env = { account: checkEnvironment.account, region: checkEnvironment.region };
const anotherDistribution = distributionArn('EANOTHERDISTRO');

/** The requests the guard's running system makes, and the ones it must be refused, on its first pipeline's bucket. */
function guardIamRows(guard: StalePlaylistGuard, prefix: string): IamDecisionRow[] {
  const cloudfrontService = { service: 'cloudfront.amazonaws.com' } as const;
  const bucket = logicalIdOf(guard.buckets[0]);
  const object = (key: string) => ({ logicalId: bucket, suffix: `/${prefix}${key}` });
  const ownDistribution = { 'aws:SourceArn': templateDistributionArn(logicalIdOf(guard.distribution)) };
  const rows: IamDecisionRow[] = [
    { name: 'CloudFront (this distribution) -> s3:GetObject on a segment', request: { principal: cloudfrontService, action: 's3:GetObject', resource: object('seg-1.ts'), context: ownDistribution }, expect: 'allow' },
    { name: 'CloudFront (this distribution) -> s3:ListBucket (404 instead of 403)', request: { principal: cloudfrontService, action: 's3:ListBucket', resource: { logicalId: bucket }, context: ownDistribution }, expect: 'allow' },
    {
      name: 'CloudFront (another distribution) -> s3:GetObject',
      request: { principal: cloudfrontService, action: 's3:GetObject', resource: object('media.m3u8'), context: { 'aws:SourceArn': anotherDistribution } },
      expect: 'deny',
    },
    { name: 'CloudFront (this distribution) -> s3:PutObject', request: { principal: cloudfrontService, action: 's3:PutObject', resource: object('media.m3u8'), context: ownDistribution }, expect: 'deny' },
    { name: 'anonymous -> s3:GetObject', request: { principal: 'anonymous', action: 's3:GetObject', resource: object('media.m3u8') }, expect: 'deny' },
    { name: 'anonymous -> s3:ListBucket', request: { principal: 'anonymous', action: 's3:ListBucket', resource: { logicalId: bucket } }, expect: 'deny' },
  ];
  if (guard.heartbeatStore && guard.markerFunction) {
    const markerRole = { role: logicalIdOf(guard.markerFunction.role!) };
    const store = { logicalId: logicalIdOf(guard.heartbeatStore) };
    const otherStore = { arn: `arn:aws:cloudfront::${env.account}:key-value-store/00000000-0000-0000-0000-000000000000` };
    return [
      ...rows,
      { name: 'marker role -> cloudfront-keyvaluestore:PutKey on the heartbeat store', request: { principal: markerRole, action: 'cloudfront-keyvaluestore:PutKey', resource: store }, expect: 'allow' },
      { name: 'marker role -> cloudfront-keyvaluestore:DescribeKeyValueStore on it (the ETag a write names)', request: { principal: markerRole, action: 'cloudfront-keyvaluestore:DescribeKeyValueStore', resource: store }, expect: 'allow' },
      { name: 'marker role -> cloudfront-keyvaluestore:DeleteKey on the heartbeat store', request: { principal: markerRole, action: 'cloudfront-keyvaluestore:DeleteKey', resource: store }, expect: 'deny' },
      { name: 'marker role -> cloudfront-keyvaluestore:UpdateKeys on the heartbeat store', request: { principal: markerRole, action: 'cloudfront-keyvaluestore:UpdateKeys', resource: store }, expect: 'deny' },
      { name: 'marker role -> cloudfront-keyvaluestore:PutKey on another store', request: { principal: markerRole, action: 'cloudfront-keyvaluestore:PutKey', resource: otherStore }, expect: 'deny' },
      { name: 'anonymous -> cloudfront-keyvaluestore:PutKey on the heartbeat store', request: { principal: 'anonymous', action: 'cloudfront-keyvaluestore:PutKey', resource: store }, expect: 'deny' },
    ];
  }
  if (!guard.checkFunction || !guard.queue) return rows;
  const checkRole = { role: logicalIdOf(guard.checkFunction.role!) };
  const ifMatch = { 's3:if-match': '"0123456789abcdef0123456789abcdef"' };
  const queue = { logicalId: logicalIdOf(guard.queue) };
  return [
    ...rows,
    { name: 'check role -> s3:GetObject on a playlist', request: { principal: checkRole, action: 's3:GetObject', resource: object('media.m3u8') }, expect: 'allow' },
    { name: 'check role -> s3:DeleteObject on a playlist with s3:if-match', request: { principal: checkRole, action: 's3:DeleteObject', resource: object('media.m3u8'), context: ifMatch }, expect: 'allow' },
    { name: 'check role -> s3:DeleteObject on a playlist without s3:if-match', request: { principal: checkRole, action: 's3:DeleteObject', resource: object('media.m3u8') }, expect: 'deny' },
    { name: 'check role -> s3:DeleteObject on a segment, even with s3:if-match', request: { principal: checkRole, action: 's3:DeleteObject', resource: object('seg-1.ts'), context: ifMatch }, expect: 'deny' },
    { name: 'check role -> s3:PutObject on a playlist', request: { principal: checkRole, action: 's3:PutObject', resource: object('media.m3u8') }, expect: 'deny' },
    { name: 'anonymous -> s3:DeleteObject on a playlist', request: { principal: 'anonymous', action: 's3:DeleteObject', resource: object('media.m3u8'), context: ifMatch }, expect: 'deny' },
    { name: 'S3 (this account) -> sqs:SendMessage to the delay queue', request: { principal: { service: 's3.amazonaws.com' }, action: 'sqs:SendMessage', resource: queue, context: { 'aws:SourceAccount': env.account } }, expect: 'allow' },
    { name: 'S3 (another account) -> sqs:SendMessage to the delay queue', request: { principal: { service: 's3.amazonaws.com' }, action: 'sqs:SendMessage', resource: queue, context: { 'aws:SourceAccount': '222222222222' } }, expect: 'deny' },
    { name: 'check role -> sqs:ReceiveMessage from the delay queue', request: { principal: checkRole, action: 'sqs:ReceiveMessage', resource: queue }, expect: 'allow' },
    { name: 'anonymous -> sqs:SendMessage to the delay queue', request: { principal: 'anonymous', action: 'sqs:SendMessage', resource: queue }, expect: 'deny' },
  ];
}

function guardTarget(
  name: string, prefix: string, props: Partial<StalePlaylistGuardProps>, build?: PropsNeedingStack<StalePlaylistGuardProps>,
): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const guard = new StalePlaylistGuard(stack, 'Origin', { targetDuration: Duration.seconds(6), ...props, ...build?.(stack) });
  return { name, stack, iam: guardIamRows(guard, prefix) };
}

const maximal: Partial<StalePlaylistGuardProps> = {
  targetDuration: Duration.seconds(4),
  staleAfterTargetDurations: 4,
  playlistCacheTtl: Duration.seconds(1),
  segmentCacheTtl: Duration.days(7),
  errorCacheTtl: Duration.seconds(2),
  bucketRemovalPolicy: RemovalPolicy.DESTROY,
  alarms: true,
  domainNames: ['live.example.com'],
  priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
  geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'FR'),
  webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/live/abc',
};
const maximalResources = (stack: Stack): Partial<StalePlaylistGuardProps> => ({
  certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'),
  accessLogBucket: new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER, enforceSSL: true }),
});

describeDeployCheck('StalePlaylistGuard', () => [
  guardTarget('edge mode, default props', '', {}),
  guardTarget('origin mode, default props', '', { detection: StaleDetection.ORIGIN }),
  guardTarget('edge mode, maximal props', 'pipeline-a/', { ...maximal, pipelines: [LivePipeline.atPrefix('pipeline-a'), LivePipeline.atPrefix('pipeline-b/')] }, maximalResources),
  guardTarget('origin mode, maximal props', 'pipeline-a/', {
    ...maximal,
    detection: StaleDetection.ORIGIN,
    pipelines: [LivePipeline.atPrefix('pipeline-a'), LivePipeline.atPrefix('pipeline-b/')],
  }, maximalResources),
  // two pipelines in one folder under different base filenames, as MediaLive's redundant HLS output writes them
  guardTarget('edge mode, key-prefix pipelines in one folder', 'live/channel-a-', {
    pipelines: [LivePipeline.atKeyPrefix('live/channel-a'), LivePipeline.atKeyPrefix('live/channel-b')],
  }),
  guardTarget('origin mode, key-prefix pipelines in one folder', 'live/channel-a-', {
    detection: StaleDetection.ORIGIN,
    pipelines: [LivePipeline.atKeyPrefix('live/channel-a'), LivePipeline.atKeyPrefix('live/channel-b')],
  }),
]);
