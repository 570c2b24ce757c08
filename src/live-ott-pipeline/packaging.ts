import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HlsS3Packager } from './hls-s3-packager';
import { MediaPackageV1Packager } from './mediapackage-v1-packager';
import { MediaPackageV2Packager } from './mediapackage-v2-packager';
import type { Packager, PackagerOptions } from './packager';

/** How SCTE-35 ad breaks are marked in HLS playlists. */
export enum HlsAdMarkers {
  /** No ad markers (SCTE-35 still passes through in the segments when the encoder passes it). */
  NONE = 'NONE',
  /** `EXT-X-DATERANGE` tags, as HLS and MediaTailor expect. */
  DATERANGE = 'DATERANGE',
  /** `EXT-X-CUE-OUT`/`EXT-X-CUE-IN` with `EXT-OATCLS-SCTE35` (SCTE-35 enhanced). */
  SCTE35_ENHANCED = 'SCTE35_ENHANCED',
}

/** Properties of MediaPackage v2 packaging. */
export interface MediaPackageV2PackagingProps {
  /**
   * How long viewers can seek back (start-over), up to 14 days; MediaPackage keeps the content that long.
   * @default - no start-over window
   */
  readonly startoverWindow?: Duration;

  /**
   * The length of the live playlists and manifests (the DVR window players see), 30 seconds to 1 hour.
   * @default Duration.seconds(60)
   */
  readonly manifestWindow?: Duration;

  /**
   * How ad breaks are marked in HLS playlists (DASH manifests carry them as SCTE-35 XML events when this is not NONE).
   * @default - HlsAdMarkers.DATERANGE when the pipeline passes SCTE-35 through, else HlsAdMarkers.NONE
   */
  readonly adMarkers?: HlsAdMarkers;

  /**
   * Add a low-latency HLS (LL-HLS) manifest to the CMAF endpoint (`lowLatencyHlsPlaybackUrl`); CloudFront then keys
   * manifests on LL-HLS's `_HLS_msn` and `_HLS_part` blocking-reload parameters, as MediaPackage recommends.
   * @default false
   */
  readonly lowLatencyHls?: boolean;
}

/** Properties of HLS-to-S3 packaging. */
export interface HlsToS3PackagingProps {
  /**
   * The bucket MediaLive writes to (its name must not hold a dot). The packaging grants the channel's role what it
   * needs on the channel's files there, and the guard needs its bucket policy (an imported bucket's policy statements
   * are stack outputs for its owner to add). Expire old segments yourself: MediaLive leaves a stopped run's last ones.
   * @default - a new bucket: S3-managed encryption, public access blocked, TLS only, ACLs disabled; segments (objects
   * over 8 KiB under the prefix) expire a day after they were written, incomplete uploads after a day
   */
  readonly bucket?: s3.IBucket;

  /**
   * The folder both pipelines write to (MediaLive's redundant manifests need one folder with a base filename per pipeline).
   * @default 'live/'
   */
  readonly prefix?: string;

  /**
   * Base filename of the output: pipeline 0 writes `<prefix><baseFilename>-a.m3u8` (the playback URL's main manifest),
   * `<prefix><baseFilename>-a-<rendition>.m3u8` and its segments; pipeline 1 the same with `-b`.
   * @default 'channel'
   */
  readonly baseFilename?: string;

  /**
   * How much each child manifest lists (a sliding window of whole segments, at least three), up to one hour.
   * MediaLive keeps twice as many segments plus one in the bucket and deletes older ones.
   * @default Duration.seconds(60)
   */
  readonly playlistWindow?: Duration;

  /**
   * What happens to the bucket the packaging creates when the stack is deleted (not allowed with `bucket`).
   * @default RemovalPolicy.RETAIN
   */
  readonly bucketRemovalPolicy?: RemovalPolicy;

  /**
   * How many segment lengths without an update make a pipeline's child manifest stale (the guard's
   * `staleAfterTargetDurations`); the guard refuses a value that could flag a healthy pipeline.
   * @default - the guard's default: 3, or the smallest safe multiple for short segments
   */
  readonly staleAfterTargetDurations?: number;

  /**
   * Create the guard's alarms (a playlist the marker failed to mark; with two pipelines, a heartbeat the marker could
   * not write).
   * @default false
   */
  readonly alarms?: boolean;
}

