/**
 * Explicit session initialization on a player's behalf: the pure decisions (who may call, which path, which body,
 * which stream id, what the player gets back) around one injected call to MediaTailor.
 */
import { createHash, timingSafeEqual } from 'crypto';
import { maxSessionBodyBytes, mediaTailorAdsTimeoutMs, mediaTailorWaitMs } from '../../src/prefetch-session-initializer/contract/defaults';
import {
  explicitSessionPath, forwardedViewerHeaders, originSecretHeader, passedBackMediaTailorHeaders, sessionEnvironment,
  sessionInitializerPrefix, streamIdBodyKey,
} from '../../src/prefetch-session-initializer/contract/protocol';
import { chooseStreamId, isStreamId, maxActivePrefetchSchedules } from '../../src/prefetch-session-initializer/contract/stream-groups';

/** How the function is configured (from its environment). */
export interface SessionConfig {
  /** `https://manifests.mediatailor.<region>.amazonaws.com`, no trailing slash. */
  readonly mediaTailorEndpoint: string;
  /** The one playback configuration sessions are initialized for. */
  readonly playbackConfigurationName: string;
  /** Stream ids are `1` .. `groupCount`. */
  readonly groupCount: number;
  /** Largest accepted body, in bytes. */
  readonly maxBodyBytes: number;
  /** How long to wait for MediaTailor, in milliseconds. */
  readonly mediaTailorTimeoutMs: number;
}

/** Reads the configuration the construct wrote into the environment; throws naming a missing or bad variable. */
export function readSessionConfig(env: Record<string, string | undefined>): SessionConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  const integer = (name: string, fallback: number, minimum: number, maximum: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum || value > maximum) {
      throw new Error(`environment variable ${name} must be an integer from ${minimum} to ${maximum}, got '${text}'`);
    }
    return value;
  };
  return {
    mediaTailorEndpoint: required(sessionEnvironment.mediaTailorEndpoint).replace(/\/+$/, ''),
    playbackConfigurationName: required(sessionEnvironment.playbackConfigurationName),
    groupCount: integer(sessionEnvironment.groupCount, 1, 1, maxActivePrefetchSchedules),
    maxBodyBytes: integer(sessionEnvironment.maxBodyBytes, maxSessionBodyBytes.default, maxSessionBodyBytes.minimum, maxSessionBodyBytes.maximum),
    mediaTailorTimeoutMs: integer(sessionEnvironment.mediaTailorTimeoutMs, mediaTailorWaitMs(mediaTailorAdsTimeoutMs.default), 100, 60_000),
  };
}

