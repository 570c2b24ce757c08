import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as medialive from 'aws-cdk-lib/aws-medialive';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IDependable } from 'constructs';
import { destinationKeyPrefix, destinationUrl, mainManifestKey } from './contract/hls-s3-layout';
import type { EncodedRenditions } from './encoder-settings';
import { hlsS3OutputGroup } from './hls-s3-output-group';
import { ChannelClass } from './live-input';
import type { DeliveryOptions, Packager, PackagerDelivery, PackagerOptions } from './packager';
import type { HlsToS3PackagingProps } from './packaging';
import { acknowledgeNagFinding, nagResourceName } from '../shared/nag-finding';
import { pipelineKeyPrefix } from '../stale-playlist-guard/contract/pipeline-prefix';
import { LivePipeline, StaleDetection, StalePlaylistGuard } from '../stale-playlist-guard/stale-playlist-guard';

/** Defaults and limits of the S3 packaging props. */
const defaults = { prefix: 'live/', baseFilename: 'channel', playlistWindowSeconds: 60 };
const limits = { playlistWindowSeconds: { maximum: 3600 }, minimumPlaylistSegments: 3, baseFilenameLength: 40 };
/** Id of the channel's S3 destination. */
const destinationId = 's3';
/**
 * Objects larger than this are segments: one second of the smallest AAC bitrate the ladder allows (64 kbit/s CBR) is
 * already 8000 bytes before TS packetisation and video, while a main manifest (at most 10 renditions x 2 pipelines of
 * about 200 bytes) stays far below it.
 */
const segmentSizeFloorBytes = 8192;
/** How long a segment outlives its writing: S3 lifecycle counts whole days, and no playlist window exceeds an hour. */
const segmentExpiration = Duration.days(1);

/**
 * The S3 packaging mode bound to a pipeline: MediaLive's HLS output group writes both pipelines (or one) into one
 * folder of a bucket under MediaLive's own names, and a {@link StalePlaylistGuard} (edge detection) serves that folder
 * with one guard pipeline per MediaLive pipeline (the key prefix `<prefix><baseFilename>-a` or `-b`), answering 404
 * for a pipeline's child manifests once they stop updating while the other pipeline runs, so players move to it.
 * @internal
 */
export class HlsS3Packager implements Packager {
  public readonly destinations: medialive.CfnChannel.OutputDestinationProperty[];
  public readonly channelDependencies: IDependable[];
  public readonly originDomain: string;
  /** The bucket MediaLive writes to. */
  public readonly bucket: s3.IBucket;
  private readonly prefix: string;
  private readonly baseFilename: string;
  private readonly playlistSegments: number;
  private readonly redundant: boolean;
  /** MediaLive's pipelines, in its order: 0 and 1 (STANDARD) or 0 (SINGLE_PIPELINE). */
  private readonly pipelines: number[];

  constructor(scope: Construct, private readonly options: PackagerOptions, private readonly props: HlsToS3PackagingProps) {
    this.prefix = validatePrefix(props.prefix ?? defaults.prefix);
    this.baseFilename = validateBaseFilename(props.baseFilename ?? defaults.baseFilename);
    const windowSeconds = (props.playlistWindow ?? Duration.seconds(defaults.playlistWindowSeconds)).toSeconds();
    this.playlistSegments = playlistSegments(windowSeconds, options.segmentLengthSeconds);
    this.redundant = options.channelClass === ChannelClass.STANDARD;
    if (props.bucket && props.bucketRemovalPolicy !== undefined) {
      throw new Error('packaging: bucketRemovalPolicy applies to the bucket the packaging creates; a bucket you bring keeps its own, so leave one of them out');
    }
    if (props.bucket && !Token.isUnresolved(props.bucket.bucketName) && props.bucket.bucketName.includes('.')) {
      throw new Error(`packaging: MediaLive cannot write to a bucket whose name holds a dot, got '${props.bucket.bucketName}'`);
    }
    this.bucket = props.bucket ?? createBucket(scope, this.prefix, props.bucketRemovalPolicy ?? RemovalPolicy.RETAIN);
    this.originDomain = this.bucket.bucketRegionalDomainName;

    this.pipelines = this.redundant ? [0, 1] : [0];
    this.destinations = [{
      id: destinationId,
      settings: this.pipelines.map((index) => ({ url: destinationUrl(this.bucket.bucketName, this.prefix, this.baseFilename, index) })),
    }];
    this.channelDependencies = this.grantEncoder(scope);
  }

  public outputGroups(renditions: EncodedRenditions): medialive.CfnChannel.OutputGroupProperty[] {
    return [hlsS3OutputGroup(renditions, {
      destinationId,
      segmentLengthSeconds: this.options.segmentLengthSeconds,
      playlistSegments: this.playlistSegments,
      redundant: this.redundant,
      scte35Passthrough: this.options.scte35Passthrough,
    })];
  }

