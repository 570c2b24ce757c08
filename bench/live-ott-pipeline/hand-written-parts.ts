import * as path from 'path';
import { Aws, CfnDeletionPolicy, CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as medialive from 'aws-cdk-lib/aws-medialive';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';

/**
 * The pieces both hand-written L1 pipelines share, written as a user without `LiveOttPipeline` would factor them:
 * typed L1 classes only, the names and values the construct writes, so that the templates compare equal.
 */

/** The stop-on-delete handler bundle the construct stages: the hand-written stacks stage the same directory. */
export const stopOnDeleteBundle = path.resolve(__dirname, '..', '..', 'assets', 'lambda-src', 'live-ott-pipeline', 'stop-on-delete.lambda');

/** CloudFront's managed CORS response headers policy (`Managed-SimpleCORS`). */
const simpleCorsPolicyId = '60669652-455b-4ae9-85a4-c4c02393f86c';

/** The origin id of the distribution's only origin. */
const originId = 'LiveDistributionOrigin1E381314B';

/** MediaLive's name for the single audio rendition. */
export const audioName = 'audio_aac';

/** One H.264 rendition of the ladder. */
export interface H264Rendition {
  readonly width: number;
  readonly height: number;
  readonly kbps: number;
  readonly qvbrQualityLevel: number;
  readonly profile: 'HIGH' | 'MAIN' | 'BASELINE';
  readonly framesPerSecond: number;
}

/** The rendition's MediaLive name, which its output refers to. */
export const renditionName = (rendition: H264Rendition): string => `video_${rendition.width}x${rendition.height}_${rendition.kbps}k`;

/** A QVBR H.264 video description with a closed 2-second GOP; BASELINE has no B-frames and no CABAC. */
export function h264VideoDescription(rendition: H264Rendition): medialive.CfnChannel.VideoDescriptionProperty {
  const baseline = rendition.profile === 'BASELINE';
  return {
    codecSettings: {
      h264Settings: {
        adaptiveQuantization: 'HIGH',
        afdSignaling: 'NONE',
        bufFillPct: 90,
        bufSize: rendition.kbps * 2000,
        colorMetadata: 'INSERT',
        entropyEncoding: baseline ? 'CAVLC' : 'CABAC',
        flickerAq: 'ENABLED',
        framerateControl: 'SPECIFIED',
        framerateDenominator: 1,
        framerateNumerator: rendition.framesPerSecond,
        gopBReference: baseline ? 'DISABLED' : 'ENABLED',
        gopClosedCadence: 1,
        gopNumBFrames: baseline ? 0 : 3,
        gopSize: 2,
        gopSizeUnits: 'SECONDS',
        level: 'H264_LEVEL_AUTO',
        lookAheadRateControl: 'HIGH',
        maxBitrate: rendition.kbps * 1000,
        parControl: 'SPECIFIED',
        parDenominator: 1,
        parNumerator: 1,
        profile: rendition.profile,
        qvbrQualityLevel: rendition.qvbrQualityLevel,
        rateControlMode: 'QVBR',
        scanType: 'PROGRESSIVE',
        sceneChangeDetect: 'ENABLED',
        spatialAq: 'ENABLED',
        subgopLength: 'FIXED',
        temporalAq: 'ENABLED',
        timecodeInsertion: 'DISABLED',
      },
    },
    height: rendition.height,
    name: renditionName(rendition),
    respondToAfd: 'NONE',
    scalingBehavior: 'DEFAULT',
    sharpness: 50,
    width: rendition.width,
  };
}

/** Stereo AAC-LC at 96 kb/s. */
export const aacAudioDescription: medialive.CfnChannel.AudioDescriptionProperty = {
  audioTypeControl: 'FOLLOW_INPUT',
  codecSettings: {
    aacSettings: {
      bitrate: 96000,
      codingMode: 'CODING_MODE_2_0',
      inputType: 'NORMAL',
      profile: 'LC',
      rateControlMode: 'CBR',
      rawFormat: 'NONE',
      sampleRate: 48000,
      spec: 'MPEG4',
    },
  },
  languageCodeControl: 'FOLLOW_INPUT',
  name: audioName,
};

/** One MediaPackage output per video rendition, then the audio output. */
export function mediaPackageOutputs(renditions: H264Rendition[]): medialive.CfnChannel.OutputProperty[] {
  return [
    ...renditions.map((rendition) => ({
      outputName: renditionName(rendition),
      outputSettings: { mediaPackageOutputSettings: {} },
      videoDescriptionName: renditionName(rendition),
    })),
    { audioDescriptionNames: [audioName], outputName: audioName, outputSettings: { mediaPackageOutputSettings: {} } },
  ];
}

/** SCTE-35 splice inserts passed through, blackout and web delivery flags followed. */
export const scte35Avails: medialive.CfnChannel.AvailConfigurationProperty = {
  availSettings: { scte35SpliceInsert: { noRegionalBlackoutFlag: 'FOLLOW', webDeliveryAllowedFlag: 'FOLLOW' } },
};

/** The MediaLive channel's role, with its log permissions. */
export function channelRole(stack: Stack): iam.CfnRole {
  const role = new iam.CfnRole(stack, 'ChannelRole', {
    assumeRolePolicyDocument: {
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'medialive.amazonaws.com' } }],
      Version: '2012-10-17',
    },
    description: 'LiveOttPipeline MediaLive channel: writes to its MediaPackage channel and its channel logs, reads its input',
  });
  new iam.CfnPolicy(stack, 'ChannelLogsPolicy', {
    policyDocument: {
      Statement: [{
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Effect: 'Allow',
        Resource: `arn:${Aws.PARTITION}:logs:${stack.region}:${stack.account}:log-group:ElementalMediaLive:*`,
        Sid: 'WriteChannelLogs',
      }],
      Version: '2012-10-17',
    },
    policyName: 'ChannelLogsPolicy',
    roles: [role.ref],
  });
  return role;
}

