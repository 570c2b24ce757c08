import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bareEtag, ConditionalDeleteResult, PlaylistHead, PlaylistStore, playlistTypeMetadataKey } from './check';

/**
 * The {@link PlaylistStore} over S3. HeadObject answers 404 for a missing key only with s3:ListBucket on the
 * bucket (403 otherwise, which is thrown like any other error). Reads and deletes name the version by ETag
 * (`If-Match`), so a playlist the encoder re-uploaded meanwhile is neither read nor deleted.
 */
export class S3PlaylistStore implements PlaylistStore {
  constructor(private readonly s3: S3Client) {}

  /** HeadObject; undefined on 404. */
  public async head(bucket: string, key: string): Promise<PlaylistHead | undefined> {
    try {
      const response = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      if (!response.ETag || !response.LastModified) throw new Error(`HeadObject s3://${bucket}/${key} answered without ETag or Last-Modified`);
      return { etag: bareEtag(response.ETag), lastModified: response.LastModified, playlistType: response.Metadata?.[playlistTypeMetadataKey] };
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
}

function quotedEtag(etag: string): string {
  return `"${bareEtag(etag)}"`;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
