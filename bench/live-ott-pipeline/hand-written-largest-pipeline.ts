import { CfnDeletionPolicy, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as medialive from 'aws-cdk-lib/aws-medialive';
import * as mediapackage from 'aws-cdk-lib/aws-mediapackage';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  aacAudioDescription, cachePolicies, channelRole, distribution, H264Rendition, h264VideoDescription, mediaPackageOutputs, scte35Avails,
  stopChannelOnDelete,
} from './hand-written-parts';

/** The 1080p ladder at 30 fps. */
const ladder: H264Rendition[] = [
  { width: 1920, height: 1080, kbps: 4100, qvbrQualityLevel: 9, profile: 'HIGH', framesPerSecond: 30 },
  { width: 1280, height: 720, kbps: 2700, qvbrQualityLevel: 8, profile: 'MAIN', framesPerSecond: 30 },
  { width: 960, height: 540, kbps: 1800, qvbrQualityLevel: 8, profile: 'MAIN', framesPerSecond: 30 },
  { width: 768, height: 432, kbps: 1200, qvbrQualityLevel: 7, profile: 'MAIN', framesPerSecond: 30 },
  { width: 640, height: 360, kbps: 800, qvbrQualityLevel: 7, profile: 'MAIN', framesPerSecond: 30 },
  { width: 512, height: 288, kbps: 400, qvbrQualityLevel: 6, profile: 'MAIN', framesPerSecond: 30 },
];
const segmentSeconds = 6;
const channelId = 'Live-AF666FA8';
const windowSeconds = 60;
const startoverWindowSeconds = 24 * 3600;
/** Every SCTE-35 message type MediaPackage v1 turns into ad markers. */
const adTriggers = [
  'SPLICE_INSERT', 'BREAK', 'PROVIDER_ADVERTISEMENT', 'DISTRIBUTOR_ADVERTISEMENT', 'PROVIDER_PLACEMENT_OPPORTUNITY',
  'DISTRIBUTOR_PLACEMENT_OPPORTUNITY', 'PROVIDER_OVERLAY_PLACEMENT_OPPORTUNITY', 'DISTRIBUTOR_OVERLAY_PLACEMENT_OPPORTUNITY',
];
/** The secret's JSON key holding the CDN identifier. */
const cdnIdentifierKey = 'MediaPackageCDNIdentifier';

/**
 * The largest `LiveOttPipeline` the benchmark measures (an RTMP push input behind an input security group, STANDARD,
 * the 1080p ladder, MediaPackage v1 with HLS, DASH, CMAF and MSS endpoints behind a CDN identifier kept in Secrets
 * Manager, a 24-hour start-over window, CloudFront, start on create and stop on delete) written by hand as typed L1 resources.
 */
