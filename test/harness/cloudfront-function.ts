/**
 * Runs a shipped CloudFront Function file (runtime `cloudfront-js-2.0`) in node the way CloudFront would.
 *
 * Documented facts enforced (AWS CloudFront Developer Guide: "JavaScript runtime 2.0 features for
 * CloudFront Functions", "CloudFront Functions event structure", "Restrictions on edge functions",
 * "Helper methods for key value stores", "Quotas"):
 * - function size is at most 10 KB (10,240 bytes);
 * - code runs in strict mode, with `handler(event)` as the entry point, sync or async;
 * - dynamic code evaluation is rejected: `eval()` and the `Function` constructor throw;
 * - no timers (`setTimeout`, `setInterval`, `setImmediate`, `clearTimeout`), no `process`, no file system,
 *   no network (`fetch`), no environment variables;
 * - `Date` returns the function's start time for the whole run, so elapsed time cannot be measured;
 * - globals: `console` (only `log`, comma syntax unsupported, logs truncated at 10 KB), `Buffer`, `atob`,
 *   `btoa`, `TextEncoder`, `TextDecoder`, and `require` for the built-in modules only;
 * - built-in modules: `crypto` (`createHash`/`createHmac` with md5, sha1 or sha256 and hex, base64 or
 *   base64url digests, a Buffer without encoding), `querystring`, `buffer`, and `cloudfront` whose
 *   `kvs()` handle offers async `get(key, { format })` (string, json, bytes; rejects a missing key),
 *   `exists(key)` and `meta()` (creationDateTime, lastUpdatedDateTime, keyCount); `kvs()` throws when no store is
 *   associated; the module may be loaded with the documented `import cf from 'cloudfront';` form;
 * - event shape: `version` 1.0, `context`, `viewer.ip`, `request` and `response` with lower-case header
 *   names, `{ value }` fields plus `multiValue` for duplicates, cookies kept out of `headers`, query string
 *   values passed through unchanged, disallowed headers never exposed;
 * - result: a request (same `method`, `uri` starting with `/`) or a response (integer `statusCode`) for
 *   viewer-request, a response for viewer-response; lower-case header names, string `value`s, body as text
 *   or `{ data, encoding: 'text' | 'base64' }`; disallowed headers cannot be added and read-only headers
 *   cannot be added or edited.
 *
 * Node `vm` is more permissive than the real runtime for language features (it offers every ES feature V8
 * has), so this checks logic and the documented API surface, not ES feature support. It is not a security
 * boundary either: host objects handed to the sandbox still lead back to node.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as querystring from 'querystring';
import * as vm from 'vm';

/** Largest function the CloudFront Functions quota allows, in bytes (10 KB). */
export const MAX_FUNCTION_SIZE_BYTES = 10_240;

/** CloudFront truncates function logs at 10 KB. */
const MAX_LOG_BYTES = 10_240;

const RUNTIME = 'cloudfront-js-2.0';
const HASH_ALGORITHMS = ['md5', 'sha1', 'sha256'];
const DIGEST_ENCODINGS = ['hex', 'base64', 'base64url'];
const DISALLOWED_HEADERS = [
  'connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'trailer', 'upgrade', 'x-accel-buffering', 'x-accel-charset', 'x-accel-limit-rate', 'x-accel-redirect',
  'x-amzn-auth', 'x-amzn-cf-billing', 'x-amzn-cf-id', 'x-amzn-cf-xff', 'x-amzn-errortype',
  'x-amzn-fle-profile', 'x-amzn-header-count', 'x-amzn-header-order', 'x-amzn-lambda-integration-tag',
  'x-amzn-requestid', 'x-cache', 'x-forwarded-proto', 'x-real-ip',
];
const DISALLOWED_HEADER_PREFIXES = ['x-amz-cf-', 'x-edge-'];
const READ_ONLY_REQUEST_HEADERS = ['content-length', 'host', 'transfer-encoding', 'via'];
const READ_ONLY_RESPONSE_HEADERS = ['warning', 'via'];

