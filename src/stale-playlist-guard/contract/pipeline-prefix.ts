/**
 * Which keys a pipeline owns: the one rule the construct (behaviors, IAM, notifications), the marker, the origin-mode
 * check and the edge function agree on. A pipeline owns every key that starts with its key prefix; the construct
 * writes the key prefix (normalised here) into the handlers' configuration and the edge function's code, and they
 * use it as written. Free of aws-cdk-lib.
 *
 * Two ways to name a pipeline: a folder (`pipeline-a` and `pipeline-a/` both mean the keys under `pipeline-a/`), or a
 * key prefix kept as written (`live/channel-a` owns `live/channel-a.m3u8` and `live/channel-a-720p.m3u8`, as
 * MediaLive's redundant HLS output names its two pipelines in one folder).
 */

/** How a pipeline's prefix is read. */
export type PipelinePrefixKind = 'folder' | 'key';

/** Characters allowed in a prefix: S3's safe key characters and `/` between path segments, never empty segments. */
const prefixPattern = /^[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*\/?$/;

/**
 * The key prefix a pipeline owns: for a folder, `''` (the bucket root) or the folder with a trailing `/`; for a key
 * prefix, the prefix as written (non-empty). Throws naming the bad value and what is accepted.
 */
export function pipelineKeyPrefix(prefix: string, kind: PipelinePrefixKind): string {
  if (kind === 'folder') {
    if (prefix === '' || prefix === '/') return '';
    if (!prefixPattern.test(prefix)) {
      throw new Error(`pipeline prefixes must be key prefixes like 'pipeline-a/' (letters, digits, !_.'()- and '/'), got '${prefix}'`);
    }
    return prefix.endsWith('/') ? prefix : `${prefix}/`;
  }
  if (!prefixPattern.test(prefix)) {
    throw new Error(`pipeline key prefixes must be non-empty key prefixes like 'live/channel-a' (letters, digits, !_.'()- and '/'), got '${prefix}'`);
  }
  return prefix;
}

/** True when the pipeline whose key prefix is `keyPrefix` owns `key`. */
export function ownsKey(keyPrefix: string, key: string): boolean {
  return key.startsWith(keyPrefix);
}

/**
 * The first two pipelines (indexes) where one's key prefix starts with the other's, or undefined. In one bucket such
 * pipelines both claim some keys, and S3 refuses overlapping notification filters, so the construct refuses them.
 */
export function overlappingPipelines(keyPrefixes: readonly string[]): [number, number] | undefined {
  for (let i = 0; i < keyPrefixes.length; i++) {
    for (let j = 0; j < keyPrefixes.length; j++) {
      if (i !== j && ownsKey(keyPrefixes[i], keyPrefixes[j])) return i < j ? [i, j] : [j, i];
    }
  }
  return undefined;
}
