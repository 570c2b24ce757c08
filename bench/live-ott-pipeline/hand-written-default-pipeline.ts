import { Aws, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as medialive from 'aws-cdk-lib/aws-medialive';
import * as mediapackagev2 from 'aws-cdk-lib/aws-mediapackagev2';
import {
  aacAudioDescription, cachePolicies, channelRole, distribution, H264Rendition, h264VideoDescription, mediaPackageOutputs, scte35Avails,
  stopChannelOnDelete,
} from './hand-written-parts';

/** The 720p ladder at 25 fps. */
const ladder: H264Rendition[] = [
  { width: 1280, height: 720, kbps: 2700, qvbrQualityLevel: 9, profile: 'HIGH', framesPerSecond: 25 },
  { width: 960, height: 540, kbps: 1800, qvbrQualityLevel: 8, profile: 'MAIN', framesPerSecond: 25 },
  { width: 640, height: 360, kbps: 800, qvbrQualityLevel: 7, profile: 'BASELINE', framesPerSecond: 25 },
  { width: 512, height: 288, kbps: 400, qvbrQualityLevel: 6, profile: 'BASELINE', framesPerSecond: 25 },
];
const segmentSeconds = 4;
const channelGroupName = 'Live-AF666FA8';
const channelName = 'live';
/** Every SCTE-35 message type MediaPackage v2 can act on. */
const scteFilter = [
  'SPLICE_INSERT', 'BREAK', 'PROGRAM', 'PROVIDER_ADVERTISEMENT', 'DISTRIBUTOR_ADVERTISEMENT', 'PROVIDER_PLACEMENT_OPPORTUNITY',
  'DISTRIBUTOR_PLACEMENT_OPPORTUNITY', 'PROVIDER_OVERLAY_PLACEMENT_OPPORTUNITY', 'DISTRIBUTOR_OVERLAY_PLACEMENT_OPPORTUNITY',
];
const hlsManifest: mediapackagev2.CfnOriginEndpoint.HlsManifestConfigurationProperty = {
  manifestName: 'index',
  manifestWindowSeconds: 60,
  programDateTimeIntervalSeconds: segmentSeconds,
  scteHls: { adMarkerHls: 'DATERANGE' },
};

/**
 * The default `LiveOttPipeline` (an HLS pull input, SINGLE_PIPELINE, the 720p ladder, MediaPackage v2 with an HLS/TS and
 * a CMAF endpoint, CloudFront through origin access control, stop on delete) written by hand as typed L1 resources.
 */
export function handWrittenDefaultPipeline(stack: Stack): void {
  const role = channelRole(stack);
  const input = new medialive.CfnInput(stack, 'Input', {
    sources: [{ url: 'https://source.example.com/live/index.m3u8' }],
    type: 'URL_PULL',
  });

  const channelGroup = new mediapackagev2.CfnChannelGroup(stack, 'ChannelGroup', {
    channelGroupName,
    description: 'LiveOttPipeline: packages one MediaLive channel',
  });
  const packagerChannel = new mediapackagev2.CfnChannel(stack, 'PackagerChannel', {
    channelGroupName,
    channelName,
    description: 'LiveOttPipeline: CMAF ingest from the MediaLive channel',
    inputType: 'CMAF',
  });
  packagerChannel.addResourceDependency(channelGroup);
  const rolePolicy = new iam.CfnPolicy(stack, 'ChannelRoleDefaultPolicy', {
    policyDocument: {
      Statement: [{ Action: 'mediapackagev2:PutObject', Effect: 'Allow', Resource: packagerChannel.attrArn, Sid: 'WriteToThePackagerChannel' }],
      Version: '2012-10-17',
    },
    policyName: 'ChannelRoleDefaultPolicy',
    roles: [role.ref],
  });
  const packagerChannelPolicy = new mediapackagev2.CfnChannelPolicy(stack, 'PackagerChannelPolicy', {
    channelGroupName,
    channelName,
    policy: {
      Statement: [{
        Action: 'mediapackagev2:PutObject',
        Effect: 'Allow',
        Principal: { AWS: role.attrArn },
        Resource: packagerChannel.attrArn,
        Sid: 'EncoderWritesIngest',
      }],
      Version: '2012-10-17',
    },
  });
  packagerChannelPolicy.addResourceDependency(packagerChannel);

  const segment = { includeIframeOnlyStreams: false, scte: { scteFilter }, segmentDurationSeconds: segmentSeconds, segmentName: 'segment' };
  const hlsTsEndpoint = new mediapackagev2.CfnOriginEndpoint(stack, 'HlsTsEndpoint', {
    channelGroupName,
    channelName,
    containerType: 'TS',
    description: 'LiveOttPipeline: HLS with TS segments',
    hlsManifests: [hlsManifest],
    originEndpointName: 'hls-ts',
    segment: { ...segment, tsUseAudioRenditionGroup: true },
  });
  hlsTsEndpoint.addResourceDependency(packagerChannel);
  const cmafEndpoint = new mediapackagev2.CfnOriginEndpoint(stack, 'CmafEndpoint', {
    channelGroupName,
    channelName,
    containerType: 'CMAF',
    dashManifests: [{
      manifestName: 'dash',
      manifestWindowSeconds: 60,
      minBufferTimeSeconds: 2 * segmentSeconds,
      minUpdatePeriodSeconds: segmentSeconds,
      periodTriggers: ['AVAILS'],
      scteDash: { adMarkerDash: 'XML' },
      segmentTemplateFormat: 'NUMBER_WITH_TIMELINE',
      suggestedPresentationDelaySeconds: 3 * segmentSeconds,
    }],
    description: 'LiveOttPipeline: CMAF segments, HLS and DASH manifests',
    hlsManifests: [hlsManifest],
    originEndpointName: 'cmaf',
    segment,
  });
  cmafEndpoint.addResourceDependency(packagerChannel);

  const channel = new medialive.CfnChannel(stack, 'Channel', {
    channelClass: 'SINGLE_PIPELINE',
    destinations: [{ id: 'mediapackage', mediaPackageSettings: [{ channelGroup: channelGroupName, channelName }] }],
    encoderSettings: {
      audioDescriptions: [aacAudioDescription],
      availConfiguration: scte35Avails,
      outputGroups: [{
        name: 'mediapackage',
        outputGroupSettings: {
          mediaPackageGroupSettings: {
            destination: { destinationRefId: 'mediapackage' },
            mediapackageV2GroupSettings: { scte35Type: 'SCTE_35_WITHOUT_SEGMENTATION', segmentLength: segmentSeconds, segmentLengthUnits: 'SECONDS' },
          },
        },
        outputs: mediaPackageOutputs(ladder),
      }],
      timecodeConfig: { source: 'SYSTEMCLOCK' },
      videoDescriptions: ladder.map(h264VideoDescription),
    },
    inputAttachments: [{ inputAttachmentName: 'source', inputId: input.ref }],
    inputSpecification: { codec: 'AVC', maximumBitrate: 'MAX_10_MBPS', resolution: 'HD' },
    logLevel: 'ERROR',
    roleArn: role.attrArn,
  });
  channel.addResourceDependency(rolePolicy);
  channel.addResourceDependency(role);
  channel.addResourceDependency(packagerChannel);
  stopChannelOnDelete(stack, { channel, channelRole: role, channelRolePolicy: rolePolicy, autoStart: false });

  const originAccessControl = new cloudfront.CfnOriginAccessControl(stack, 'OriginAccessControl', {
    originAccessControlConfig: {
      description: 'LiveOttPipeline: CloudFront signs its requests to MediaPackage v2',
      name: 'LiveOriginAccessControl662DB1E4',
      originAccessControlOriginType: 'mediapackagev2',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    },
  });
  const cdn = distribution(stack, {
    comment: 'LiveOttPipeline: live HLS and DASH from MediaPackage v2',
    cachePolicies: cachePolicies(stack, segmentSeconds / 2, ['aws.manifestfilter', 'start', 'end', 'time_delay']),
    manifestPathPatterns: ['*.m3u8', '*.mpd'],
    origin: {
      connectionTimeout: segmentSeconds / 2,
      customOriginConfig: {
        originKeepaliveTimeout: 5,
        originProtocolPolicy: 'https-only',
        originReadTimeout: segmentSeconds / 2,
        originSslProtocols: ['TLSv1.2'],
      },
      domainName: channelGroup.attrEgressDomain,
      originAccessControlId: originAccessControl.attrId,
    },
  });

  for (const [id, endpoint] of [['HlsTsEndpointPolicy', hlsTsEndpoint], ['CmafEndpointPolicy', cmafEndpoint]] as const) {
    const endpointPolicy = new mediapackagev2.CfnOriginEndpointPolicy(stack, id, {
      channelGroupName,
      channelName,
      originEndpointName: endpoint.originEndpointName,
      policy: {
        Statement: [{
          Action: ['mediapackagev2:GetObject', 'mediapackagev2:GetHeadObject'],
          Condition: { StringEquals: { 'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${stack.account}:distribution/${cdn.ref}` } },
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Resource: endpoint.attrArn,
          Sid: 'CloudFrontReadsThroughOriginAccessControl',
        }],
        Version: '2012-10-17',
      },
    });
    endpointPolicy.addResourceDependency(endpoint);
  }
}