/** A query string, header or cookie field: its value, plus every value when the name was repeated. */
export interface CloudFrontField {
  /** The (first) value. */
  value: string;
  /** All values, present only when the name occurred more than once. */
  multiValue?: Array<{ value: string }>;
}

/** A cookie field; response cookies carry their `Set-Cookie` attributes. */
export interface CloudFrontCookie {
  /** The (first) value. */
  value: string;
  /** `Set-Cookie` attributes such as `Secure; Path=/`. */
  attributes?: string;
  /** All values, present only when the cookie name occurred more than once. */
  multiValue?: Array<{ value: string; attributes?: string }>;
}

/** Headers keyed by lower-case name. */
export type CloudFrontHeaders = Record<string, CloudFrontField>;

/** Query string parameters keyed by name. */
export type CloudFrontQuerystring = Record<string, CloudFrontField>;

/** Cookies keyed by name. */
export type CloudFrontCookies = Record<string, CloudFrontCookie>;

/** The viewer-to-CloudFront request. */
export interface CloudFrontRequest {
  /** HTTP method; read-only for the function. */
  method: string;
  /** Relative path of the requested object, starting with `/`. */
  uri: string;
  /** Parsed query string; empty object when there is none. */
  querystring: CloudFrontQuerystring;
  /** Request headers except `Cookie`. */
  headers: CloudFrontHeaders;
  /** Cookies from the `Cookie` headers. */
  cookies: CloudFrontCookies;
}

/** A response body replacing the one from the cache or origin. */
export interface CloudFrontResponseBody {
  /** Body content. */
  data: string;
  /** How `data` is encoded. */
  encoding: 'text' | 'base64';
}

/** The CloudFront-to-viewer response. */
export interface CloudFrontResponse {
  /** HTTP status code, an integer. */
  statusCode: number;
  /** HTTP status description; optional in a generated response. */
  statusDescription?: string;
  /** Response headers except `Set-Cookie`. */
  headers?: CloudFrontHeaders;
  /** Cookies from the `Set-Cookie` headers. */
  cookies?: CloudFrontCookies;
  /** Replacement body: plain text, or data with its encoding. */
  body?: string | CloudFrontResponseBody;
}

/** The event types a CloudFront Function can be associated with. */
export type CloudFrontEventType = 'viewer-request' | 'viewer-response';

/** Contextual information about the event. */
export interface CloudFrontFunctionContext {
  /** Domain name of the distribution, e.g. d111111abcdef8.cloudfront.net. */
  distributionDomainName?: string;
  /** ID of the distribution, e.g. EDFDVBD6EXAMPLE. */
  distributionId?: string;
  /** Which event the function runs for. */
  eventType: CloudFrontEventType;
  /** Uniquely identifies the request and its response. */
  requestId?: string;
}

/** The `event` object CloudFront passes to `handler`. */
export interface CloudFrontFunctionEvent {
  /** Event object version; currently 1.0. */
  version: '1.0';
  /** Contextual information. */
  context: CloudFrontFunctionContext;
  /** The viewer (client) that sent the request. */
  viewer: { ip: string };
  /** The viewer request. */
  request: CloudFrontRequest;
  /** The response, present in viewer-response events. */
  response?: CloudFrontResponse;
}

/** What a handler may return: the (modified) request or a response. */
export type CloudFrontFunctionResult = CloudFrontRequest | CloudFrontResponse;

/** Options for {@link loadCloudFrontFunction}. */
export interface LoadOptions {
  /** fixed invocation time (ms since epoch) or a function returning it; default Date.now() at each run */
  now?: number | (() => number);
  /** key-value store contents for require('cloudfront').kvs(); read at each call, so later changes are seen (see key-value-store.ts) */
  keyValueStore?: Record<string, string>;
}

/** A loaded CloudFront Function, ready to run on events. */
export interface CloudFrontFunction {
  /** Absolute path of the function file. */
  readonly path: string;
  /** Size of the function file in bytes. */
  readonly sizeBytes: number;
  /** console.log lines the function printed during the last run */
  readonly logs: string[];
  /** Runs the handler on an event; resolves to what the function returned (request or response object) */
  run(event: CloudFrontFunctionEvent): Promise<CloudFrontFunctionResult>;
}

