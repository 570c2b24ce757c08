import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as mediapackagev2 from 'aws-cdk-lib/aws-mediapackagev2';
import { Construct } from 'constructs';
import { HlsAdMarkers, MediaPackageV2PackagingProps } from './packaging';

/** What the packager needs from the pipeline. @internal */
export interface PackagerOptions {
  /** Segment length, whole seconds. */
  readonly segmentLengthSeconds: number;
  /** The role MediaLive writes with. */
  readonly encoderRole: iam.Role;
  /** Whether SCTE-35 reaches the packager. */
  readonly scte35Passthrough: boolean;
}

/** One manifest a player can open. @internal */
export interface PackagedManifest {
  /** Path on the origin (and on the distribution), from the root: `/out/v1/<group>/<channel>/<endpoint>/<name>.<ext>`. */
  readonly path: string;
}

/** SCTE-35 message types MediaPackage turns into ad markers. */
const scteFilter = [
  'SPLICE_INSERT', 'BREAK', 'PROGRAM',
  'PROVIDER_ADVERTISEMENT', 'DISTRIBUTOR_ADVERTISEMENT',
  'PROVIDER_PLACEMENT_OPPORTUNITY', 'DISTRIBUTOR_PLACEMENT_OPPORTUNITY',
  'PROVIDER_OVERLAY_PLACEMENT_OPPORTUNITY', 'DISTRIBUTOR_OVERLAY_PLACEMENT_OPPORTUNITY',
];

/** Limits of the MediaPackage v2 endpoint settings (MediaPackage v2 User Guide, endpoint settings). */
const limits = {
  startoverWindowSeconds: { minimum: 60, maximum: 1_209_600 },
  manifestWindowSeconds: { minimum: 30, maximum: 3600 },
};

/** The names under which the packager's manifests are served. */
const names = {
  channel: 'live',
  tsEndpoint: 'hls-ts',
  cmafEndpoint: 'cmaf',
  hlsManifest: 'index',
  dashManifest: 'dash',
};

/**
 * MediaPackage v2 resources of one pipeline: a channel group, a channel with CMAF input (what a MediaLive MEDIAPACKAGE
 * output group sends), a channel policy that lets only the encoder role write, and two origin endpoints.
 * @internal
 */
