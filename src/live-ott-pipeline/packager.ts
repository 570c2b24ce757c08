import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as medialive from 'aws-cdk-lib/aws-medialive';
import type { IDependable, Construct } from 'constructs';
import type { EncodedRenditions } from './encoder-settings';
import type { ChannelClass } from './live-input';
import type { DistributionSettings } from '../shared/distribution-settings';
import type { StalePlaylistGuard } from '../stale-playlist-guard/stale-playlist-guard';

// The seam between the pipeline and a packaging mode: `Packaging` factories bind to a `Packager`. Not public API.

/** What a packaging mode needs from the pipeline when it binds. @internal */
export interface PackagerOptions {
  /** Segment length, whole seconds. */
  readonly segmentLengthSeconds: number;
  /** The role MediaLive writes with: the packager grants it exactly what writing to its destinations needs. */
  readonly encoderRole: iam.Role;
  /** Whether SCTE-35 reaches the packager. */
  readonly scte35Passthrough: boolean;
  /** One pipeline or two: a mode with per-pipeline destinations (S3) gives each its own. */
  readonly channelClass: ChannelClass;
}

/** The playback URLs of a pipeline: HLS in every mode, the others where the mode packages them. @internal */
export interface PlaybackUrls {
  /** HLS (TS segments where the mode offers them). */
  readonly hls: string;
  /** HLS with CMAF segments. */
  readonly cmafHls?: string;
  /** Low-latency HLS. */
  readonly lowLatencyHls?: string;
  /** DASH. */
  readonly dash?: string;
  /** Microsoft Smooth Streaming. */
  readonly mss?: string;
}

/** The CloudFront side of the pipeline: where the distribution comes from and how it is configured. @internal */
export interface DeliveryOptions {
  /** The distribution settings of the pipeline's props (a new distribution). */
  readonly settings: DistributionSettings;
  /** Put the behaviors on this distribution instead of creating one. */
  readonly existingDistribution?: cloudfront.Distribution;
  /** Segment length, whole seconds: manifest TTL and origin timeouts follow from it. */
  readonly segmentLengthSeconds: number;
}

/** What a packaging mode delivers to players. @internal */
export interface PackagerDelivery {
  /** The distribution serving the playlists and segments. */
  readonly distribution: cloudfront.IDistribution;
  /** Where players open the stream. */
  readonly playbackUrls: PlaybackUrls;
  /** The guard serving the output, in the S3 mode. */
  readonly stalePlaylistGuard?: StalePlaylistGuard;
}

/**
 * A packaging mode bound to one pipeline: what the MediaLive channel writes to (destinations and output groups, with
 * the encoder role already granted), and how the result reaches players.
 * @internal
 */
export interface Packager {
  /** The channel's `Destinations`. */
  readonly destinations: medialive.CfnChannel.OutputDestinationProperty[];
  /** Resources MediaLive checks when it creates the channel (its destinations): the channel is created after them. */
  readonly channelDependencies: IDependable[];
  /** The domain CloudFront fetches from (or the mode's front, where it puts one in between). */
  readonly originDomain: string;
  /** The `OutputGroups` of the channel's encoder settings, listing `renditions` as outputs. */
  outputGroups(renditions: EncodedRenditions): medialive.CfnChannel.OutputGroupProperty[];
  /** Builds (or joins) the distribution in `scope` and gives the playback URLs. Called once, after the channel exists. */
  deliver(scope: Construct, options: DeliveryOptions): PackagerDelivery;
}
