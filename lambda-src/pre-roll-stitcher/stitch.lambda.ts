import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { readConfig, StitcherConfig } from './config';
import { StitchError } from './errors';
import { handleStitchRequest, internalErrorResponse, StitchHttpResponse, stitcherPath } from './http';
import { PlaylistLoader, Stitcher } from './stitcher';
import { HttpPlaylistLoader, playlistCache } from './upstream';
import { stitcherMetrics } from '../../src/pre-roll-stitcher/contract/protocol';

/** Reads the SecretString of a Secrets Manager secret; rejects when Secrets Manager does not answer with one. */
export type SecretReader = (secretArn: string) => Promise<string>;

/** Where a request's playlists come from: a loader bound to the request's deadline (epoch milliseconds). */
export interface RequestLoaders {
  forRequest(deadline: number): PlaylistLoader;
}

/** The parts of a Powertools Logger the handler uses. */
export type StitchLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** The parts of Powertools Metrics the handler uses. */
export type StitchMetrics = Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;

/** What the handler is built from; everything defaults to the deployed function's. */
export interface StitchHandlerOptions {
  /** @default - read from the environment */
  readonly config?: StitcherConfig;
  /** @default - HTTP, allow-listed and cached as the configuration says */
  readonly loader?: RequestLoaders;
  /** @default - Secrets Manager through an SDK client, loaded on first use */
  readonly secrets?: SecretReader;
  /** Milliseconds since the epoch. @default Date.now */
  readonly clock?: () => number;
  readonly logger?: StitchLogger;
  readonly metrics?: StitchMetrics;
}

/** The Lambda Function URL handler: one playlist request in, one playlist (or one-line error) out. */
export type StitchHandler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

/** How long a fetched signing secret is used before it is read again: picks up a rotated secret within five minutes. */
const secretRefreshMs = 5 * 60 * 1000;

/**
 * Builds the handler. Everything it builds lives across warm invocations: configuration, the playlist
 * cache, the secret. Each request gets a deadline below the function timeout for all its fetches.
 */
export function createStitchHandler(options: StitchHandlerOptions = {}): StitchHandler {
  const config = options.config ?? readConfig(process.env);
  const clock = options.clock ?? Date.now;
  const loader = options.loader ?? new HttpPlaylistLoader(
    { allowedOrigins: config.allowedOrigins, allowHttp: config.allowHttp },
    config.upstreamLimits,
    playlistCache(config.upstreamCacheBytes, config.upstreamCacheTtlMs),
    undefined,
    clock,
  );
  const readSecret = options.secrets ?? secretsManagerReader();
  const logger = options.logger ?? new Logger();
  const metrics = options.metrics ?? new Metrics({ namespace: stitcherMetrics.namespace });
  const stitcherOptions = {
    mode: config.mode,
    dateRangeMarkers: config.dateRangeMarkers,
    originPolicy: { allowedOrigins: config.allowedOrigins, allowHttp: config.allowHttp },
    adBytesPerRequest: config.upstreamLimits.maxBytes,
  };
  let secret: { value: string; fetchedAt: number } | undefined;

  const signingSecret = async (): Promise<string | undefined> => {
    const arn = config.signingSecretArn;
    if (!arn) return undefined;
    if (!secret || clock() - secret.fetchedAt > secretRefreshMs) {
      try {
        secret = { value: await readSecret(arn), fetchedAt: clock() };
      } catch (error) {
        throw StitchError.badGateway(`Secrets Manager did not return the signing secret ${arn}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
    return secret.value;
  };

  return async (event) => {
    const started = clock();
    const method = event.requestContext.http.method;
    let response: StitchHttpResponse;
    try {
      response = await handleStitchRequest(
        { method, path: stitcherPath(event.rawPath, config.pathPrefix), query: event.queryStringParameters ?? {} },
        {
          stitcher: new Stitcher(loader.forRequest(started + config.requestDeadlineMs), stitcherOptions),
          payloadLimits: config.payloadLimits,
          signingSecret,
          responseMaxAgeSeconds: config.responseMaxAgeSeconds,
        },
      );
    } catch (error) {
      logger.error('stitching failed unexpectedly', error as Error);
      response = internalErrorResponse();
    }
    record(logger, metrics, response, event.rawPath, clock() - started);
    return { statusCode: response.status, headers: response.headers, body: method === 'HEAD' ? '' : response.body };
  };
}

/** Lambda handler. */
export const handler: StitchHandler = createStitchHandler();

/** Reads secrets with the Secrets Manager SDK, loaded on first use: it adds ~70 ms to a cold start, and unsigned deployments never need it. */
function secretsManagerReader(): SecretReader {
  let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
  return async (secretArn) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    client ??= new sdk.SecretsManagerClient({});
    const response = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretArn }));
    if (!response.SecretString) throw new Error('the secret has no string value');
    return response.SecretString;
  };
}

function record(logger: StitchLogger, metrics: StitchMetrics, response: StitchHttpResponse, path: string, elapsedMs: number): void {
  if (response.status >= 500) {
    metrics.addMetric(stitcherMetrics.stitchErrors, MetricUnit.Count, 1);
    logger.error('upstream or stitching failure', { path, status: response.status, reason: response.body.trim(), elapsedMs });
  } else if (response.status >= 400) {
    metrics.addMetric(stitcherMetrics.clientErrors, MetricUnit.Count, 1);
    logger.warn('request refused', { path, status: response.status, reason: response.body.trim(), elapsedMs });
  } else {
    metrics.addMetric(stitcherMetrics.stitchedPlaylists, MetricUnit.Count, 1);
    logger.info('served', { path, status: response.status, skippedBreaks: response.skippedBreaks, elapsedMs });
  }
  for (const skipped of response.skippedBreaks) {
    logger.warn(`ad skipped: ${skipped.reason}`, { path, adUri: skipped.adUri, positionMs: skipped.positionMs, failed: skipped.failed });
  }
  if (response.skippedBreaks.length > 0) metrics.addMetric(stitcherMetrics.skippedBreaks, MetricUnit.Count, response.skippedBreaks.length);
  metrics.publishStoredMetrics();
}
