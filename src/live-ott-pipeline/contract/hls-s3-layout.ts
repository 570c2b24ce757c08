/**
 * Where and under which names MediaLive's HLS output group writes to S3, as the S3 packaging mode configures it:
 * the construct, its tests and the end-to-end encoder stand-in read the names from here. Free of aws-cdk-lib.
 *
 * MediaLive User Guide, "Design the path for the output destination" (HLS to Amazon S3): every file of a pipeline goes
 * to one folder; the main manifest is `<baseFilename>.m3u8`, a child manifest `<baseFilename><nameModifier>.m3u8`, a
 * segment `<baseFilename><nameModifier><segmentModifier>_<counter>.ts` (MediaLive inserts the underscore; the counter
 * has five digits from 00001 and grows past 99999). "Rules for most downstream systems" (redundant manifests): both
 * pipelines write to the same protocol/domain/path with different base filenames, and share the name modifiers.
 */

/** The pipelines of a STANDARD channel, in MediaLive's order (pipeline 0 writes to destination A). */
export const pipelineSuffixes = ['-a', '-b'] as const;

/**
 * Segment modifier of every output: `$dt$` is each HLS segment's UTC date and time (MediaLive User Guide, identifiers
 * for variable data), so a restarted channel, whose counter starts again at 00001, never rewrites a key CloudFront
 * still caches as a segment.
 */
export const segmentModifier = '_$dt$';

/** The key prefix as the layout uses it: empty, or path segments ending in '/'. */
export function layoutPrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** The base filename of pipeline `index` (0 or 1), e.g. `channel-a`. */
export function pipelineBaseFilename(baseFilename: string, index: number): string {
  const suffix = pipelineSuffixes[index];
  if (suffix === undefined) throw new Error(`a MediaLive channel has pipelines 0 and 1, got ${index}`);
  return `${baseFilename}${suffix}`;
}

/** The name modifier of the output that carries a rendition, e.g. `-video_1280x720_2700k`. */
export function renditionNameModifier(renditionName: string): string {
  return `-${renditionName}`;
}

/**
 * The key prefix every file of pipeline `index` starts with, e.g. `live/channel-a`: what the StalePlaylistGuard takes as
 * that pipeline (`LivePipeline.inBucketAtKeyPrefix`), and what the channel's role may write.
 */
export function destinationKeyPrefix(prefix: string, baseFilename: string, index: number): string {
  return `${layoutPrefix(prefix)}${pipelineBaseFilename(baseFilename, index)}`;
}

/** The key of pipeline `index`'s main (multivariant) manifest, e.g. `live/channel-a.m3u8`. */
export function mainManifestKey(prefix: string, baseFilename: string, index: number): string {
  return `${destinationKeyPrefix(prefix, baseFilename, index)}.m3u8`;
}

/** The key of pipeline `index`'s child (media) manifest of a rendition, e.g. `live/channel-a-video_1280x720_2700k.m3u8`. */
export function childManifestKey(prefix: string, baseFilename: string, index: number, renditionName: string): string {
  return `${destinationKeyPrefix(prefix, baseFilename, index)}${renditionNameModifier(renditionName)}.m3u8`;
}

/**
 * The key of a segment, `segmentTime` being the `$dt$` value (`YYYYMMDDTHHMMSS`), e.g.
 * `live/channel-a-video_1280x720_2700k_20261201T054000_00001.ts`.
 */
export function segmentKey(prefix: string, baseFilename: string, index: number, renditionName: string, segmentTime: string, counter: number): string {
  const modifier = segmentModifier.replace('$dt$', segmentTime);
  return `${destinationKeyPrefix(prefix, baseFilename, index)}${renditionNameModifier(renditionName)}${modifier}_${String(counter).padStart(5, '0')}.ts`;
}

/** The destination URL of pipeline `index`: `s3ssl://<bucket>/<prefix><base filename of the pipeline>`. */
export function destinationUrl(bucketName: string, prefix: string, baseFilename: string, index: number): string {
  return `s3ssl://${bucketName}/${destinationKeyPrefix(prefix, baseFilename, index)}`;
}
