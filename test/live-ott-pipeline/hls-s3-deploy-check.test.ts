import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ChannelClass, ChannelLogLevel, EncodingProfile, LiveInput, LiveOttPipeline, Packaging, VideoCodec } from '../../src';
import { childManifestKey, mainManifestKey, segmentKey } from '../../src/live-ott-pipeline/contract/hls-s3-layout';
import { DeployCheckTarget, describeDeployCheck } from '../harness/deploy-check/deploy-check';
import { IamDecisionRow } from '../harness/deploy-check/iam-simulation';
import { checkEnvironment, distributionArn, templateDistributionArn } from '../harness/deploy-check/intrinsics';
import { logicalIdOf } from '../harness/deploy-check/template';

const env = { account: checkEnvironment.account, region: checkEnvironment.region };
const { partition } = checkEnvironment;
const rendition = 'video_1280x720_2700k';

/**
 * The requests of the running S3 mode, and the ones it must be refused: MediaLive writes exactly its channel's files in
 * its folder, deletes only segments (the guard judges playlists in place and relies on them staying), CloudFront
 * reads through this distribution only.
 */
function hlsS3IamRows(pipeline: LiveOttPipeline, bucket: s3.IBucket, prefix: string, base: string, pipelines: number[]): IamDecisionRow[] {
  const encoder = { role: logicalIdOf(pipeline.channelRole) };
  const bucketId = logicalIdOf(bucket);
  const object = (key: string) => ({ logicalId: bucketId, suffix: `/${key}` });
  const cloudfrontService = { service: 'cloudfront.amazonaws.com' } as const;
  const thisDistribution = { 'aws:SourceArn': templateDistributionArn(logicalIdOf(pipeline.distribution)) };
  const perPipeline = pipelines.flatMap((index): IamDecisionRow[] => {
    const main = mainManifestKey(prefix, base, index);
    const child = childManifestKey(prefix, base, index, rendition);
    const segment = segmentKey(prefix, base, index, rendition, '20261201T054000', 1);
    return [
      { name: `MediaLive role -> PutObject ${main}`, request: { principal: encoder, action: 's3:PutObject', resource: object(main) }, expect: 'allow' },
      { name: `MediaLive role -> PutObject ${child}`, request: { principal: encoder, action: 's3:PutObject', resource: object(child) }, expect: 'allow' },
      { name: `MediaLive role -> PutObject ${segment}`, request: { principal: encoder, action: 's3:PutObject', resource: object(segment) }, expect: 'allow' },
      { name: `MediaLive role -> DeleteObject ${segment} (live mode keeps keepSegments)`, request: { principal: encoder, action: 's3:DeleteObject', resource: object(segment) }, expect: 'allow' },
      { name: `MediaLive role -> DeleteObject ${main}`, request: { principal: encoder, action: 's3:DeleteObject', resource: object(main) }, expect: 'deny' },
      { name: `MediaLive role -> DeleteObject ${child}`, request: { principal: encoder, action: 's3:DeleteObject', resource: object(child) }, expect: 'deny' },
      {
        name: `MediaLive role -> ListBucket under ${main}`,
        request: { principal: encoder, action: 's3:ListBucket', resource: { logicalId: bucketId }, context: { 's3:prefix': main.replace(/\.m3u8$/, '') } },
        expect: 'allow',
      },
      { name: `CloudFront (this distribution) -> GetObject ${child}`, request: { principal: cloudfrontService, action: 's3:GetObject', resource: object(child), context: thisDistribution }, expect: 'allow' },
    ];
  });
  return [
    ...perPipeline,
    ...markerRows(pipeline, bucket, prefix, base, pipelines),
    { name: 'MediaLive role -> PutObject outside its folder', request: { principal: encoder, action: 's3:PutObject', resource: object('other/x.ts') }, expect: 'deny' },
    { name: 'MediaLive role -> PutObject in its folder, not its channel\'s', request: { principal: encoder, action: 's3:PutObject', resource: object(`${prefix}other.m3u8`) }, expect: 'deny' },
    { name: 'MediaLive role -> PutObject in another bucket', request: { principal: encoder, action: 's3:PutObject', resource: { arn: `arn:${partition}:s3:::someone-elses-bucket/${prefix}${base}-a.m3u8` } }, expect: 'deny' },
    { name: 'MediaLive role -> ListBucket elsewhere', request: { principal: encoder, action: 's3:ListBucket', resource: { logicalId: bucketId }, context: { 's3:prefix': 'other/' } }, expect: 'deny' },
    { name: 'MediaLive role -> DeleteBucket', request: { principal: encoder, action: 's3:DeleteBucket', resource: { logicalId: bucketId } }, expect: 'deny' },
    { name: 'MediaLive role -> PutBucketPolicy', request: { principal: encoder, action: 's3:PutBucketPolicy', resource: { logicalId: bucketId } }, expect: 'deny' },
    {
      name: 'CloudFront (another distribution) -> GetObject',
      request: { principal: cloudfrontService, action: 's3:GetObject', resource: object(mainManifestKey(prefix, base, 0)), context: { 'aws:SourceArn': distributionArn('EANOTHERDISTRO') } },
      expect: 'deny',
    },
    { name: 'anonymous -> GetObject', request: { principal: 'anonymous', action: 's3:GetObject', resource: object(mainManifestKey(prefix, base, 0)) }, expect: 'deny' },
    { name: 'anonymous -> PutObject', request: { principal: 'anonymous', action: 's3:PutObject', resource: object(mainManifestKey(prefix, base, 0)) }, expect: 'deny' },
  ];
}

