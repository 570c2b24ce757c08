/*
 * Runs the shipped stitcher bundle on the worst accepted input served by `origin` (the parent test's
 * loopback server, see memory-bound.test.ts), in a process whose heap is limited as the function's would be
 * (the parent passes --max-old-space-size). Prints one JSON line: each answer's status and first line, the
 * peak heap sampled and the peak RSS. argv: bundle path, origin, max playlist bytes, max breaks.
 */
const [bundlePath, origin, maxBytesText, maxBreaksText] = process.argv.slice(2);
const maxBytes = Number(maxBytesText);
const maxBreaks = Number(maxBreaksText);

(async () => {
  process.env.STITCHER_ALLOWED_ORIGINS = new URL(origin).host;
  process.env.STITCHER_ALLOW_HTTP = 'true';
  process.env.STITCHER_MAX_UPSTREAM_BYTES = String(maxBytes);
  process.env.STITCHER_MAX_BREAKS = String(maxBreaks);
  process.env.STITCHER_MAX_PAYLOAD_LENGTH = '65536';
  // memory is what this run measures: no timeout may cut a request short on a slow machine
  process.env.STITCHER_UPSTREAM_TIMEOUT_MS = '120000';
  process.env.STITCHER_REQUEST_DEADLINE_MS = '600000';
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const { handler } = require(bundlePath);

  let peakHeap = 0;
  const sample = () => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); };
  const sampler = setInterval(sample, 1);
  const answers = [];
  const ask = async (name, path, payload, query = {}) => {
    const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const event = {
      rawPath: path,
      rawQueryString: '',
      queryStringParameters: { payload: encoded, ...query },
      headers: {},
      requestContext: { http: { method: 'GET', path } },
    };
    const result = await handler(event);
    sample();
    answers.push({ name, status: result.statusCode, firstLine: result.body.split('\n')[0].slice(0, 200), length: result.body.length });
  };
  const everyAd = Array.from({ length: maxBreaks }, (_, i) => ({ pos: i * 1000, uri: `${origin}/ad${i}.m3u8` }));

  for (let i = 0; i < 64; i++) await ask(`fill-cache-${i}`, '/master.m3u8', { uri: `${origin}/fill${i}/master.m3u8`, breaks: [] });
  await ask('multivariant: two largest variants validated, every ad the largest', '/master.m3u8', { uri: `${origin}/big/master.m3u8`, breaks: everyAd });
  await ask('media: the largest content and every ad the largest', '/media.m3u8', { uri: `${origin}/big/master.m3u8`, breaks: everyAd }, { r: 'v0' });
  // each ad of a request gets an equal share of one playlist's size: one ad alone may hold all of it (half per kind of playlist)
  await ask('media: the largest content and one ad at its whole share', '/media.m3u8', { uri: `${origin}/big/master.m3u8`, breaks: [{ pos: 0, uri: `${origin}/share-ad/master.m3u8` }] }, { r: 'v0' });
  await ask('asset list: a pod of every ad, the largest', '/asset-list.json', { uri: `${origin}/big/master.m3u8`, breaks: everyAd.map((b) => ({ ...b, pos: 0 })) }, { pod: '0' });
  await ask('media: the longest playlist a Lambda response holds, with small ads', '/media.m3u8',
    { uri: `${origin}/served/master.m3u8`, breaks: Array.from({ length: maxBreaks }, (_, i) => ({ pos: i * 1000, uri: `${origin}/small-ad.m3u8?${i}` })) }, { r: 'v0' });
  clearInterval(sampler);
  const mib = (bytes) => Math.round(bytes / 1024 / 1024);
  console.log(JSON.stringify({ answers: answers.filter((a) => !a.name.startsWith('fill')), fills: answers.filter((a) => a.name.startsWith('fill')).map((a) => a.status), peakHeapMiB: mib(peakHeap), maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
})();