/** Request fields shared by the event builders. */
export interface RequestEventInit {
  /** HTTP method; default GET. */
  method?: string;
  /** Request path, starting with `/`. */
  uri: string;
  /** Raw query string (leading `?` optional) or parameters by name. */
  querystring?: string | Record<string, string | string[]>;
  /** Headers by name, any case; `cookie` headers become cookies. */
  headers?: Record<string, string | string[]>;
  /** Cookies by name. */
  cookies?: Record<string, string>;
  /** Viewer IP address; default 198.51.100.11. */
  ip?: string;
  /** Request ID; omitted when not given, as the test console allows. */
  requestId?: string;
  /** Distribution domain name; omitted when not given. */
  distributionDomainName?: string;
  /** Distribution ID; omitted when not given. */
  distributionId?: string;
}

/** Fields for {@link viewerResponseEvent}: the request plus the response from the cache or origin. */
export interface ResponseEventInit extends RequestEventInit {
  /** Status code from the cache or origin. */
  statusCode: number;
  /** Status description from the cache or origin. */
  statusDescription?: string;
  /** Response headers by name, any case; `set-cookie` headers become cookies. */
  responseHeaders?: Record<string, string | string[]>;
}

/** True when a handler result is a response rather than a request. */
export function isCloudFrontResponse(result: CloudFrontFunctionResult): result is CloudFrontResponse {
  return typeof (result as CloudFrontResponse).statusCode === 'number';
}

/** Builds a viewer-request event shaped like the one CloudFront passes in production. */
export function viewerRequestEvent(init: RequestEventInit): CloudFrontFunctionEvent {
  return {
    version: '1.0',
    context: buildContext('viewer-request', init),
    viewer: { ip: init.ip ?? '198.51.100.11' },
    request: buildRequest(init),
  };
}

/** Builds a viewer-response event shaped like the one CloudFront passes in production. */
export function viewerResponseEvent(init: ResponseEventInit): CloudFrontFunctionEvent {
  const { headers, setCookies } = splitHeaders(init.responseHeaders ?? {}, 'set-cookie');
  const response: CloudFrontResponse = {
    statusCode: init.statusCode,
    ...(init.statusDescription !== undefined ? { statusDescription: init.statusDescription } : {}),
    headers,
    cookies: toFields(setCookies.map(parseSetCookie)),
  };
  return {
    version: '1.0',
    context: buildContext('viewer-response', init),
    viewer: { ip: init.ip ?? '198.51.100.11' },
    request: buildRequest(init),
    response,
  };
}

/** Loads and compiles a CloudFront Function file; throws if CloudFront would refuse it. */
export function loadCloudFrontFunction(filePath: string, options: LoadOptions = {}): CloudFrontFunction {
  const absolutePath = path.resolve(filePath);
  const bytes = fs.readFileSync(absolutePath);
  const sizeBytes = bytes.length;
  if (sizeBytes > MAX_FUNCTION_SIZE_BYTES) {
    throw new Error(
      `CloudFront Function ${absolutePath} is ${sizeBytes} bytes; ${RUNTIME} functions are limited to ${MAX_FUNCTION_SIZE_BYTES} bytes (10 KB)`,
    );
  }
  const script = compile(absolutePath, translateImports(absolutePath, bytes.toString('utf8')));

  const probe = createSandbox(options, startTimeOf(options), []);
  try {
    script.runInContext(probe);
  } catch (err) {
    throw new Error(`CloudFront Function ${absolutePath} threw while loading: ${describeError(err)}`);
  }
  if (vm.runInContext('typeof handler', probe) !== 'function') {
    throw new Error(`CloudFront Function ${absolutePath} defines no handler function; CloudFront calls handler(event)`);
  }

  let lastLogs: string[] = [];
  return {
    path: absolutePath,
    sizeBytes,
    get logs(): string[] {
      return [...lastLogs];
    },
    async run(event: CloudFrontFunctionEvent): Promise<CloudFrontFunctionResult> {
      const eventType = event.context.eventType;
      if (eventType !== 'viewer-request' && eventType !== 'viewer-response') {
        throw new Error(`unsupported event type ${String(eventType)}; expected viewer-request or viewer-response`);
      }
      const logs: string[] = [];
      lastLogs = logs;
      // A fresh context per run: a CloudFront invocation keeps no state across requests.
      const context = createSandbox(options, startTimeOf(options), logs);
      const parseInContext = vm.runInContext('JSON.parse', context) as (text: string) => unknown;
      let returned: unknown;
      try {
        script.runInContext(context);
        const handler = vm.runInContext('handler', context) as (event: unknown) => unknown;
        returned = await handler(parseInContext(JSON.stringify(event)));
      } catch (err) {
        throw new Error(`cloudfront function threw: ${describeError(err)}`);
      }
      return validateResult(absolutePath, event, returned);
    },
  };
}