/** The viewer's request as the Function URL hands it over. */
export interface SessionRequest {
  readonly method: string;
  /** Path as sent, starting with the session-initializer prefix. */
  readonly rawPath: string;
  /** Query string as sent, without `?`. */
  readonly rawQueryString: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

/** What the player gets back. */
export interface SessionAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The explicit session initialization sent to MediaTailor. */
export interface MediaTailorSessionRequest {
  readonly url: string;
  /** Lower-case header names. */
  readonly headers: Record<string, string>;
  /** The JSON body. */
  readonly body: string;
}

/** MediaTailor's answer. */
export interface MediaTailorSessionAnswer {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** MediaTailor did not answer in time. */
export class MediaTailorTimeoutError extends Error {}

/** MediaTailor could not be reached, or its answer could not be read. */
export class MediaTailorUnreachableError extends Error {}

/** The one call to MediaTailor; throws {@link MediaTailorTimeoutError} or {@link MediaTailorUnreachableError}. */
export interface MediaTailorSessionEndpoint {
  initialize(request: MediaTailorSessionRequest, timeoutMs: number): Promise<MediaTailorSessionAnswer>;
}

/** How a request ended, for logs and metrics. */
export type SessionOutcomeKind = 'initialized' | 'preflight' | 'refused' | 'mediatailor-error';

/** The answer and what happened. */
export interface SessionOutcome {
  readonly kind: SessionOutcomeKind;
  readonly answer: SessionAnswer;
  /** The stream id the session was given, when MediaTailor was asked. */
  readonly streamId?: string;
}

/** What {@link handleSessionRequest} works with. */
export interface SessionDependencies {
  readonly config: SessionConfig;
  readonly endpoint: MediaTailorSessionEndpoint;
  /** The value CloudFront sends in the origin secret header. */
  readonly originSecret: () => Promise<string>;
  /** A number in [0, 1). */
  readonly random: () => number;
}

const corsHeaders = { 'access-control-allow-origin': '*' };

function refuse(status: number, reason: string, extraHeaders: Record<string, string> = {}): SessionOutcome {
  return {
    kind: 'refused',
    answer: { status, headers: { ...corsHeaders, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extraHeaders }, body: `${reason}\n` },
  };
}

function mediaTailorFailure(status: number, reason: string, streamId: string): SessionOutcome {
  return { ...refuse(status, reason), kind: 'mediatailor-error', streamId };
}

/** Whether `presented` equals `expected`, in time independent of where they differ (both hashed to equal length first). */
export function secretMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || expected === '') return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * The MediaTailor path of a session-initializer request (`/v1/session/<account>/<configuration>/<asset>`), or why it
 * is not one for this configuration.
 */
export function mediaTailorSessionPath(rawPath: string, playbackConfigurationName: string): { path: string } | { problem: string } {
  const expected = `${sessionInitializerPrefix}${explicitSessionPath}<hashed account id>/${playbackConfigurationName}/<asset path>`;
  if (!rawPath.startsWith(`${sessionInitializerPrefix}${explicitSessionPath}`)) return { problem: `not a session initialization path: expected ${expected}` };
  const path = rawPath.slice(sessionInitializerPrefix.length);
  const segments = path.slice(explicitSessionPath.length).split('/');
  if (segments.length < 3 || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return { problem: `not a session initialization path: expected ${expected}` };
  }
  if (segments[1] !== playbackConfigurationName) {
    return { problem: `sessions are initialized here for playback configuration '${playbackConfigurationName}' only, got '${segments[1]}'` };
  }
  return { path };
}

/** The request body as a JSON object, or why it is not one. */
export function parseSessionBody(
  request: SessionRequest, maxBodyBytes: number,
): { body: Record<string, unknown> } | { status: number; problem: string } {
  const raw = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body, request.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.length > maxBodyBytes) return { status: 413, problem: `body is ${raw.length} bytes, more than the ${maxBodyBytes} accepted` };
  const text = raw.toString('utf8').trim();
  if (text === '') return { body: {} }; // a session with no parameters
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { status: 400, problem: `body is not valid JSON: ${(error as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { status: 400, problem: `body must be a JSON object of session parameters, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}` };
  }
  return { body: parsed as Record<string, unknown> };
}

/** Answers one request that reached the session function. */
export async function handleSessionRequest(request: SessionRequest, deps: SessionDependencies): Promise<SessionOutcome> {
  const { config } = deps;
  if (!secretMatches(request.headers[originSecretHeader], await deps.originSecret())) {
    return refuse(403, 'requests reach this function only through its CloudFront distribution');
  }
  if (request.method === 'OPTIONS') {
    return {
      kind: 'preflight',
      answer: {
        status: 204,
        headers: {
          ...corsHeaders,
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': request.headers['access-control-request-headers'] ?? 'content-type',
          'access-control-max-age': '86400',
        },
        body: '',
      },
    };
  }
  if (request.method !== 'POST') return refuse(405, `method ${request.method} not allowed: initialize a session with POST`, { allow: 'POST, OPTIONS' });
  const target = mediaTailorSessionPath(request.rawPath, config.playbackConfigurationName);
  if ('problem' in target) return refuse(404, target.problem);
  const parsed = parseSessionBody(request, config.maxBodyBytes);
  if ('problem' in parsed) return refuse(parsed.status, parsed.problem);

  const body = parsed.body;
  const sent = body[streamIdBodyKey];
  const streamId = isStreamId(sent, config.groupCount) ? sent : chooseStreamId(config.groupCount, deps.random());
  body[streamIdBodyKey] = streamId;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const name of forwardedViewerHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const query = request.rawQueryString ? `?${request.rawQueryString}` : '';
  let answer: MediaTailorSessionAnswer;
  try {
    answer = await deps.endpoint.initialize({ url: `${config.mediaTailorEndpoint}${target.path}${query}`, headers, body: JSON.stringify(body) }, config.mediaTailorTimeoutMs);
  } catch (error) {
    if (error instanceof MediaTailorTimeoutError) return mediaTailorFailure(504, `MediaTailor did not answer within ${config.mediaTailorTimeoutMs} ms`, streamId);
    return mediaTailorFailure(502, `MediaTailor could not be reached: ${(error as Error).message}`, streamId);
  }
  const passedBack: Record<string, string> = { ...corsHeaders };
  for (const name of passedBackMediaTailorHeaders) {
    if (answer.headers[name] !== undefined) passedBack[name] = answer.headers[name];
  }
  return {
    kind: answer.status >= 200 && answer.status < 300 ? 'initialized' : 'mediatailor-error',
    answer: { status: answer.status, headers: passedBack, body: answer.body },
    streamId,
  };
}
