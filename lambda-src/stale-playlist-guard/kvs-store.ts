// the KeyValueStore API signs with SigV4A; this registers the pure-JS signer with the SDK
import '@aws-sdk/signature-v4a';
import { CloudFrontKeyValueStoreClient, DescribeKeyValueStoreCommand, PutKeyCommand } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { HeartbeatStore } from './heartbeat';

/**
 * The {@link HeartbeatStore} over a CloudFront KeyValueStore. Every write names the store's current version (`If-Match`,
 * its ETag): the ETag of this instance's last write is reused, and only when another writer changed the store since
 * (409 or 412) is it read again (DescribeKeyValueStore) and the write repeated once.
 */
export class KeyValueStoreHeartbeats implements HeartbeatStore {
  private etag?: string;

  constructor(private readonly client: CloudFrontKeyValueStoreClient, private readonly kvsArn: string) {}

  public async put(key: string, value: string): Promise<void> {
    this.etag ??= await this.currentEtag();
    try {
      this.etag = await this.putIfMatch(key, value, this.etag);
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      this.etag = undefined;
      if (status !== 409 && status !== 412) throw error;
      this.etag = await this.putIfMatch(key, value, await this.currentEtag());
    }
  }

  private async putIfMatch(key: string, value: string, etag: string): Promise<string | undefined> {
    const response = await this.client.send(new PutKeyCommand({ KvsARN: this.kvsArn, Key: key, Value: value, IfMatch: etag }));
    return response.ETag;
  }

  private async currentEtag(): Promise<string> {
    const response = await this.client.send(new DescribeKeyValueStoreCommand({ KvsARN: this.kvsArn }));
    if (!response.ETag) throw new Error(`DescribeKeyValueStore ${this.kvsArn} answered without an ETag`);
    return response.ETag;
  }
}