/**
 * The guard's marker reads each MediaLive pipeline's playlists (its key prefix in the shared folder), and with two
 * pipelines writes their heartbeats; nothing outside the channel's files.
 */
function markerRows(pipeline: LiveOttPipeline, bucket: s3.IBucket, prefix: string, base: string, pipelines: number[]): IamDecisionRow[] {
  const guard = pipeline.stalePlaylistGuard!;
  const marker = { role: logicalIdOf(guard.markerFunction!.role!) };
  const object = (key: string) => ({ logicalId: logicalIdOf(bucket), suffix: `/${key}` });
  const rows: IamDecisionRow[] = [
    ...pipelines.map((index): IamDecisionRow => {
      const child = childManifestKey(prefix, base, index, rendition);
      return { name: `marker role -> GetObject ${child}`, request: { principal: marker, action: 's3:GetObject', resource: object(child) }, expect: 'allow' };
    }),
    { name: 'marker role -> GetObject of a playlist in the folder, not the channel\'s', request: { principal: marker, action: 's3:GetObject', resource: object(`${prefix}other.m3u8`) }, expect: 'deny' },
    { name: 'marker role -> DeleteObject of a child manifest', request: { principal: marker, action: 's3:DeleteObject', resource: object(childManifestKey(prefix, base, 0, rendition)) }, expect: 'deny' },
  ];
  if (pipelines.length < 2) {
    expect(guard.heartbeatStore).toBeUndefined(); // one pipeline is never failed over: no heartbeats
    return rows;
  }
  const store = { logicalId: logicalIdOf(guard.heartbeatStore!) };
  return [
    ...rows,
    { name: 'marker role -> cloudfront-keyvaluestore:PutKey on the heartbeat store', request: { principal: marker, action: 'cloudfront-keyvaluestore:PutKey', resource: store }, expect: 'allow' },
    { name: 'marker role -> cloudfront-keyvaluestore:DeleteKey on the heartbeat store', request: { principal: marker, action: 'cloudfront-keyvaluestore:DeleteKey', resource: store }, expect: 'deny' },
  ];
}

function defaultTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const pipeline = new LiveOttPipeline(stack, 'Live', {
    input: LiveInput.urlPull({ urls: ['https://source.example.com/live/index.m3u8'] }),
    packaging: Packaging.hlsToS3(),
  });
  const bucket = stack.node.findChild('Live').node.findChild('OutputBucket') as s3.IBucket;
  return { name: 'S3 packaging, default props (SINGLE_PIPELINE, the bucket it creates)', stack, iam: hlsS3IamRows(pipeline, bucket, 'live/', 'channel', [0]) };
}

function maximalTarget(): DeployCheckTarget {
  const stack = new Stack(new App(), 'Live', { env });
  const bucket = new s3.Bucket(stack, 'Origin', { enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  const pipeline = new LiveOttPipeline(stack, 'Live', {
    channelClass: ChannelClass.STANDARD,
    input: LiveInput.urlPull({ urls: ['https://a.example.com/live/index.m3u8', 'https://b.example.com/live/index.m3u8'] }),
    encoding: EncodingProfile.hd1080p({ codec: VideoCodec.HEVC }),
    segmentLength: Duration.seconds(6),
    logLevel: ChannelLogLevel.INFO,
    packaging: Packaging.hlsToS3({
      bucket, prefix: 'events/final', baseFilename: 'match', playlistWindow: Duration.minutes(5), staleAfterTargetDurations: 4, alarms: true,
    }),
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    geoRestriction: cloudfront.GeoRestriction.allowlist('DE', 'FR'),
    accessLogBucket: new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.OBJECT_WRITER, enforceSSL: true, removalPolicy: RemovalPolicy.RETAIN }),
    domainNames: ['live.example.com'],
    certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:us-east-1:111111111111:certificate/abc'),
    webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/live/abc',
  });
  return {
    name: 'S3 packaging, maximal props (STANDARD with redundant manifests, 1080p HEVC, a bucket you bring, every distribution setting)',
    stack,
    iam: hlsS3IamRows(pipeline, bucket, 'events/final/', 'match', [0, 1]),
  };
}

describeDeployCheck('LiveOttPipeline with HLS-to-S3 packaging', () => [defaultTarget(), maximalTarget()]);
