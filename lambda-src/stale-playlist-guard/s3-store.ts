import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, GetObjectCommandOutput, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bareEtag, ConditionalDeleteResult, PlaylistHead, PlaylistStore } from './check';
import { ConditionalCopyResult, MarkerStore, ObjectAttributes, PlaylistRange } from './mark';
import { playlistTypeMetadataName } from '../../src/stale-playlist-guard/contract/protocol';

/**
 * The {@link PlaylistStore} and {@link MarkerStore} over S3. HeadObject answers 404 for a missing key only with
 * s3:ListBucket on the bucket (403 otherwise, which is thrown like any other error). Reads, deletes and copies
 * name the version by ETag (`If-Match`, `x-amz-copy-source-if-match`), so a playlist the encoder re-uploaded
 * meanwhile is neither read, deleted nor overwritten.
 */
export class S3PlaylistStore implements PlaylistStore, MarkerStore {
  constructor(private readonly s3: S3Client) {}

  /** HeadObject; undefined on 404. */
  public async head(bucket: string, key: string): Promise<PlaylistHead | undefined> {
    try {
      const response = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      if (!response.ETag || !response.LastModified) throw new Error(`HeadObject s3://${bucket}/${key} answered without ETag or Last-Modified`);
      return { etag: bareEtag(response.ETag), lastModified: response.LastModified, playlistType: response.Metadata?.[playlistTypeMetadataName] };
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** GetObject with `If-Match`; undefined on 404 (gone) or 412 (another version now). */
  public async getText(bucket: string, key: string, etag: string): Promise<string | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: quotedEtag(etag) }));
      return await response.Body?.transformToString('utf-8') ?? '';
    } catch (error) {
      const status = httpStatus(error);
      if (status === 404 || status === 412) return undefined;
      throw error;
    }
  }

  /** DeleteObject with `If-Match`: 412 (another version) and 409 (a concurrent write) mean the encoder won the race. */
  public async deleteIfMatch(bucket: string, key: string, etag: string): Promise<ConditionalDeleteResult> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: quotedEtag(etag) }));
      return 'deleted';
    } catch (error) {
      const status = httpStatus(error);
      if (status === 412 || status === 409) return 'precondition-failed';
      if (status === 404) return 'gone';
      throw error;
    }
  }

  /** Ranged GetObject (`If-Match` when `etag` is given); undefined on 404 and 412; an empty object reads as ''. */
  public async readRange(bucket: string, key: string, start: number, end: number, etag?: string): Promise<PlaylistRange | undefined> {
    let response: GetObjectCommandOutput;
    try {
      response = await this.s3.send(new GetObjectCommand({
        Bucket: bucket, Key: key, Range: `bytes=${start}-${end}`, IfMatch: etag === undefined ? undefined : quotedEtag(etag),
      }));
    } catch (error) {
      const status = httpStatus(error);
      if (status === 404 || status === 412) return undefined;
      if (status === 416) return this.emptyObject(bucket, key, etag); // S3 refuses any range of an empty object
      throw error;
    }
    const text = await response.Body?.transformToString('utf-8') ?? '';
    if (!response.ETag) throw new Error(`GetObject s3://${bucket}/${key} answered without ETag`);
    const size = totalSize(response.ContentRange) ?? response.ContentLength ?? Buffer.byteLength(text);
    return { text, etag: response.ETag, size, attributes: attributesOf(response) };
  }

  /** CopyObject onto itself with MetadataDirective REPLACE and `x-amz-copy-source-if-match`; 412 and 409 mean a newer upload won. */
  public async copyInPlaceIfMatch(bucket: string, key: string, etag: string, attributes: ObjectAttributes): Promise<ConditionalCopyResult> {
    try {
      await this.s3.send(new CopyObjectCommand({
        Bucket: bucket,
        Key: key,
        CopySource: `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
        CopySourceIfMatch: quotedEtag(etag),
        MetadataDirective: 'REPLACE',
        Metadata: { ...attributes.metadata },
        ContentType: attributes.contentType,
        CacheControl: attributes.cacheControl,
        ContentEncoding: attributes.contentEncoding,
        ContentDisposition: attributes.contentDisposition,
        ContentLanguage: attributes.contentLanguage,
        Expires: attributes.expires,
      }));
      return 'copied';
    } catch (error) {
      const status = httpStatus(error);
      if (status === 412 || status === 409) return 'precondition-failed';
      if (status === 404) return 'gone';
      throw error;
    }
  }

  private async emptyObject(bucket: string, key: string, etag?: string): Promise<PlaylistRange | undefined> {
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag === undefined ? undefined : quotedEtag(etag) }))
      .catch((error: unknown) => {
        const status = httpStatus(error);
        if (status === 404 || status === 412) return undefined;
        throw error;
      });
    if (!head?.ETag) return undefined;
    return { text: '', etag: head.ETag, size: head.ContentLength ?? 0, attributes: attributesOf(head) };
  }
}

/** The whole object's size from `Content-Range: bytes 0-16383/52011`. */
function totalSize(contentRange: string | undefined): number | undefined {
  const total = /\/(\d+)$/.exec(contentRange ?? '');
  return total ? Number(total[1]) : undefined;
}

function attributesOf(response: {
  ContentType?: string;
  CacheControl?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  Expires?: Date;
  Metadata?: Record<string, string>;
}): ObjectAttributes {
  return {
    contentType: response.ContentType,
    cacheControl: response.CacheControl,
    contentEncoding: response.ContentEncoding,
    contentDisposition: response.ContentDisposition,
    contentLanguage: response.ContentLanguage,
    expires: response.Expires,
    metadata: { ...response.Metadata },
  };
}

function quotedEtag(etag: string): string {
  return `"${bareEtag(etag)}"`;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
