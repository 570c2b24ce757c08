import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MediaPackageV2Packager, PackagerOptions } from './mediapackage-v2-packager';

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
}

/**
 * Where the channel's output is packaged for players. Today: MediaPackage v2 (CMAF ingest, an HLS endpoint with
 * TS segments and a CMAF endpoint with HLS and DASH manifests, reachable only through the construct's distribution).
 */
export class Packaging {
  /** MediaPackage v2 behind CloudFront Origin Access Control. The default. */
  public static mediaPackageV2(props: MediaPackageV2PackagingProps = {}): Packaging {
    return new Packaging(props);
  }

  // closed: only the factories above make one
  private constructor(private readonly props: MediaPackageV2PackagingProps) {}

  /** Validates the props and creates the packager in `scope`. @internal */
  public _bind(scope: Construct, options: PackagerOptions): MediaPackageV2Packager {
    return new MediaPackageV2Packager(scope, options, this.props);
  }
}

