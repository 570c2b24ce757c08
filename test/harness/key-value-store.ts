/**
 * A CloudFront KeyValueStore stand-in: one store's contents, the loopback API the AWS SDK writes them through, and the
 * same contents read by a CloudFront Function run with {@link loadCloudFrontFunction}'s `keyValueStore` option (pass
 * `store.data`), so a write through the real SDK client is what the function reads next.
 *
 * Documented behaviour modelled (CloudFront API Reference, "Amazon CloudFront KeyValueStore": DescribeKeyValueStore,
 * PutKey; Developer Guide, "Helper methods for key value stores"):
 * - DescribeKeyValueStore (`GET /key-value-stores/<arn>`) answers the store's ETag (header) with ItemCount and
 *   TotalSizeInBytes;
 * - PutKey (`PUT /key-value-stores/<arn>/keys/<key>`, body `{ "Value": ... }`) needs `If-Match` with the current
 *   ETag, else 409 ConflictException; keys are 1 to 1,024 characters; a success answers the new ETag;
 * - any other path or ARN is 404 ResourceNotFoundException.
 * Not modelled: propagation delay to edge locations (a write is visible to the next function run), signatures
 * (the SDK signs with SigV4A; the stand-in records the Authorization header and does not verify it).
 */
import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { awsJsonError, FakeEndpoint, FakeResponse, RecordedRequest, startFakeEndpoint } from './fake-endpoint';

/** A running stand-in. */
export interface KeyValueStoreStandIn {
  /** The store's ARN, as the construct passes it to the marker. */
  readonly arn: string;
  /** The contents; hand to `loadCloudFrontFunction(file, { keyValueStore: data })`. */
  readonly data: Record<string, string>;
  /** Every API request received (writes and reads of the ETag). */
  readonly requests: RecordedRequest[];
  /** Successful PutKey calls so far. */
  readonly writes: number;
  /** An SDK client that reaches this stand-in (SigV4A signing with fixed test credentials); closed with the stand-in. */
  client(): CloudFrontKeyValueStoreClient;
  close(): Promise<void>;
}

/** Starts a stand-in for one store on a loopback port. */
export async function startKeyValueStore(arn = 'arn:aws:cloudfront::123456789012:key-value-store/0b2c1a7e-guard-heartbeats'): Promise<KeyValueStoreStandIn> {
  const data: Record<string, string> = {};
  let version = 1;
  let writes = 0;
  const etag = () => `KV${version}`;
  const answer = (request: RecordedRequest): FakeResponse => {
    const base = `/key-value-stores/${arn}`;
    const describe = { status: 200, headers: { etag: etag() }, body: { KvsARN: arn, Created: 1_700_000_000, ItemCount: Object.keys(data).length, TotalSizeInBytes: size(data), Status: 'READY' } };
    if (request.method === 'GET' && request.path === base) return describe;
    if (request.method === 'PUT' && request.path.startsWith(`${base}/keys/`)) {
      const key = request.path.slice(`${base}/keys/`.length);
      const value = (request.json as { Value?: unknown } | undefined)?.Value;
      if (key.length < 1 || key.length > 1024 || typeof value !== 'string') return awsJsonError(400, 'ValidationException', 'key must be 1 to 1024 characters and Value a string');
      if (request.headers['if-match'] !== etag()) return awsJsonError(409, 'ConflictException', 'Resource is not in expected state.');
      data[key] = value;
      version++;
      writes++;
      return { status: 200, headers: { etag: etag() }, body: { ItemCount: Object.keys(data).length, TotalSizeInBytes: size(data) } };
    }
    return awsJsonError(404, 'ResourceNotFoundException', `no key value store ${request.path}`);
  };
  const endpoint: FakeEndpoint = await startFakeEndpoint(answer);
  const clients: CloudFrontKeyValueStoreClient[] = [];
  return {
    arn,
    data,
    requests: endpoint.requests,
    get writes() {
      return writes;
    },
    client: () => {
      const client = new CloudFrontKeyValueStoreClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
        // the service's endpoint rules put the account in the host name; the auth scheme (SigV4A) still comes from them
        endpointProvider: () => ({ url: new URL(endpoint.url) }),
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      for (const client of clients) client.destroy();
      await endpoint.close();
    },
  };
}

function size(data: Record<string, string>): number {
  return Object.entries(data).reduce((total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}
