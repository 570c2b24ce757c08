import { ArnFormat, CustomResource, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as medialive from 'aws-cdk-lib/aws-medialive';
import { Construct } from 'constructs';
import { stopOnDeleteMetrics, stopOnDeleteProperties, stopOnDeleteTiming } from './contract/stop-on-delete';
import { manifestTtlSeconds, originTimeouts } from './delivery';
import { encoderSettings } from './encoder-settings';
import { EncodingProfile } from './encoding-profile';
import { ChannelClass, LiveInput } from './live-input';
import { MediaPackageV2Packager } from './mediapackage-v2-packager';
import { Packaging } from './packaging';
import { StopOnDeleteFunction } from './stop-on-delete-function';
import { BundledHandler } from '../shared/bundled-handler';
import { cacheSettings } from '../shared/cache-settings';
import { CdnFront } from '../shared/cdn-front';
import { DistributionSettings } from '../shared/distribution-settings';
import { nagResourceName } from '../shared/nag-finding';

/** How much the channel logs to CloudWatch Logs (log group `ElementalMediaLive`). */
export enum ChannelLogLevel {
  /** Errors only. */
  ERROR = 'ERROR',
  /** Errors and warnings. */
  WARNING = 'WARNING',
  /** Errors, warnings and information. */
  INFO = 'INFO',
  /** Everything. */
  DEBUG = 'DEBUG',
  /** No encoder logs (the free as-run logs are still written). */
  DISABLED = 'DISABLED',
}

/** The codec of the source MediaLive ingests: part of the input specification MediaLive bills by. */
export enum SourceCodec {
  /** MPEG-2 video. */
  MPEG2 = 'MPEG2',
  /** H.264 / AVC. */
  AVC = 'AVC',
  /** H.265 / HEVC. */
  HEVC = 'HEVC',
}

/** Properties of a {@link LiveOttPipeline}. */
export interface LiveOttPipelineProps extends DistributionSettings {
  /** Where the video comes from. */
  readonly input: LiveInput;

  /**
   * Two redundant pipelines (STANDARD) or one (SINGLE_PIPELINE). The input must have one source per pipeline.
   * @default ChannelClass.SINGLE_PIPELINE - half the hourly price; use STANDARD in production
   */
  readonly channelClass?: ChannelClass;

  /**
   * The adaptive-bitrate ladder.
   * @default EncodingProfile.hd720p()
   */
  readonly encoding?: EncodingProfile;

  /**
   * The codec of the source (MediaLive bills the input by codec, resolution and bitrate).
   * @default SourceCodec.AVC
   */
  readonly sourceCodec?: SourceCodec;

  /**
   * Segment length, whole seconds from 1 to 30: MediaLive's CMAF segments and MediaPackage's segments. Closed GOPs
   * (2 s, or 1 s for odd lengths) divide it; CloudFront's manifest TTL and origin timeouts follow from it.
   * @default Duration.seconds(4)
   */
  readonly segmentLength?: Duration;

  /**
   * Pass SCTE-35 ad markers from the source through to the packager.
   * @default true
   */
  readonly scte35Passthrough?: boolean;

  /**
   * How the output is packaged.
   * @default Packaging.mediaPackageV2()
   */
  readonly packaging?: Packaging;

  /**
   * Encoder log level (CloudWatch Logs, log group `ElementalMediaLive`; billed by CloudWatch Logs).
   * @default ChannelLogLevel.ERROR
   */
  readonly logLevel?: ChannelLogLevel;
}

/** Segment lengths the pipeline accepts, in seconds. */
const segmentLengthLimits = { minimum: 1, maximum: 30, default: 4 };
/** How long CloudFront keeps segments: they never change once written. */
const segmentCacheTtl = Duration.days(1);
/** HTTP statuses whose answers CloudFront caches for one second only, so a recovered origin is seen at once. */
const briefErrorStatuses = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];
/** MediaPackage v2 manifest query parameters that select a different manifest (filters, start-over, time delay). */
const manifestQueryStrings = ['aws.manifestfilter', 'start', 'end', 'time_delay'];
/** Id of the channel's MediaPackage destination. */
const destinationId = 'mediapackage';

/**
 * A live OTT channel: AWS Elemental MediaLive encodes one input into an adaptive-bitrate ladder, MediaPackage v2
 * packages it as HLS (TS and CMAF) and DASH, and CloudFront serves it, reaching MediaPackage only through Origin
 * Access Control. The channel is created stopped; the construct stops it (and waits for IDLE) before CloudFormation
 * deletes it.
 */