/** An origin endpoint of MediaPackage v1 packaging. */
export enum MediaPackageV1Endpoint {
  /** HLS with TS segments (`hlsPlaybackUrl`). Always created: every pipeline serves HLS. */
  HLS = 'HLS',
  /** DASH (`dashPlaybackUrl`). */
  DASH = 'DASH',
  /**
   * CMAF segments with an HLS manifest. CloudFormation gives no URL for a v1 CMAF endpoint, so `cmafHlsPlaybackUrl`
   * stays undefined: the manifest is served by the distribution at the path of the endpoint's URL in MediaPackage.
   */
  CMAF = 'CMAF',
  /** Microsoft Smooth Streaming (`mssPlaybackUrl`). */
  MSS = 'MSS',
}

/** Properties of MediaPackage v1 packaging. */
export interface MediaPackageV1PackagingProps {
  /**
   * The origin endpoints to create; HLS must be among them.
   * @default - HLS, DASH and CMAF
   */
  readonly endpoints?: MediaPackageV1Endpoint[];

  /**
   * How long viewers can seek back (start-over), up to 14 days.
   * @default - no start-over window
   */
  readonly startoverWindow?: Duration;

  /**
   * The length of the live playlists and manifests (the DVR window players see), 30 seconds to 1 hour.
   * @default Duration.seconds(60)
   */
  readonly manifestWindow?: Duration;

  /**
   * How ad breaks are marked in HLS playlists (DASH manifests get a period per ad when this is not NONE).
   * @default - HlsAdMarkers.DATERANGE when the pipeline passes SCTE-35 through, else HlsAdMarkers.NONE
   */
  readonly adMarkers?: HlsAdMarkers;
}

/**
 * Where the channel's output is packaged for players, and how it reaches them. Every mode serves HLS; which other
 * formats a mode serves is said on its factory (the pipeline's URL attributes of the others are undefined).
 */
export class Packaging {
  /**
   * MediaPackage v2 behind CloudFront Origin Access Control (CMAF ingest; an HLS endpoint with TS segments and a CMAF
   * endpoint with HLS and DASH manifests, reachable only through the pipeline's distribution). The default.
   */
  public static mediaPackageV2(props: MediaPackageV2PackagingProps = {}): Packaging {
    return new Packaging('its MediaPackage channel', (scope, options) => new MediaPackageV2Packager(scope, options, props));
  }

  /**
   * HLS straight from MediaLive to S3, served by a {@link StalePlaylistGuard}: the cheapest live origin (no packager
   * billed by the hour). MediaLive's HLS output group writes TS segments and playlists of both pipelines (STANDARD,
   * with redundant manifests: each main manifest lists both pipelines' variants) or of one (SINGLE_PIPELINE) into one
   * folder; the guard takes each MediaLive pipeline's files (`<prefix><baseFilename>-a...`, `-b...`) as one of its
   * pipelines, so a pipeline's child manifests turn 404 at CloudFront once they stop updating while the other pipeline
   * runs, and players move to it (a lone pipeline is never failed over). HLS only: the pipeline's CMAF and DASH URLs
   * are undefined.
   */
  public static hlsToS3(props: HlsToS3PackagingProps = {}): Packaging {
    return new Packaging('its S3 output folder', (scope, options) => new HlsS3Packager(scope, options, props));
  }

  /**
   * MediaPackage v1, for parity with existing v1 workflows: a v1 channel (HLS ingest) with HLS, DASH, CMAF and MSS
   * endpoints to choose from. CloudFront proves itself with CDN authorization: a generated Secrets Manager secret that
   * MediaPackage reads through a role, and that CloudFront sends as the `X-MediaPackage-CDNIdentifier` origin header
   * (a dynamic reference in the template, resolved by CloudFormation). Prefer `mediaPackageV2()` for new pipelines.
   */
  public static mediaPackageV1(props: MediaPackageV1PackagingProps = {}): Packaging {
    return new Packaging('its MediaPackage channel', (scope, options) => new MediaPackageV1Packager(scope, options, props));
  }

  /** What the encoder writes to, for its role's description. @internal */
  public readonly _encoderTarget: string;
  private readonly packager: (scope: Construct, options: PackagerOptions) => Packager;

  // closed: only the factories above make one
  private constructor(encoderTarget: string, packager: (scope: Construct, options: PackagerOptions) => Packager) {
    this._encoderTarget = encoderTarget;
    this.packager = packager;
  }

  /** Validates the props and creates the packager's resources in `scope`. @internal */
  public _bind(scope: Construct, options: PackagerOptions): Packager {
    return this.packager(scope, options);
  }
}