  public deliver(scope: Construct, options: DeliveryOptions): PackagerDelivery {
    if (options.existingDistribution) {
      throw new Error('packaging: the S3 mode serves through its StalePlaylistGuard\'s own distribution, so it cannot join an existing distribution');
    }
    const guard = new StalePlaylistGuard(scope, 'StalePlaylistGuard', {
      ...options.settings,
      targetDuration: Duration.seconds(options.segmentLengthSeconds),
      // one guard pipeline per MediaLive pipeline: its files share one folder, told apart by the base filename
      pipelines: this.pipelines.map((index) =>
        LivePipeline.inBucketAtKeyPrefix(this.bucket, destinationKeyPrefix(this.prefix, this.baseFilename, index))),
      detection: StaleDetection.EDGE,
      staleAfterTargetDurations: this.props.staleAfterTargetDurations,
      alarms: this.props.alarms,
    });
    return {
      distribution: guard.distribution,
      playbackUrls: { hls: `${guard.playbackUrlBase}/${mainManifestKey(this.prefix, this.baseFilename, 0)}` },
      stalePlaylistGuard: guard,
    };
  }

  /**
   * What MediaLive needs to write an HLS output group to S3 (MediaLive User Guide, reference: summary of requirements
   * for the trusted entity, Amazon S3: ListBucket, PutObject, GetObject, DeleteObject), on this channel's files only:
   * the keys starting with a pipeline's base filename in the folder. Deleting is limited to segments (live mode keeps
   * `keepSegments` of them and deletes older ones); no playlist can be deleted, since the guard judges them in place.
   */
  private grantEncoder(scope: Construct): IDependable[] {
    const role = this.options.encoderRole;
    const keyPrefixes = this.pipelines.map((index) => destinationKeyPrefix(this.prefix, this.baseFilename, index));
    const files = keyPrefixes.map((keyPrefix) => this.bucket.arnForObjects(`${keyPrefix}*`));
    const segments = keyPrefixes.map((keyPrefix) => this.bucket.arnForObjects(`${keyPrefix}*.ts`));
    const policy = new iam.Policy(scope, 'ChannelOutputPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'WriteTheChannelOutput', actions: ['s3:PutObject', 's3:GetObject'], resources: files }),
        new iam.PolicyStatement({ sid: 'DeleteOldSegments', actions: ['s3:DeleteObject'], resources: segments }),
        new iam.PolicyStatement({
          sid: 'ListTheChannelOutput',
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': keyPrefixes.map((keyPrefix) => `${keyPrefix}*`) } },
        }),
      ],
    });
    const reason = 'MediaLive names the files of an HLS output after the pipeline\'s base filename with per-rendition and per-segment suffixes: this channel\'s files only';
    for (const resource of [...files, ...segments]) {
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceName(scope, resource)}]`, reason);
    }
    return [policy];
  }
}

/** The bucket of the S3 mode when you bring none. */
function createBucket(scope: Construct, prefix: string, removalPolicy: RemovalPolicy): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'OutputBucket', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy,
    lifecycleRules: [
      { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      // segments MediaLive left behind (a stopped channel, a restart) expire; a main manifest, written once when the
      // channel starts, is never expired under a channel that runs for weeks
      { id: 'ExpireOldSegments', prefix: prefix || undefined, objectSizeGreaterThan: segmentSizeFloorBytes, expiration: segmentExpiration },
    ],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'a live origin takes thousands of writes a minute from the encoder; CloudFront access logs (accessLogBucket) record viewer access',
  });
  return bucket;
}

/** The folder as the guard reads a folder (one rule for what a prefix may hold), or an error naming the prop. */
function validatePrefix(prefix: string): string {
  try {
    return pipelineKeyPrefix(prefix, 'folder');
  } catch {
    throw new Error(`packaging: prefix must be a key prefix like 'live/' (letters, digits, !_.'()- and '/'), got '${prefix}'`);
  }
}

function validateBaseFilename(baseFilename: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(baseFilename) || baseFilename.length > limits.baseFilenameLength) {
    throw new Error(`packaging: baseFilename must be 1 to ${limits.baseFilenameLength} letters, digits, '-' or '_' (no folders, no $ variables), got '${baseFilename}'`);
  }
  return baseFilename;
}

/** Segments a child manifest lists for a window: at least three (RFC 8216 §6.2.2: a live playlist spans 3 target durations). */
function playlistSegments(windowSeconds: number, segmentLengthSeconds: number): number {
  const minimum = limits.minimumPlaylistSegments * segmentLengthSeconds;
  if (!Number.isFinite(windowSeconds) || windowSeconds < minimum || windowSeconds > limits.playlistWindowSeconds.maximum) {
    throw new Error(`packaging: playlistWindow must be ${minimum} s (three segments) to ${limits.playlistWindowSeconds.maximum} s, got ${windowSeconds} s`);
  }
  return Math.ceil(windowSeconds / segmentLengthSeconds);
}