export class MediaPackageV2Packager {
  /** The ARN of the distribution `distributionId` in this stack's partition and account. */
  public static distributionArn(scope: Construct, distributionId: string): string {
    return Stack.of(scope).formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: distributionId });
  }

  /** The channel group: its egress domain is the CloudFront origin. */
  public readonly channelGroup: mediapackagev2.CfnChannelGroup;
  /** The channel MediaLive writes to. */
  public readonly channel: mediapackagev2.CfnChannel;
  /** HLS with TS segments. */
  public readonly tsEndpoint: mediapackagev2.CfnOriginEndpoint;
  /** CMAF segments with HLS and DASH manifests. */
  public readonly cmafEndpoint: mediapackagev2.CfnOriginEndpoint;
  /** HLS (TS) playlist. */
  public readonly hlsTs: PackagedManifest;
  /** HLS (CMAF) playlist. */
  public readonly hlsCmaf: PackagedManifest;
  /** DASH manifest. */
  public readonly dash: PackagedManifest;
  /** The channel group name. */
  public readonly channelGroupName: string;
  /** The channel name. */
  public readonly channelName = names.channel;

  constructor(scope: Construct, options: PackagerOptions, props: MediaPackageV2PackagingProps) {
    const startover = props.startoverWindow?.toSeconds();
    const window = (props.manifestWindow ?? Duration.seconds(60)).toSeconds();
    const adMarkers = props.adMarkers ?? (options.scte35Passthrough ? HlsAdMarkers.DATERANGE : HlsAdMarkers.NONE);
    validate(startover, window, adMarkers, options.scte35Passthrough);
    const segment = options.segmentLengthSeconds;

    this.channelGroupName = Names.uniqueResourceName(scope, { maxLength: 50, separator: '-' });
    this.channelGroup = new mediapackagev2.CfnChannelGroup(scope, 'ChannelGroup', {
      channelGroupName: this.channelGroupName,
      description: 'LiveOttPipeline: packages one MediaLive channel',
    });
    this.channel = new mediapackagev2.CfnChannel(scope, 'PackagerChannel', {
      channelGroupName: this.channelGroupName,
      channelName: names.channel,
      inputType: 'CMAF', // a MediaLive MEDIAPACKAGE output group ingests CMAF
      description: 'LiveOttPipeline: CMAF ingest from the MediaLive channel',
    });
    this.channel.node.addDependency(this.channelGroup); // names are plain strings: order the creation explicitly
    const channelPolicy = new mediapackagev2.CfnChannelPolicy(scope, 'PackagerChannelPolicy', {
      channelGroupName: this.channelGroupName,
      channelName: names.channel,
      policy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          sid: 'EncoderWritesIngest',
          principals: [new iam.ArnPrincipal(options.encoderRole.roleArn)],
          actions: ['mediapackagev2:PutObject'],
          resources: [this.channel.attrArn],
        })],
      }),
    });
    channelPolicy.node.addDependency(this.channel);
    options.encoderRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteToThePackagerChannel',
      actions: ['mediapackagev2:PutObject'],
      resources: [this.channel.attrArn],
    }));

    const markAds = adMarkers !== HlsAdMarkers.NONE;
    const segmentSettings = (extra: Partial<mediapackagev2.CfnOriginEndpoint.SegmentProperty>): mediapackagev2.CfnOriginEndpoint.SegmentProperty => ({
      segmentDurationSeconds: segment,
      segmentName: 'segment',
      includeIframeOnlyStreams: false,
      scte: markAds ? { scteFilter } : undefined,
      ...extra,
    });
    const hlsManifest: mediapackagev2.CfnOriginEndpoint.HlsManifestConfigurationProperty = {
      manifestName: names.hlsManifest,
      manifestWindowSeconds: window,
      programDateTimeIntervalSeconds: segment,
      scteHls: markAds ? { adMarkerHls: adMarkers } : undefined,
    };
    this.tsEndpoint = new mediapackagev2.CfnOriginEndpoint(scope, 'HlsTsEndpoint', {
      channelGroupName: this.channelGroupName,
      channelName: names.channel,
      originEndpointName: names.tsEndpoint,
      containerType: 'TS',
      startoverWindowSeconds: startover,
      segment: segmentSettings({ tsUseAudioRenditionGroup: true }),
      hlsManifests: [hlsManifest],
      description: 'LiveOttPipeline: HLS with TS segments',
    });
    this.cmafEndpoint = new mediapackagev2.CfnOriginEndpoint(scope, 'CmafEndpoint', {
      channelGroupName: this.channelGroupName,
      channelName: names.channel,
      originEndpointName: names.cmafEndpoint,
      containerType: 'CMAF',
      startoverWindowSeconds: startover,
      segment: segmentSettings({}),
      hlsManifests: [hlsManifest],
      dashManifests: [{
        manifestName: names.dashManifest,
        manifestWindowSeconds: window,
        minUpdatePeriodSeconds: segment,
        minBufferTimeSeconds: 2 * segment,
        suggestedPresentationDelaySeconds: 3 * segment,
        segmentTemplateFormat: 'NUMBER_WITH_TIMELINE',
        periodTriggers: markAds ? ['AVAILS'] : undefined,
        scteDash: markAds ? { adMarkerDash: 'XML' } : undefined,
      }],
      description: 'LiveOttPipeline: CMAF segments, HLS and DASH manifests',
    });
    for (const endpoint of [this.tsEndpoint, this.cmafEndpoint]) endpoint.node.addDependency(this.channel);

    const base = `/out/v1/${this.channelGroupName}/${names.channel}`;
    this.hlsTs = { path: `${base}/${names.tsEndpoint}/${names.hlsManifest}.m3u8` };
    this.hlsCmaf = { path: `${base}/${names.cmafEndpoint}/${names.hlsManifest}.m3u8` };
    this.dash = { path: `${base}/${names.cmafEndpoint}/${names.dashManifest}.mpd` };
  }

  /**
   * Lets exactly `distributionArn` read both endpoints through Origin Access Control (GetObject, and GetHeadObject for
   * HEAD requests): endpoint policies allow CloudFront's service principal only on that `AWS:SourceArn`.
   */
  public allowDistribution(scope: Construct, distributionArn: string): void {
    for (const [id, endpoint] of [['HlsTsEndpointPolicy', this.tsEndpoint], ['CmafEndpointPolicy', this.cmafEndpoint]] as const) {
      const policy = new mediapackagev2.CfnOriginEndpointPolicy(scope, id, {
        channelGroupName: this.channelGroupName,
        channelName: names.channel,
        originEndpointName: endpoint.originEndpointName,
        policy: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            sid: 'CloudFrontReadsThroughOriginAccessControl',
            principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
            actions: ['mediapackagev2:GetObject', 'mediapackagev2:GetHeadObject'],
            resources: [endpoint.attrArn],
            conditions: { StringEquals: { 'AWS:SourceArn': distributionArn } },
          })],
        }),
      });
      policy.node.addDependency(endpoint);
    }
  }
}

function validate(startover: number | undefined, window: number, adMarkers: HlsAdMarkers, scte35Passthrough: boolean): void {
  const { startoverWindowSeconds: s, manifestWindowSeconds: m } = limits;
  if (startover !== undefined && (startover < s.minimum || startover > s.maximum)) {
    throw new Error(`packaging: startoverWindow must be ${s.minimum} s to ${s.maximum} s (14 days), got ${startover} s`);
  }
  if (window < m.minimum || window > m.maximum) {
    throw new Error(`packaging: manifestWindow must be ${m.minimum} s to ${m.maximum} s, got ${window} s`);
  }
  if (adMarkers !== HlsAdMarkers.NONE && !scte35Passthrough) {
    throw new Error(`packaging: adMarkers ${adMarkers} needs SCTE-35 from the encoder, but scte35Passthrough is false; set adMarkers to HlsAdMarkers.NONE or pass SCTE-35 through`);
  }
}