/** What the stop-on-delete custom resource needs. */
export interface StopOnDeleteOptions {
  readonly channel: medialive.CfnChannel;
  /** The channel's role and its policy: the channel must still be able to run while it is stopped. */
  readonly channelRole: iam.CfnRole;
  readonly channelRolePolicy: iam.CfnPolicy;
  /** Start the channel once created. */
  readonly autoStart: boolean;
}

/** The function that stops the channel before CloudFormation deletes it (and starts it on create with `autoStart`), and its custom resource. */
export function stopChannelOnDelete(stack: Stack, options: StopOnDeleteOptions): void {
  const logGroup = new logs.CfnLogGroup(stack, 'StopOnDeleteLogs', { retentionInDays: 30 });
  logGroup.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
  logGroup.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  const role = new iam.CfnRole(stack, 'StopOnDeleteRole', {
    assumeRolePolicyDocument: {
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      Version: '2012-10-17',
    },
    description: options.autoStart
      ? 'LiveOttPipeline stop-on-delete: describes, starts and stops its own MediaLive channel, nothing else'
      : 'LiveOttPipeline stop-on-delete: describes and stops its own MediaLive channel, nothing else',
  });
  const policy = new iam.CfnPolicy(stack, 'StopOnDeleteRoleDefaultPolicy', {
    policyDocument: {
      Statement: [
        { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: logGroup.attrArn },
        { Action: ['medialive:DescribeChannel', 'medialive:StopChannel'], Effect: 'Allow', Resource: options.channel.attrArn, Sid: 'StopTheChannel' },
        ...options.autoStart ? [{ Action: 'medialive:StartChannel', Effect: 'Allow', Resource: options.channel.attrArn, Sid: 'StartTheChannel' }] : [],
      ],
      Version: '2012-10-17',
    },
    policyName: 'StopOnDeleteRoleDefaultPolicy',
    roles: [role.ref],
  });
  const code = new s3assets.Asset(stack, 'StopOnDeleteCode', { path: stopOnDeleteBundle });
  const handler = new lambda.CfnFunction(stack, 'StopOnDeleteFunction', {
    architectures: ['arm64'],
    code: { s3Bucket: code.s3BucketName, s3Key: code.s3ObjectKey },
    description: 'lambda-src/live-ott-pipeline/stop-on-delete.lambda.ts',
    environment: { variables: { POWERTOOLS_SERVICE_NAME: 'live-ott-pipeline-LiveAF666FA8', AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' } },
    handler: 'index.handler',
    loggingConfig: { logFormat: 'JSON', logGroup: logGroup.ref },
    memorySize: 256,
    role: role.attrArn,
    runtime: 'nodejs24.x',
    timeout: 600,
  });
  handler.addResourceDependency(policy);
  handler.addResourceDependency(role);
  const stopOnDelete = new CfnResource(stack, 'StopChannelOnDelete', {
    type: 'Custom::MediaLiveChannelStopOnDelete',
    properties: { ServiceToken: handler.attrArn, ChannelId: options.channel.ref, ...options.autoStart ? { AutoStart: 'true' } : {} },
  });
  for (const dependency of [options.channelRolePolicy, options.channelRole, handler, policy, role]) stopOnDelete.addResourceDependency(dependency);
  stopOnDelete.cfnOptions.deletionPolicy = CfnDeletionPolicy.DELETE;
  stopOnDelete.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;
}

/** The cache policies of the distribution: manifests for about half a segment, segments for a day. */
export interface CachePolicies {
  readonly manifest: cloudfront.CfnCachePolicy;
  readonly segment: cloudfront.CfnCachePolicy;
}

/** Manifest and segment cache policies; `manifestQueryStrings` are the packager's manifest query parameters. */
export function cachePolicies(stack: Stack, manifestTtlSeconds: number, manifestQueryStrings: string[]): CachePolicies {
  const manifest = new cloudfront.CfnCachePolicy(stack, 'ManifestCachePolicy', {
    cachePolicyConfig: {
      comment: 'LiveOttPipeline: live manifests change every segment, cached about half a segment',
      defaultTtl: manifestTtlSeconds,
      maxTtl: manifestTtlSeconds,
      minTtl: 0,
      name: `LiveManifestCachePolicy41BB5875-${stack.region}`,
      parametersInCacheKeyAndForwardedToOrigin: {
        cookiesConfig: { cookieBehavior: 'none' },
        enableAcceptEncodingBrotli: true,
        enableAcceptEncodingGzip: true,
        headersConfig: { headerBehavior: 'none' },
        queryStringsConfig: { queryStringBehavior: 'whitelist', queryStrings: manifestQueryStrings },
      },
    },
  });
  const segment = new cloudfront.CfnCachePolicy(stack, 'SegmentCachePolicy', {
    cachePolicyConfig: {
      comment: 'LiveOttPipeline: segments never change once written',
      defaultTtl: 86400,
      maxTtl: 86400,
      minTtl: 0,
      name: `LiveSegmentCachePolicy5601BF2A-${stack.region}`,
      parametersInCacheKeyAndForwardedToOrigin: {
        cookiesConfig: { cookieBehavior: 'none' },
        enableAcceptEncodingBrotli: false,
        enableAcceptEncodingGzip: false,
        headersConfig: { headerBehavior: 'none' },
        queryStringsConfig: { queryStringBehavior: 'none' },
      },
    },
  });
  return { manifest, segment };
}

/** The distribution's settings besides its origin. */
export interface DistributionOptions {
  readonly comment: string;
  readonly cachePolicies: CachePolicies;
  /** Path patterns of the manifests, cached with the manifest policy. */
  readonly manifestPathPatterns: string[];
  readonly origin: Omit<cloudfront.CfnDistribution.OriginProperty, 'id'>;
  readonly priceClass?: string;
}

/** The distribution: one origin, manifests and segments cached apart, CORS, errors cached for a second. */
export function distribution(stack: Stack, options: DistributionOptions): cloudfront.CfnDistribution {
  const behavior = (cachePolicy: cloudfront.CfnCachePolicy, compress: boolean) => ({
    allowedMethods: ['GET', 'HEAD'],
    cachePolicyId: cachePolicy.ref,
    cachedMethods: ['GET', 'HEAD'],
    compress,
    responseHeadersPolicyId: simpleCorsPolicyId,
    targetOriginId: originId,
    viewerProtocolPolicy: 'redirect-to-https',
  });
  return new cloudfront.CfnDistribution(stack, 'Distribution', {
    distributionConfig: {
      cacheBehaviors: options.manifestPathPatterns.map((pathPattern) => ({ ...behavior(options.cachePolicies.manifest, true), pathPattern })),
      comment: options.comment,
      customErrorResponses: [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504].map((errorCode) => ({ errorCachingMinTtl: 1, errorCode })),
      defaultCacheBehavior: behavior(options.cachePolicies.segment, false),
      enabled: true,
      httpVersion: 'http2and3',
      ipv6Enabled: true,
      origins: [{ ...options.origin, id: originId }],
      priceClass: options.priceClass,
    },
  });
}
