import { MultivariantPlaylist, Rendition, Variant } from '../hls';
import { ContentRendition, renditionKey } from './renditions';
import { copyWith } from '../hls/copy';

/** How the rewritten multivariant playlist routes renditions back to the stitcher. */
export interface MultivariantRewrite {
  /** The URI a player requests for a rendition id (relative to the multivariant playlist's URL). */
  readonly routeTo: (renditionId: string) => string;
  /** Peak bandwidth of a stitched variant (content or ad, whichever is higher); undefined keeps the content's. */
  readonly peakBandwidth: (renditionId: string) => number | undefined;
  /** Keep I-frame variants (every ad has compatible I-frame renditions); dropped otherwise. */
  readonly offerIFrames: boolean;
}

/**
 * Rewrites a content multivariant playlist (absolute URIs) so that every variant, I-frame variant,
 * audio and subtitle rendition is served by the stitcher. Other attributes are kept as they are.
 */
export function rewriteMultivariant(
  master: MultivariantPlaylist, renditions: ContentRendition[], rewrite: MultivariantRewrite,
): MultivariantPlaylist {
  const idByKey = new Map(renditions.map((rendition) => [rendition.key, rendition.id]));
  const idOfVariant = new Map(renditions.filter((r) => r.variant).map((r) => [r.variant!, r.id]));
  const routeMedia = <R extends Rendition>(rendition: R): R => {
    const id = idByKey.get(renditionKey(rendition));
    return id && rendition.uri ? copyWith(rendition, { uri: rewrite.routeTo(id) } as Partial<R>) : rendition;
  };
  const variants = master.variants
    .filter((variant) => rewrite.offerIFrames || !variant.isIFrameOnly)
    .map((variant): Variant => {
      const id = idOfVariant.get(variant)!;
      return copyWith(variant, {
        uri: rewrite.routeTo(id),
        bandwidth: Math.max(variant.bandwidth, rewrite.peakBandwidth(id) ?? 0),
        audio: variant.audio.map(routeMedia),
        subtitles: variant.subtitles.map(routeMedia),
      });
    });
  return copyWith(master, { variants });
}