function buildContext(eventType: CloudFrontEventType, init: RequestEventInit): CloudFrontFunctionContext {
  return {
    ...(init.distributionDomainName !== undefined ? { distributionDomainName: init.distributionDomainName } : {}),
    ...(init.distributionId !== undefined ? { distributionId: init.distributionId } : {}),
    eventType,
    ...(init.requestId !== undefined ? { requestId: init.requestId } : {}),
  };
}

function buildRequest(init: RequestEventInit): CloudFrontRequest {
  const { headers, setCookies: cookieHeaders } = splitHeaders(init.headers ?? {}, 'cookie');
  const cookiePairs = cookieHeaders.flatMap(parseCookieHeader);
  for (const [name, value] of Object.entries(init.cookies ?? {})) {
    cookiePairs.push({ name, value });
  }
  return {
    method: init.method ?? 'GET',
    uri: init.uri,
    querystring: buildQuerystring(init.querystring),
    headers,
    cookies: toFields(cookiePairs),
  };
}

function buildQuerystring(init: RequestEventInit['querystring']): CloudFrontQuerystring {
  if (init === undefined) {
    return {};
  }
  if (typeof init !== 'string') {
    return toFields(Object.entries(init).flatMap(([name, values]) => asArray(values).map((value) => ({ name, value }))));
  }
  // CloudFront passes query string values through unchanged, percent-encoding included.
  const pairs = init.replace(/^\?/, '').split('&').filter((part) => part.length > 0).map((part) => {
    const equals = part.indexOf('=');
    return equals < 0 ? { name: part, value: '' } : { name: part.slice(0, equals), value: part.slice(equals + 1) };
  });
  return toFields(pairs);
}

/** Lower-cases header names, drops headers CloudFront never exposes, and pulls out the cookie header. */
function splitHeaders(init: Record<string, string | string[]>, cookieHeader: string): { headers: CloudFrontHeaders; setCookies: string[] } {
  const pairs: Array<{ name: string; value: string }> = [];
  const setCookies: string[] = [];
  for (const [rawName, values] of Object.entries(init)) {
    const name = rawName.toLowerCase();
    if (name === cookieHeader) {
      setCookies.push(...asArray(values));
    } else if (!isDisallowedHeader(name)) {
      pairs.push(...asArray(values).map((value) => ({ name, value })));
    }
  }
  return { headers: toFields(pairs), setCookies };
}

function parseCookieHeader(header: string): Array<{ name: string; value: string }> {
  return header.split(';').map((part) => part.trim()).filter((part) => part.length > 0).map((part) => {
    const equals = part.indexOf('=');
    return equals < 0 ? { name: part, value: '' } : { name: part.slice(0, equals), value: part.slice(equals + 1) };
  });
}

function parseSetCookie(header: string): { name: string; value: string; attributes?: string } {
  const semicolon = header.indexOf(';');
  const pair = semicolon < 0 ? header : header.slice(0, semicolon);
  const attributes = semicolon < 0 ? '' : header.slice(semicolon + 1).trim();
  const equals = pair.indexOf('=');
  const name = (equals < 0 ? pair : pair.slice(0, equals)).trim();
  const value = equals < 0 ? '' : pair.slice(equals + 1).trim();
  return attributes.length > 0 ? { name, value, attributes } : { name, value };
}

