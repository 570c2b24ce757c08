import { Token } from 'aws-cdk-lib';

// MediaLive reads pull and file sources from S3 with the channel role: `s3ssl://<bucket>/<key>` (MediaLive User Guide,
// MP4, TS file and HLS inputs; `s3://` is the same without TLS). Bucket names must not hold dots there.

/** The URL schemes MediaLive reads S3 objects through, the TLS one first (the one the construct writes). */
export const s3SourceSchemes = ['s3ssl:', 's3:'] as const;

/** A source in S3, by bucket name and key. */
export interface S3SourceLocation {
  readonly bucketName: string;
  readonly key: string;
}

/** The URL MediaLive reads `location` from. */
export function s3SourceUrl(location: S3SourceLocation): string {
  return `${s3SourceSchemes[0]}//${location.bucketName}/${location.key}`;
}

/** The bucket and key of an `s3ssl://` or `s3://` URL, or undefined for any other URL. */
export function parseS3SourceUrl(url: string): S3SourceLocation | undefined {
  const match = /^(s3ssl|s3):\/\/([^/]*)\/(.*)$/.exec(url);
  return match ? { bucketName: match[2], key: match[3] } : undefined;
}

/** Whether `url` names an S3 scheme MediaLive reads sources through (however well-formed the rest is). */
export function hasS3Scheme(url: string): boolean {
  return /^(s3ssl|s3):/i.test(url);
}

/**
 * Why MediaLive could not read `location` as a source whose key ends in one of `extensions`, or undefined when it can.
 * Unresolved tokens are not judged.
 */
export function s3SourceProblem(location: S3SourceLocation, extensions: readonly string[]): string | undefined {
  const { bucketName, key } = location;
  if (!Token.isUnresolved(bucketName)) {
    if (bucketName.includes('.')) return `the bucket name must not contain dots (MediaLive cannot read from such buckets), got '${bucketName}'`;
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucketName)) {
      return `the bucket name must be 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit, got '${bucketName}'`;
    }
  }
  if (Token.isUnresolved(key)) return undefined;
  if (key === '' || key.startsWith('/')) return `the key must be an object key without a leading slash, got '${key}'`;
  // the key becomes an IAM resource: a wildcard in it would grant more than the one object
  if (/[*?]/.test(key)) return `the key must not contain * or ? (the channel role is granted exactly the keys named), got '${key}'`;
  if (!extensions.some((extension) => key.toLowerCase().endsWith(extension))) {
    return `the key must end in ${extensions.join(' or ')}, got '${key}'`;
  }
  return undefined;
}

/**
 * The key pattern the channel role may read for a source: the object itself, or for an HLS playlist every object
 * under the playlist's folder (its variant playlists and segments are addressed relative to it).
 */
export function s3ReadPattern(key: string, withFolder: boolean): string {
  if (!withFolder) return key;
  const folderEnd = key.lastIndexOf('/');
  return `${folderEnd >= 0 ? key.slice(0, folderEnd + 1) : ''}*`;
}