export function handWrittenLargestPipeline(stack: Stack): void {
  const role = channelRole(stack);
  const securityGroup = new medialive.CfnInputSecurityGroup(stack, 'InputSecurityGroup', { whitelistRules: [{ cidr: '203.0.113.0/24' }] });
  const input = new medialive.CfnInput(stack, 'Input', {
    destinations: [{ streamName: 'live/main' }, { streamName: 'live/backup' }],
    inputSecurityGroups: [securityGroup.ref],
    type: 'RTMP_PUSH',
  });

  const packagerChannel = new mediapackage.CfnChannel(stack, 'PackagerChannel', {
    description: 'LiveOttPipeline: HLS ingest from the MediaLive channel',
    id: channelId,
  });
  const rolePolicy = new iam.CfnPolicy(stack, 'ChannelRoleDefaultPolicy', {
    policyDocument: {
      Statement: [{ Action: 'mediapackage:DescribeChannel', Effect: 'Allow', Resource: packagerChannel.attrArn, Sid: 'FindThePackagerChannel' }],
      Version: '2012-10-17',
    },
    policyName: 'ChannelRoleDefaultPolicy',
    roles: [role.ref],
  });

  const cdnIdentifier = new secretsmanager.CfnSecret(stack, 'CdnIdentifier', {
    description: 'LiveOttPipeline: the X-MediaPackage-CDNIdentifier value CloudFront sends to MediaPackage v1',
    generateSecretString: { excludePunctuation: true, generateStringKey: cdnIdentifierKey, passwordLength: 36, secretStringTemplate: '{}' },
  });
  cdnIdentifier.cfnOptions.deletionPolicy = CfnDeletionPolicy.DELETE;
  cdnIdentifier.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.DELETE;
  const readerRole = new iam.CfnRole(stack, 'CdnIdentifierReaderRole', {
    assumeRolePolicyDocument: {
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'mediapackage.amazonaws.com' } }],
      Version: '2012-10-17',
    },
    description: 'LiveOttPipeline: MediaPackage v1 reads its CDN identifier secret, nothing else',
    maxSessionDuration: 3600,
  });
  const readerPolicy = new iam.CfnPolicy(stack, 'CdnIdentifierReaderRoleDefaultPolicy', {
    policyDocument: {
      Statement: [{
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
        Effect: 'Allow',
        Resource: cdnIdentifier.ref,
        Sid: 'ReadTheCdnIdentifier',
      }],
      Version: '2012-10-17',
    },
    policyName: 'CdnIdentifierReaderRoleDefaultPolicy',
    roles: [readerRole.ref],
  });

  const endpoint = (id: string, kind: string, packageProps: Partial<mediapackage.CfnOriginEndpointProps>) => {
    const originEndpoint = new mediapackage.CfnOriginEndpoint(stack, id, {
      authorization: { cdnIdentifierSecret: cdnIdentifier.ref, secretsRoleArn: readerRole.attrArn },
      channelId,
      description: `LiveOttPipeline: ${kind}`,
      id: `${channelId}-${kind.toLowerCase()}`,
      manifestName: 'index',
      origination: 'ALLOW',
      startoverWindowSeconds,
      ...packageProps,
    });
    for (const dependency of [readerPolicy, readerRole, packagerChannel]) originEndpoint.addResourceDependency(dependency);
    return originEndpoint;
  };
  const hlsEndpoint = endpoint('HlsEndpoint', 'HLS', {
    hlsPackage: {
      adMarkers: 'SCTE35_ENHANCED',
      adTriggers,
      includeIframeOnlyStream: false,
      playlistWindowSeconds: windowSeconds,
      programDateTimeIntervalSeconds: segmentSeconds,
      segmentDurationSeconds: segmentSeconds,
      useAudioRenditionGroup: true,
    },
  });
  endpoint('DashEndpoint', 'DASH', {
    dashPackage: {
      adTriggers,
      manifestWindowSeconds: windowSeconds,
      minBufferTimeSeconds: 2 * segmentSeconds,
      minUpdatePeriodSeconds: segmentSeconds,
      periodTriggers: ['ADS'],
      profile: 'NONE',
      segmentDurationSeconds: segmentSeconds,
      segmentTemplateFormat: 'NUMBER_WITH_TIMELINE',
      suggestedPresentationDelaySeconds: 3 * segmentSeconds,
    },
  });
  endpoint('CmafEndpoint', 'CMAF', {
    cmafPackage: {
      hlsManifests: [{
        adMarkers: 'SCTE35_ENHANCED',
        adTriggers,
        id: `${channelId}-cmaf-hls`,
        includeIframeOnlyStream: false,
        manifestName: 'index',
        playlistWindowSeconds: windowSeconds,
        programDateTimeIntervalSeconds: segmentSeconds,
      }],
      segmentDurationSeconds: segmentSeconds,
    },
  });
  endpoint('MssEndpoint', 'MSS', { mssPackage: { manifestWindowSeconds: windowSeconds, segmentDurationSeconds: segmentSeconds } });

  const channel = new medialive.CfnChannel(stack, 'Channel', {
    channelClass: 'STANDARD',
    destinations: [{ id: 'mediapackage', mediaPackageSettings: [{ channelId }] }],
    encoderSettings: {
      audioDescriptions: [aacAudioDescription],
      availConfiguration: scte35Avails,
      outputGroups: [{
        name: 'mediapackage',
        outputGroupSettings: { mediaPackageGroupSettings: { destination: { destinationRefId: 'mediapackage' } } },
        outputs: mediaPackageOutputs(ladder),
      }],
      timecodeConfig: { source: 'SYSTEMCLOCK' },
      videoDescriptions: ladder.map(h264VideoDescription),
    },
    inputAttachments: [{ inputAttachmentName: 'source', inputId: input.ref }],
    inputSpecification: { codec: 'AVC', maximumBitrate: 'MAX_20_MBPS', resolution: 'HD' },
    logLevel: 'ERROR',
    roleArn: role.attrArn,
  });
  channel.addResourceDependency(rolePolicy);
  channel.addResourceDependency(role);
  channel.addResourceDependency(packagerChannel);
  stopChannelOnDelete(stack, { channel, channelRole: role, channelRolePolicy: rolePolicy, autoStart: true });

  distribution(stack, {
    comment: 'LiveOttPipeline: live HLS, DASH, CMAF, MSS from MediaPackage v1',
    cachePolicies: cachePolicies(stack, segmentSeconds / 2, ['aws.manifestfilter', 'start', 'end', 'm']),
    manifestPathPatterns: ['*.m3u8', '*.mpd', '*.ism/Manifest'],
    origin: {
      connectionTimeout: segmentSeconds / 2,
      customOriginConfig: {
        originKeepaliveTimeout: 7,
        originProtocolPolicy: 'https-only',
        originReadTimeout: segmentSeconds / 2,
        originSslProtocols: ['TLSv1.2'],
      },
      // every v1 endpoint of the channel is served from the same host
      domainName: Fn.select(2, Fn.split('/', hlsEndpoint.attrUrl)),
      originCustomHeaders: [{
        headerName: 'X-MediaPackage-CDNIdentifier',
        headerValue: `{{resolve:secretsmanager:${cdnIdentifier.ref}:SecretString:${cdnIdentifierKey}::}}`,
      }],
    },
    priceClass: 'PriceClass_100',
  });
}
