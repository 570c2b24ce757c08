import { Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { LiveOttPipeline } from '../live-ott-pipeline/live-ott-pipeline';
import { TimeShiftedViewing } from '../time-shifted-viewing/time-shifted-viewing';

/** What the front and the configuration need of a content source. */
export interface BoundContentSource {
  /** MediaTailor's `VideoContentSourceUrl`: where it reads origin manifests. */
  readonly videoContentSourceUrl: string;
  /** The distribution's origin for content segments. */
  readonly origin: cloudfront.IOrigin;
  /** Literal path prefix of the content (starts and ends with `/`): the CDN content segment prefix is `https://<front><path>`. */
  readonly path: string;
  /** The content behavior: content segments, from the origin. */
  readonly behavior?: (origin: cloudfront.IOrigin) => cloudfront.BehaviorOptions;
  /** Behaviors that must come before MediaTailor's own `v1/*` (content paths that start with `/v1/`). */
  readonly precedingBehaviors?: Record<string, cloudfront.BehaviorOptions>;
}

/**
 * The content MediaTailor inserts ads into, and the origin the distribution serves content segments from. Use the
 * static factories.
 */
export class ContentSource {
  /** A content origin by URL prefix (at most 512 characters), e.g. `https://origin.example.com/out/v1/`. */
  public static fromUrl(url: string): ContentSource {
    return new ContentSource((propName) => {
      validateContentUrl(propName, url);
      const parsed = new URL(url);
      const http = parsed.protocol === 'http:';
      const port = parsed.port ? Number(parsed.port) : undefined;
      return {
        videoContentSourceUrl: url,
        origin: new origins.HttpOrigin(parsed.hostname, {
          protocolPolicy: http ? cloudfront.OriginProtocolPolicy.HTTP_ONLY : cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          httpPort: http ? port : undefined,
          httpsPort: http ? undefined : port,
        }),
        path: parsed.pathname,
      };
    });
  }

  /**
   * A `LiveOttPipeline`, through its distribution: MediaTailor reads the pipeline's playlists from
   * `https://<pipeline distribution>/`, and content segments are served from there. A player appends the path of the
   * pipeline's playback URL (`hlsPlaybackUrl` without its host) to
   * `<sessionInitializerUrlBase>/v1/master/<account hash>/<configuration>`.
   */
  public static fromLiveOttPipeline(pipeline: LiveOttPipeline): ContentSource {
    return new ContentSource(() => {
      const domain = pipeline.distribution.distributionDomainName;
      return {
        videoContentSourceUrl: `https://${domain}/`,
        origin: new origins.HttpOrigin(domain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
        path: '/',
      };
    });
  }

  /**
   * The channel-assembly channel of a `TimeShiftedViewing`, through its distribution: MediaTailor reads the channel's
   * manifests from `playbackUrlBase` (cached there with the channel's time-shift cache keys), and content under
   * `/v1/channel/<name>/` is served from that distribution with the channel's segment cache policy.
   */
  public static fromTimeShiftedViewing(viewing: TimeShiftedViewing): ContentSource {
    return new ContentSource(() => {
      const domain = viewing.distribution.distributionDomainName;
      const origin = new origins.HttpOrigin(domain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY });
      const path = `/v1/channel/${viewing.channelName}/`;
      const segmentBehavior = (segmentOrigin: cloudfront.IOrigin) => viewing.cacheBehaviors.segmentBehavior(segmentOrigin);
      return {
        videoContentSourceUrl: `https://${domain}${path}`,
        origin,
        path,
        behavior: segmentBehavior,
        // the channel's path starts with /v1/, which is MediaTailor's: the channel's behavior must come first
        precedingBehaviors: { [`${path.slice(1)}*`]: segmentBehavior(origin) },
      };
    });
  }

  // closed: only the factories above make one
  private constructor(private readonly binder: (propName: string) => BoundContentSource) {}

  /** @internal */
  public _bind(propName: string): BoundContentSource {
    return this.binder(propName);
  }
}

/** Throws unless `url` is a literal http(s) URL prefix without query or fragment, at most 512 characters. */
export function validateContentUrl(propName: string, url: string): void {
  if (Token.isUnresolved(url)) throw new Error(`${propName} must be a literal URL: the distribution's content origin is derived from it`);
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(url)) throw new Error(`${propName} must be an http(s) URL without query or fragment, got '${url}'`);
  if (url.length > 512) throw new Error(`${propName} must be at most 512 characters, got ${url.length}`);
}