/** Groups name/value pairs into `{ value }` fields, adding `multiValue` only for repeated names. */
function toFields<T extends { name: string; value: string }>(pairs: T[]): Record<string, CloudFrontCookie> {
  const grouped = new Map<string, Array<Omit<T, 'name'>>>();
  for (const { name, ...entry } of pairs) {
    grouped.set(name, [...(grouped.get(name) ?? []), entry]);
  }
  const fields: Record<string, CloudFrontCookie> = {};
  for (const [name, entries] of grouped) {
    fields[name] = entries.length > 1 ? { ...entries[0], multiValue: entries } : { ...entries[0] };
  }
  return fields;
}

function asArray(values: string | string[]): string[] {
  return typeof values === 'string' ? [values] : values;
}

function isDisallowedHeader(name: string): boolean {
  return DISALLOWED_HEADERS.includes(name) || DISALLOWED_HEADER_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** Rewrites the documented `import name from 'module';` form to `require`, and rejects module syntax CloudFront does not accept. */
function translateImports(filePath: string, source: string): string {
  if (/^\s*export\s/m.test(source) || /\bmodule\.exports\b/.test(source) || /\bexports\.[\w$]+\s*=/.test(source)) {
    throw new Error(`CloudFront Function ${filePath} uses export or module.exports; CloudFront calls a top-level handler function instead`);
  }
  const translated = source.replace(
    /^([ \t]*)import[ \t]+([A-Za-z_$][\w$]*)[ \t]+from[ \t]*(['"])([^'"\n]+)\3[ \t]*;?/gm,
    (_match, indent: string, name: string, _quote: string, moduleName: string) => `${indent}var ${name} = require(${JSON.stringify(moduleName)});`,
  );
  if (/^\s*import\b/m.test(translated) || /\bimport\s*\(/.test(translated)) {
    throw new Error(`CloudFront Function ${filePath} uses an import form other than \`import name from 'module';\``);
  }
  return translated;
}

function compile(filePath: string, source: string): vm.Script {
  try {
    // Prefixed on the first line so reported line numbers stay right; functions always run in strict mode.
    return new vm.Script(`'use strict';${source}`, { filename: filePath });
  } catch (err) {
    throw new Error(`CloudFront Function ${filePath} does not compile: ${describeError(err)}`);
  }
}

function startTimeOf(options: LoadOptions): number {
  if (typeof options.now === 'function') {
    return options.now();
  }
  return options.now ?? Date.now();
}

function createSandbox(options: LoadOptions, startTime: number, logs: string[]): vm.Context {
  let loggedBytes = 0;
  const sandbox = {
    console: {
      // Only the first argument is recorded: CloudFront Functions does not support console.log('a', 'b').
      log: (message?: unknown): void => {
        const line = String(message);
        const room = MAX_LOG_BYTES - loggedBytes;
        if (room <= 0) {
          return;
        }
        const kept = Buffer.byteLength(line) <= room ? line : Buffer.from(line).subarray(0, room).toString();
        loggedBytes += Buffer.byteLength(kept);
        logs.push(kept);
      },
    },
    Buffer,
    atob,
    btoa,
    TextEncoder,
    TextDecoder,
    require: (name: string): unknown => builtinModule(name, options),
  };
  const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false } });
  const install = vm.runInContext(FROZEN_DATE_SHIM, context) as (time: number) => void;
  install(startTime);
  return context;
}

/** Replaces the context's own Date so every query of the current time returns the run's start time. */
const FROZEN_DATE_SHIM = `(function (startTime) {
  'use strict';
  var RealDate = Date;
  function FrozenDate() {
    if (new.target === undefined) {
      return new RealDate(startTime).toString();
    }
    var args = arguments.length === 0 ? [startTime] : Array.prototype.slice.call(arguments);
    return Reflect.construct(RealDate, args, new.target);
  }
  Object.setPrototypeOf(FrozenDate, RealDate);
  FrozenDate.prototype = RealDate.prototype;
  Object.defineProperty(FrozenDate, 'name', { value: 'Date' });
  Object.defineProperty(FrozenDate, 'length', { value: 7 });
  Object.defineProperty(FrozenDate, 'now', { value: function now() { return startTime; }, writable: true, configurable: true });
  Object.defineProperty(RealDate.prototype, 'constructor', { value: FrozenDate, writable: true, configurable: true });
  globalThis.Date = FrozenDate;
})`;

function builtinModule(name: string, options: LoadOptions): unknown {
  switch (name) {
    case 'crypto':
      return {
        createHash: (algorithm: string) => digester(crypto.createHash(checkAlgorithm(algorithm))),
        createHmac: (algorithm: string, key: crypto.BinaryLike) => digester(crypto.createHmac(checkAlgorithm(algorithm), key)),
      };
    case 'querystring':
      return {
        escape: querystring.escape,
        unescape: querystring.unescape,
        parse: querystring.parse,
        decode: querystring.decode,
        stringify: querystring.stringify,
        encode: querystring.encode,
      };
    case 'buffer':
      return { Buffer };
    case 'cloudfront':
      return { kvs: () => keyValueStoreHandle(options.keyValueStore) };
    default:
      throw new Error(`module not available in ${RUNTIME}: ${name}`);
  }
}

function checkAlgorithm(algorithm: string): string {
  if (!HASH_ALGORITHMS.includes(algorithm)) {
    throw new Error(`crypto algorithm not available in ${RUNTIME}: ${algorithm} (use md5, sha1 or sha256)`);
  }
  return algorithm;
}

interface Digester {
  update(data: crypto.BinaryLike): Digester;
  digest(encoding?: string): string | Buffer;
}

function digester(hash: crypto.Hash | crypto.Hmac): Digester {
  const wrapper: Digester = {
    update: (data) => {
      hash.update(data);
      return wrapper;
    },
    digest: (encoding) => {
      if (encoding === undefined) {
        return hash.digest();
      }
      if (!DIGEST_ENCODINGS.includes(encoding)) {
        throw new Error(`digest encoding not available in ${RUNTIME}: ${encoding} (use hex, base64 or base64url)`);
      }
      return hash.digest(encoding as crypto.BinaryToTextEncoding);
    },
  };
  return wrapper;
}

function keyValueStoreHandle(store: Record<string, string> | undefined): unknown {
  if (store === undefined) {
    throw new Error('no key value store is associated with this function (pass keyValueStore in LoadOptions)');
  }
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(store, key);
  return {
    get: async (key: string, getOptions?: { format?: string }): Promise<unknown> => {
      if (!has(key)) {
        throw new Error(`key not found in key value store: ${key}`);
      }
      const value = store[key];
      const format = getOptions?.format ?? 'string';
      switch (format) {
        case 'string':
          return value;
        case 'json':
          return JSON.parse(value) as unknown;
        case 'bytes':
          return Buffer.from(value, 'utf8');
        default:
          throw new Error(`unsupported key value store format: ${format} (use string, json or bytes)`);
      }
    },
    exists: async (key: string): Promise<boolean> => has(key),
    meta: async (): Promise<{ creationDateTime: string; lastUpdatedDateTime: string; keyCount: number }> => ({
      creationDateTime: '2026-01-01T00:00:00.000Z', lastUpdatedDateTime: '2026-01-01T00:00:00.000Z', keyCount: Object.keys(store).length,
    }),
  };
}

function describeError(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const { name, message } = err as { name?: unknown; message: unknown };
    return typeof name === 'string' && name.length > 0 ? `${name}: ${String(message)}` : String(message);
  }
  return String(err);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the handler's return value the way CloudFront validates it, and returns it as plain JSON data. */
function validateResult(filePath: string, event: CloudFrontFunctionEvent, returned: unknown): CloudFrontFunctionResult {
  const eventType = event.context.eventType;
  const fail = (problems: string[]): never => {
    throw new Error(`invalid ${eventType} result from ${path.basename(filePath)}: ${problems.join('; ')}`);
  };
  if (returned === undefined) {
    fail(['handler returned undefined; it must return a request or response object']);
  }
  const result = JSON.parse(JSON.stringify(returned)) as unknown;
  if (!isRecord(result)) {
    return fail([`handler returned ${typeof returned}; it must return a request or response object`]);
  }
  const problems: string[] = [];
  const isResponse = 'statusCode' in result;
  if (eventType === 'viewer-response' && !isResponse) {
    problems.push('a viewer-response function must return a response object with a statusCode');
  } else if (isResponse) {
    checkResponse(result, event, problems);
  } else {
    checkRequest(result, event, problems);
  }
  if (problems.length > 0) {
    fail(problems);
  }
  return result as unknown as CloudFrontFunctionResult;
}

function checkRequest(result: Record<string, unknown>, event: CloudFrontFunctionEvent, problems: string[]): void {
  if (typeof result.uri !== 'string' || !result.uri.startsWith('/')) {
    problems.push(`request uri must be a string starting with "/" (got ${JSON.stringify(result.uri)})`);
  }
  if (result.method !== event.request.method) {
    problems.push(`request method is read-only (was ${event.request.method}, returned ${JSON.stringify(result.method)})`);
  }
  checkFields('querystring', result.querystring, false, problems);
  checkFields('headers', result.headers, true, problems);
  checkFields('cookies', result.cookies, false, problems);
  checkProtectedHeaders(result.headers, event.request.headers, READ_ONLY_REQUEST_HEADERS, problems);
}

function checkResponse(result: Record<string, unknown>, event: CloudFrontFunctionEvent, problems: string[]): void {
  if (typeof result.statusCode !== 'number' || !Number.isInteger(result.statusCode)) {
    problems.push(`statusCode must be an integer (got ${JSON.stringify(result.statusCode)})`);
  }
  if (result.statusDescription !== undefined && typeof result.statusDescription !== 'string') {
    problems.push('statusDescription must be a string');
  }
  checkFields('headers', result.headers, true, problems);
  checkFields('cookies', result.cookies, false, problems);
  checkBody(result.body, problems);
  if (event.context.eventType === 'viewer-response') {
    checkProtectedHeaders(result.headers, event.response?.headers ?? {}, READ_ONLY_RESPONSE_HEADERS, problems);
  } else {
    checkProtectedHeaders(result.headers, {}, [], problems);
  }
}

function checkFields(kind: string, fields: unknown, lowerCaseNames: boolean, problems: string[]): void {
  if (fields === undefined) {
    return;
  }
  if (!isRecord(fields)) {
    problems.push(`${kind} must be an object`);
    return;
  }
  for (const [name, field] of Object.entries(fields)) {
    if (lowerCaseNames && name !== name.toLowerCase()) {
      problems.push(`header name "${name}" must be lower-case`);
    }
    if (!isRecord(field) || typeof field.value !== 'string') {
      problems.push(`${kind} "${name}" must be an object with a string value (got ${JSON.stringify(field)})`);
      continue;
    }
    if (field.attributes !== undefined && typeof field.attributes !== 'string') {
      problems.push(`${kind} "${name}" attributes must be a string`);
    }
    if (field.multiValue !== undefined) {
      const entries = field.multiValue;
      if (!Array.isArray(entries) || !entries.every((entry) => isRecord(entry) && typeof entry.value === 'string')) {
        problems.push(`${kind} "${name}" multiValue must be an array of objects with a string value`);
      }
    }
  }
}

function checkProtectedHeaders(headers: unknown, original: CloudFrontHeaders, readOnly: string[], problems: string[]): void {
  if (!isRecord(headers)) {
    return;
  }
  for (const name of Object.keys(headers)) {
    if (isDisallowedHeader(name)) {
      problems.push(`header "${name}" is disallowed; functions cannot add it`);
    } else if (readOnly.includes(name) && JSON.stringify(headers[name]) !== JSON.stringify(original[name])) {
      problems.push(`header "${name}" is read-only; functions cannot add or change it`);
    }
  }
}

function checkBody(body: unknown, problems: string[]): void {
  if (body === undefined || typeof body === 'string') {
    return;
  }
  if (!isRecord(body) || typeof body.data !== 'string') {
    problems.push('body must be a string or an object with string data');
    return;
  }
  if (body.encoding !== 'text' && body.encoding !== 'base64') {
    problems.push(`body encoding must be text or base64 (got ${JSON.stringify(body.encoding)})`);
  } else if (body.encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(body.data)) {
    problems.push('body data is not valid base64');
  }
}
