/**
 * The README's picture of each construct: what it deploys and how a request flows through it, drawn as text so it
 * renders wherever users read the README (the repository, npm's package page, Construct Hub). Each box names the
 * CloudFormation types it stands for; test/shared/readme-diagrams.test.ts checks that each type is in the
 * construct's synthesized template and that the README holds exactly what `renderDiagram` draws.
 * `npx projen docs:diagrams` rewrites the README's diagram blocks.
 */
import * as fs from 'fs';
import * as path from 'path';

/** One step of a request's path: an arrow with what crosses it, then the box it reaches. */
export interface DiagramStep {
  /** What travels along the arrow into the box (a request, a signature...). */
  readonly via: string;
  /** The box: first line its name, further lines what it does. */
  readonly box: string[];
  /** CloudFormation resource types the box stands for (empty for things outside the stack: viewers, origins). */
  readonly resourceTypes: string[];
  /** Side branches from the box: what it calls, and what answers. */
  readonly calls?: string[];
}

/** A construct's picture: who starts the flow, and its steps. */
export interface Diagram {
  readonly construct: string;
  readonly start: string;
  readonly steps: DiagramStep[];
}

export const diagrams: Diagram[] = [
  {
    construct: 'pre-roll-stitcher',
    start: 'HLS player',
    steps: [
      {
        via: 'GET /master.m3u8?payload=<base64url JSON>&sig=<HMAC>   (then /media.m3u8?...&r=v0)',
        box: ['CloudFront distribution', 'cache key: path + payload, sig, r, pod; TTL cacheTtl', 'GET/HEAD only, HTTPS redirect'],
        resourceTypes: ['AWS::CloudFront::Distribution', 'AWS::CloudFront::CachePolicy'],
      },
      {
        via: 'cache miss: Origin Access Control signs the request (SigV4)',
        box: ['Lambda Function URL (AuthType AWS_IAM)', 'CloudFront may call it: lambda:InvokeFunctionUrl', 'and lambda:InvokeFunction, for this distribution only'],
        resourceTypes: ['AWS::CloudFront::OriginAccessControl', 'AWS::Lambda::Url', 'AWS::Lambda::Permission'],
      },
      {
        via: 'payload-2.0 event',
        box: ['stitch function (Node 24, arm64)', 'verifies sig, fetches allow-listed playlists,', 'splices ads or announces Interstitials'],
        resourceTypes: ['AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'AWS::IAM::Role'],
        calls: [
          'Secrets Manager: the signing key (AWS::SecretsManager::Secret)',
          'content and ad origins: only allowedOrigins, size- and time-bounded',
        ],
      },
    ],
  },
  {
    construct: 'stale-playlist-guard',
    start: 'HLS player (fails over between pipelines on 404)',
    steps: [
      {
        via: 'GET <pipeline prefix>/<rendition>.m3u8 and segments',
        box: ['CloudFront distribution', 'playlists: TTL <= TD/2; segments: 1 day; 404: 1 s', 'edge mode: viewer-response function turns a', 'playlist older than k x TD into a 404', 'while another pipeline is healthy'],
        resourceTypes: ['AWS::CloudFront::Distribution', 'AWS::CloudFront::CachePolicy', 'AWS::CloudFront::Function'],
      },
      {
        via: 'Origin Access Control (s3:GetObject, s3:ListBucket: a missing key is a 404)',
        box: ['S3 bucket: the encoders\' pipelines', 'pipeline-a/... and pipeline-b/...'],
        resourceTypes: ['AWS::CloudFront::OriginAccessControl', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy'],
        calls: [
          'encoders write playlists and segments (PutObject)',
          'edge mode: ObjectCreated -> marker function -> copy in place marking multivariant/ended playlists;',
          '  pipeline heartbeats -> CloudFront KeyValueStore the function reads (2+ pipelines)',
          'origin mode: ObjectCreated -> SQS delay queue (k x TD) -> check function -> conditional delete (If-Match)',
        ],
      },
    ],
  },
  {
    construct: 'live-ott-pipeline',
    start: 'contribution encoder (RTMP/RTP/SRT push, or a pull URL, MediaConnect, a Link device)',
    steps: [
      {
        via: 'push inputs only from allowedCidrs (input security group)',
        box: ['MediaLive input and channel (1 or 2 pipelines)', 'ladder: QVBR, closed GOP per segment, AAC;', 'started with autoStart; stopped before', 'CloudFormation deletes it'],
        resourceTypes: ['AWS::MediaLive::Input', 'AWS::MediaLive::InputSecurityGroup', 'AWS::MediaLive::Channel'],
      },
      {
        via: 'MEDIAPACKAGE output group: CMAF ingest (channel policy: this channel role only)',
        box: ['MediaPackage v2 channel group and channel', 'endpoints: hls-ts (HLS), cmaf (HLS + DASH, LL-HLS)', '(or MediaPackage v1, or S3 behind a StalePlaylistGuard)'],
        resourceTypes: ['AWS::MediaPackageV2::ChannelGroup', 'AWS::MediaPackageV2::Channel', 'AWS::MediaPackageV2::OriginEndpoint'],
      },
      {
        via: 'Origin Access Control (endpoint policy: this distribution only)',
        box: ['CloudFront distribution', 'manifests: ceil(segment/2) s; segments: 1 day; errors: 1 s'],
        resourceTypes: ['AWS::CloudFront::Distribution', 'AWS::CloudFront::OriginAccessControl'],
        calls: ['players: hlsPlaybackUrl, cmafHlsPlaybackUrl, dashPlaybackUrl'],
      },
    ],
  },
  {
    construct: 'prefetch-session-initializer',
    start: 'HLS/DASH player',
    steps: [
      {
        via: 'GET /session-initializer/v1/master/<acct>/<config>/index.m3u8   (or POST .../v1/session/...)',
        box: ['CloudFront distribution', 'GET/HEAD: viewer-request function answers 302 to', '/v1/master/... with aws.streamId=N (N in 1..groups)'],
        resourceTypes: ['AWS::CloudFront::Distribution', 'AWS::CloudFront::Function'],
        calls: [
          'POST: session function (Function URL + origin secret) -> MediaTailor session init with "streamId" in the body',
          'tm/*: segments.mediatailor.<region> (ads, cached); default: your content origin (cached)',
        ],
      },
      {
        via: 'GET /v1/master/...?aws.streamId=N, /v1/*, /segment/* (never cached, all but Host forwarded)',
        box: ['MediaTailor playback configuration', 'manifests.mediatailor.<region>; CDN prefixes point', 'at this distribution'],
        resourceTypes: ['AWS::MediaTailor::PlaybackConfiguration'],
        calls: [
          'RECURRING prefetch schedules, one per stream id, retrieval staggered or traffic-shaped',
          'announced breaks (EventBridge) -> function -> SINGLE schedules per stream id, swept hourly',
        ],
      },
    ],
  },
  {
    construct: 'time-shifted-viewing',
    start: 'player asking for ?aws.mediatailor.channel.startTime=... (or timeDelay, audienceId)',
    steps: [
      {
        via: 'GET /v1/channel/<name>/index_hls.m3u8 or index_dash.mpd',
        box: ['CloudFront distribution', 'manifests keyed on the time-shift parameters only;', 'multivariant cached <= one segment; DASH 302s passed on'],
        resourceTypes: ['AWS::CloudFront::Distribution', 'AWS::CloudFront::CachePolicy'],
        calls: ['segments: segmentSourceUrl (or the channel), cached a day, no query in the key'],
      },
      {
        via: 'cache miss',
        box: ['MediaTailor channel assembly (STANDARD, LINEAR)', 'startTime -> timeDelay at request time'],
        resourceTypes: ['AWS::MediaTailor::Channel'],
      },
    ],
  },
];

/** The diagram as the README shows it, inside a fenced `text` block. */
export function renderDiagram(diagram: Diagram): string {
  const lines: string[] = [` ${diagram.start}`];
  for (const step of diagram.steps) {
    lines.push('   │', `   │  ${step.via}`, '   ▼');
    const width = Math.max(...step.box.map((line) => line.length)) + 2;
    lines.push(` ┌${'─'.repeat(width)}┐`);
    for (const line of step.box) lines.push(` │ ${line.padEnd(width - 2)} │`);
    lines.push(` └${'─'.repeat(width)}┘`);
    for (const call of step.calls ?? []) lines.push(`   ├──▶ ${call}`);
  }
  return ['```text', ...lines.map((line) => line.trimEnd()), '```'].join('\n');
}

const markers = (construct: string) => [`<!-- diagram:${construct} -->`, `<!-- /diagram:${construct} -->`];

/** The README with every diagram block replaced by its current rendering; throws when a block's markers are missing. */
export function withDiagrams(readme: string): string {
  return diagrams.reduce((text, diagram) => {
    const [open, close] = markers(diagram.construct);
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md has no '${open}' ... '${close}' block for the ${diagram.construct} diagram`);
    return `${text.slice(0, start + open.length)}\n${renderDiagram(diagram)}\n${text.slice(end)}`;
  }, readme);
}

if (require.main === module) {
  const readmeFile = path.join(__dirname, '..', 'README.md');
  fs.writeFileSync(readmeFile, withDiagrams(fs.readFileSync(readmeFile, 'utf8')));
}