export class LiveOttPipeline extends Construct {
  /** The MediaLive channel. */
  public readonly channel: medialive.CfnChannel;
  /** The channel's ARN. */
  public readonly channelArn: string;
  /** The channel's id (for `aws medialive start-channel --channel-id`). */
  public readonly channelId: string;
  /** The MediaLive input. */
  public readonly input: medialive.CfnInput;
  /**
   * Where a push encoder sends (one URL per pipeline, e.g. `rtmp://198.51.100.10:1935/live/main`); empty for pull,
   * file, MediaConnect, device and SRT caller inputs.
   */
  public readonly ingestEndpoints: string[];
  /** The role MediaLive works with. */
  public readonly channelRole: iam.IRole;
  /** The distribution serving the playlists and segments. */
  public readonly distribution: cloudfront.IDistribution;
  /** HLS playback URL, TS segments (the widest player support). */
  public readonly hlsPlaybackUrl: string;
  /** HLS playback URL, CMAF segments. */
  public readonly cmafHlsPlaybackUrl: string;
  /** DASH playback URL, CMAF segments. */
  public readonly dashPlaybackUrl: string;
  /** The MediaPackage v2 channel group's egress domain (reachable only by the distribution). */
  public readonly originDomain: string;

  constructor(scope: Construct, id: string, props: LiveOttPipelineProps) {
    super(scope, id);
    const channelClass = props.channelClass ?? ChannelClass.SINGLE_PIPELINE;
    const segmentLengthSeconds = validateSegmentLength(props.segmentLength);
    const encoding = props.encoding ?? EncodingProfile.hd720p();
    const scte35Passthrough = props.scte35Passthrough ?? true;

    const role = new iam.Role(this, 'ChannelRole', {
      assumedBy: new iam.ServicePrincipal('medialive.amazonaws.com'),
      description: 'LiveOttPipeline MediaLive channel: writes to its MediaPackage channel and its channel logs, reads its input',
    });
    // MediaLive always writes as-run logs and, with a log level, encoder logs to this group (MediaLive User Guide, working with logs)
    const channelLogs = Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: 'ElementalMediaLive:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const logsPolicy = new iam.Policy(this, 'ChannelLogsPolicy', {
      roles: [role],
      statements: [new iam.PolicyStatement({
        sid: 'WriteChannelLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [channelLogs],
      })],
    });
    // Validations.acknowledge refuses an id with a second '::', and the granular id of a partition-qualified ARN holds
    // '<AWS::Partition>': record the same acknowledgement metadata directly, for exactly this resource
    logsPolicy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      [`AwsSolutions-IAM5[Resource::${nagResourceName(this, channelLogs)}]`]:
        'MediaLive names its log streams after the channel ARN and pipeline inside its fixed ElementalMediaLive group: the streams of that group only',
    });
    this.channelRole = role;

    const boundInput = props.input._bind(this, channelClass, role);
    this.input = boundInput.input;
    this.ingestEndpoints = props.input.isPush ? [...Array(channelClass === ChannelClass.STANDARD ? 2 : 1).keys()]
      .map((index) => Fn.select(index, boundInput.input.attrDestinations)) : [];

    const packaging = props.packaging ?? Packaging.mediaPackageV2();
    const packager: MediaPackageV2Packager = packaging._bind(this, { segmentLengthSeconds, encoderRole: role, scte35Passthrough });
    this.originDomain = packager.channelGroup.attrEgressDomain;

    const source = encoding._sourceSpecification();
    this.channel = new medialive.CfnChannel(this, 'Channel', {
      channelClass,
      roleArn: role.roleArn,
      logLevel: props.logLevel ?? ChannelLogLevel.ERROR,
      inputSpecification: { codec: props.sourceCodec ?? SourceCodec.AVC, resolution: source.resolution, maximumBitrate: source.maximumBitrate },
      inputAttachments: [{
        inputId: boundInput.input.ref,
        inputAttachmentName: 'source',
        inputSettings: boundInput.sourceEndBehavior ? { sourceEndBehavior: boundInput.sourceEndBehavior } : undefined,
      }],
      destinations: [{ id: destinationId, mediaPackageSettings: [{ channelGroup: packager.channelGroupName, channelName: packager.channelName }] }],
      encoderSettings: encoderSettings(encoding, { segmentLengthSeconds, destinationId, scte35Passthrough }),
    });
    // MediaLive checks its destination and role when it creates the channel
    this.channel.node.addDependency(packager.channel, role);
    this.channelArn = this.channel.attrArn;
    this.channelId = this.channel.ref;

    this.stopOnDelete(role);

    const front = this.deliver(props, packager, segmentLengthSeconds);
    this.distribution = front.distribution;
    packager.allowDistribution(this, MediaPackageV2Packager.distributionArn(this, this.distribution.distributionId));
    this.hlsPlaybackUrl = `${front.urlBase}${packager.hlsTs.path}`;
    this.cmafHlsPlaybackUrl = `${front.urlBase}${packager.hlsCmaf.path}`;
    this.dashPlaybackUrl = `${front.urlBase}${packager.dash.path}`;
  }

  /** The custom resource that stops the channel before CloudFormation deletes it. */
  private stopOnDelete(channelRole: iam.Role): void {
    const handler = new BundledHandler(this, 'StopOnDelete', {
      functionClass: StopOnDeleteFunction,
      constructName: 'live-ott-pipeline',
      metricsNamespace: stopOnDeleteMetrics.namespace,
      roleDescription: 'LiveOttPipeline stop-on-delete: describes and stops its own MediaLive channel, nothing else',
      defaults: { memorySize: 256, timeout: Duration.seconds(stopOnDeleteTiming.functionTimeoutSeconds) },
      environment: {},
    });
    handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'StopTheChannel',
      actions: ['medialive:DescribeChannel', 'medialive:StopChannel'],
      resources: [this.channel.attrArn],
    }));
    const resource = new CustomResource(this, 'StopChannelOnDelete', {
      serviceToken: handler.function.functionArn,
      resourceType: 'Custom::MediaLiveChannelStopOnDelete',
      properties: { [stopOnDeleteProperties.channelId]: this.channel.ref },
    });
    // deleted before the channel (it references it) and before the function's permissions (it depends on them)
    resource.node.addDependency(handler.role, handler.function, channelRole);
  }

  /** The distribution: manifests cached about half a segment, segments a day, origin timeouts from the segment length. */
  private deliver(props: LiveOttPipelineProps, packager: MediaPackageV2Packager, segmentLengthSeconds: number): CdnFront {
    const oac = new cloudfront.MediaPackageV2OriginAccessControl(this, 'OriginAccessControl', {
      description: 'LiveOttPipeline: CloudFront signs its requests to MediaPackage v2',
    });
    const timeouts = originTimeouts(segmentLengthSeconds);
    const origin = new origins.HttpOrigin(packager.channelGroup.attrEgressDomain, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      originAccessControlId: oac.originAccessControlId,
      connectionTimeout: Duration.seconds(timeouts.connectionSeconds),
      readTimeout: Duration.seconds(timeouts.readSeconds),
      keepaliveTimeout: Duration.seconds(timeouts.keepaliveSeconds),
    });
    const manifests = cacheSettings(this, 'ManifestCachePolicy', {
      comment: 'LiveOttPipeline: live manifests change every segment, cached about half a segment',
      ttl: Duration.seconds(manifestTtlSeconds(segmentLengthSeconds)),
      queryStrings: manifestQueryStrings,
      compress: true,
    });
    const segments = cacheSettings(this, 'SegmentCachePolicy', {
      comment: 'LiveOttPipeline: segments never change once written',
      ttl: segmentCacheTtl,
    });
    const behavior = (cache: ReturnType<typeof cacheSettings>): cloudfront.BehaviorOptions => ({
      origin,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cache.cachePolicy,
      originRequestPolicy: cache.originRequestPolicy,
      compress: cache.compress,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
    });
    return new CdnFront(this, {
      ...props,
      comment: 'LiveOttPipeline: live HLS and DASH from MediaPackage v2',
      logFilePrefix: 'live-ott-pipeline/',
      defaultBehavior: behavior(segments),
      additionalBehaviors: { '*.m3u8': behavior(manifests), '*.mpd': behavior(manifests) },
      errorResponses: briefErrorStatuses.map((httpStatus) => ({ httpStatus, ttl: Duration.seconds(1) })),
    });
  }
}

function validateSegmentLength(segmentLength: Duration | undefined): number {
  if (segmentLength === undefined) return segmentLengthLimits.default;
  const seconds = segmentLength.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < segmentLengthLimits.minimum || seconds > segmentLengthLimits.maximum) {
    throw new Error(`segmentLength must be whole seconds from ${segmentLengthLimits.minimum} to ${segmentLengthLimits.maximum}, got ${segmentLength.toHumanString()}`);
  }
  return seconds;
}
