// PrefetchSessionInitializer stream-id redirect (cloudfront-js-2.0, viewer-request of the session-initializer behavior).
// GET or HEAD <prefix>/v1/master/... or <prefix>/v1/dash/... answers 302 to the same path without the prefix, with
// the query string kept and the stream id parameter set to a prefetch group drawn uniformly per request. A valid stream id the
// player already sent (a single one naming a group) is kept; any other is replaced. Everything else passes untouched.
// CONFIG is filled in at synth time by the construct from its contract (names and group count included).
const CONFIG = { prefix: '', paths: [], queryKey: '', streamIds: [] }; // PrefetchSessionInitializer:config

function valuesOf(field) {
  if (field.multiValue) return field.multiValue.map((entry) => entry.value);
  return [field.value];
}

// Math.random is arc4random in CloudFront Functions; the min() guards the (theoretical) value 1
function drawStreamId() {
  const count = CONFIG.streamIds.length;
  return CONFIG.streamIds[Math.min(count - 1, Math.floor(Math.random() * count))];
}

function redirectTarget(uri) {
  if (uri.indexOf(CONFIG.prefix) !== 0) return undefined;
  const target = uri.substring(CONFIG.prefix.length);
  for (let i = 0; i < CONFIG.paths.length; i++) {
    if (target.indexOf(CONFIG.paths[i]) === 0) return target;
  }
  return undefined;
}

function handler(event) {
  const request = event.request;
  if (request.method !== 'GET' && request.method !== 'HEAD') return request;
  const target = redirectTarget(request.uri);
  if (target === undefined) return request;

  // CloudFront hands over query values as received (still percent-encoded): written back unchanged
  const parts = [];
  let streamId;
  const query = request.querystring;
  for (const name in query) {
    const values = valuesOf(query[name]);
    if (name === CONFIG.queryKey) {
      if (values.length === 1 && CONFIG.streamIds.indexOf(values[0]) !== -1) streamId = values[0];
      continue;
    }
    for (let i = 0; i < values.length; i++) parts.push(name + '=' + values[i]);
  }
  parts.push(CONFIG.queryKey + '=' + (streamId === undefined ? drawStreamId() : streamId));

  return {
    statusCode: 302,
    statusDescription: 'Found',
    headers: {
      // relative: the player stays on the host (custom domain) and scheme it used
      location: { value: target + '?' + parts.join('&') },
      'cache-control': { value: 'no-store' },
      'access-control-allow-origin': { value: '*' },
    },
  };
}
