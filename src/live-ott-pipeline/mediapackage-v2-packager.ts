import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as medialive from 'aws-cdk-lib/aws-medialive';
import * as mediapackagev2 from 'aws-cdk-lib/aws-mediapackagev2';
import { Construct, IDependable } from 'constructs';
import { EncodedRenditions, mediaPackageOutputGroup } from './encoder-settings';
import { liveFront, liveOriginProps } from './live-front';
import type { DeliveryOptions, Packager, PackagerDelivery, PackagerOptions } from './packager';
import { HlsAdMarkers, MediaPackageV2PackagingProps } from './packaging';
import { scteFilter, validateWindows } from './packaging-rules';

/** MediaPackage v2 manifest query parameters that select a different manifest (filters, start-over, time delay). */
const manifestQueryStrings = ['aws.manifestfilter', 'start', 'end', 'time_delay'];
/** LL-HLS blocking playlist reload parameters, in the cache key with an LL-HLS manifest (MediaPackage CDN recommendations). */
const lowLatencyQueryStrings = ['_HLS_msn', '_HLS_part'];

/** The names under which the packager's manifests are served. */
const names = {
  destination: 'mediapackage',
  channel: 'live',
  tsEndpoint: 'hls-ts',
  cmafEndpoint: 'cmaf',
  hlsManifest: 'index',
  lowLatencyHlsManifest: 'index-ll',
  dashManifest: 'dash',
};

/**
 * MediaPackage v2 packaging of one pipeline: a channel group, a channel with CMAF input (what a MediaLive MEDIAPACKAGE
 * output group sends), a channel policy that lets only the encoder role write, two origin endpoints (HLS with TS
 * segments; CMAF with HLS and DASH manifests), and a distribution that reaches them only through Origin Access Control.
 * @internal
 */
export class MediaPackageV2Packager implements Packager {

  /** The channel group: its egress domain is the CloudFront origin. */
  public readonly channelGroup: mediapackagev2.CfnChannelGroup;
  /** The channel MediaLive writes to. */
  public readonly channel: mediapackagev2.CfnChannel;
  /** HLS with TS segments. */
  public readonly tsEndpoint: mediapackagev2.CfnOriginEndpoint;
  /** CMAF segments with HLS and DASH manifests. */
  public readonly cmafEndpoint: mediapackagev2.CfnOriginEndpoint;
  /** The channel group name. */
  public readonly channelGroupName: string;
  public readonly destinations: medialive.CfnChannel.OutputDestinationProperty[];
  public readonly channelDependencies: IDependable[];
  public readonly originDomain: string;
  private readonly segmentLengthSeconds: number;
  private readonly scte35Passthrough: boolean;
  private readonly lowLatencyHls: boolean;
  /** The path below which every manifest and segment of the channel lives: `/out/v1/<group>/<channel>`. */
  private readonly basePath: string;

  constructor(scope: Construct, options: PackagerOptions, props: MediaPackageV2PackagingProps) {
    const startover = props.startoverWindow?.toSeconds();
    const window = (props.manifestWindow ?? Duration.seconds(60)).toSeconds();
    const adMarkers = props.adMarkers ?? (options.scte35Passthrough ? HlsAdMarkers.DATERANGE : HlsAdMarkers.NONE);
    validateWindows(startover, window, adMarkers, options.scte35Passthrough);
    const segment = options.segmentLengthSeconds;
    this.segmentLengthSeconds = segment;
    this.scte35Passthrough = options.scte35Passthrough;
    this.lowLatencyHls = props.lowLatencyHls ?? false;

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
      lowLatencyHlsManifests: this.lowLatencyHls ? [{ ...hlsManifest, manifestName: names.lowLatencyHlsManifest }] : undefined,
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

    this.basePath = `/out/v1/${this.channelGroupName}/${names.channel}`;
    this.destinations = [{ id: names.destination, mediaPackageSettings: [{ channelGroup: this.channelGroupName, channelName: names.channel }] }];
    this.channelDependencies = [this.channel];
    this.originDomain = this.channelGroup.attrEgressDomain;
  }

  public outputGroups(renditions: EncodedRenditions): medialive.CfnChannel.OutputGroupProperty[] {
    return [mediaPackageOutputGroup(renditions, {
      destination: { destinationRefId: names.destination },
      mediapackageV2GroupSettings: {
        segmentLength: this.segmentLengthSeconds,
        segmentLengthUnits: 'SECONDS',
        scte35Type: this.scte35Passthrough ? 'SCTE_35_WITHOUT_SEGMENTATION' : 'NONE',
      },
    })];
  }

  /**
   * The channel group's egress domain behind Origin Access Control; HLS (TS and CMAF), LL-HLS when asked, and DASH. On
   * an existing distribution the behaviors go under the channel's own path, `/out/v1/<group>/<channel>`.
   */
  public deliver(scope: Construct, options: DeliveryOptions): PackagerDelivery {
    const oac = new cloudfront.MediaPackageV2OriginAccessControl(scope, 'OriginAccessControl', {
      description: 'LiveOttPipeline: CloudFront signs its requests to MediaPackage v2',
    });
    const origin = new origins.HttpOrigin(this.originDomain, {
      ...liveOriginProps(options.segmentLengthSeconds),
      originAccessControlId: oac.originAccessControlId,
    });
    const front = liveFront(scope, options, {
      origin,
      comment: 'LiveOttPipeline: live HLS and DASH from MediaPackage v2',
      manifestPatterns: ['*.m3u8', '*.mpd'],
      manifestQueryStrings: this.lowLatencyHls ? [...manifestQueryStrings, ...lowLatencyQueryStrings] : manifestQueryStrings,
      pathPrefix: this.basePath,
    });
    this.allowDistribution(scope, Stack.of(scope).formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: front.distribution.distributionId }));
    return {
      distribution: front.distribution,
      playbackUrls: {
        hls: front.url(`/${names.tsEndpoint}/${names.hlsManifest}.m3u8`),
        cmafHls: front.url(`/${names.cmafEndpoint}/${names.hlsManifest}.m3u8`),
        lowLatencyHls: this.lowLatencyHls ? front.url(`/${names.cmafEndpoint}/${names.lowLatencyHlsManifest}.m3u8`) : undefined,
        dash: front.url(`/${names.cmafEndpoint}/${names.dashManifest}.mpd`),
      },
    };
  }

  /**
   * Lets exactly `distributionArn` read both endpoints through Origin Access Control (GetObject, and GetHeadObject for
   * HEAD requests): endpoint policies allow CloudFront's service principal only on that `AWS:SourceArn`.
   */
  private allowDistribution(scope: Construct, distributionArn: string): void {
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
