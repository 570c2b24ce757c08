import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as medialive from 'aws-cdk-lib/aws-medialive';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { BoundLiveInput } from './bindings';
import { hasS3Scheme, parseS3SourceUrl, s3ReadPattern, s3SourceProblem, s3SourceSchemes, s3SourceUrl } from './s3-source';
import { acknowledgeNagFinding, nagResourceName } from '../shared/nag-finding';

/** How many encoding pipelines the channel runs. */
export enum ChannelClass {
  /** Two pipelines in two Availability Zones, fed by two sources (or two push endpoints): survives the loss of one. */
  STANDARD = 'STANDARD',
  /** One pipeline, one source: half the price, no redundancy. */
  SINGLE_PIPELINE = 'SINGLE_PIPELINE',
}

/** What a file input does when the file ends. */
export enum SourceEndBehavior {
  /** Play the file again from the start. */
  LOOP = 'LOOP',
  /** Keep the channel running on the input-loss behavior (slate or black frames). */
  CONTINUE = 'CONTINUE',
}

/** Encryption of an SRT stream. */
export enum SrtEncryption {
  /** AES with a 128-bit key. */
  AES128 = 'AES128',
  /** AES with a 192-bit key. */
  AES192 = 'AES192',
  /** AES with a 256-bit key. */
  AES256 = 'AES256',
}

/** How an SRT stream is decrypted. */
export interface SrtDecryption {
  /** The AES key length the sender encrypts with. */
  readonly algorithm: SrtEncryption;
  /** The Secrets Manager secret whose SecretString is the passphrase (10 to 79 characters); MediaLive reads it. */
  readonly passphrase: secretsmanager.ISecret;
}

/** Credentials MediaLive sends to a pull source. */
export interface PullCredentials {
  /** The user name. */
  readonly username: string;
  /** The SSM parameter (a SecureString) holding the password; MediaLive reads it, the template holds only its name. */
  readonly password: ssm.IParameter;
}

/** Properties of a push input (the encoder sends to MediaLive). */
export interface PushInputProps {
  /**
   * IPv4 networks (CIDR blocks, e.g. `203.0.113.0/24`) allowed to push to the input: they become the input security
   * group. Required: there is no open default.
   */
  readonly allowedCidrs: string[];
}

/** Properties of an RTMP push input. */
export interface RtmpPushInputProps extends PushInputProps {
  /**
   * The stream names, `application/instance`, one per pipeline: two for a STANDARD channel, one for SINGLE_PIPELINE.
   */
  readonly streamNames: string[];
}

/** Properties of a pull input (MediaLive fetches from URLs). */
export interface PullInputProps {
  /** The source URLs, one per pipeline: two for a STANDARD channel, one for SINGLE_PIPELINE. */
  readonly urls: string[];
  /**
   * Credentials for the sources.
   * @default - none
   */
  readonly credentials?: PullCredentials;
}

/**
 * An object in an S3 bucket that MediaLive reads as a source (`s3ssl://<bucket>/<key>`), with the channel role.
 */
export interface S3SourceObject {
  /**
   * The bucket. Its name must not contain dots (MediaLive cannot read from such buckets). A bucket encrypted with a
   * KMS key it knows (`encryptionKey`) also lets the channel role decrypt with that key.
   */
  readonly bucket: s3.IBucket;
  /** The object key, without a leading slash, e.g. `loops/main.mp4`. */
  readonly key: string;
}

/** Properties of an HLS pull input (MediaLive reads a playlist over HTTP(S) or from S3). */
export interface UrlPullInputProps {
  /**
   * The playlist URLs, one per pipeline: two for a STANDARD channel, one for SINGLE_PIPELINE. `http://` or `https://`,
   * or `s3ssl://<bucket>/<key>.m3u8` (the channel role may then read every object under the playlist's folder in that
   * bucket). Set exactly one of `urls` and `objects`.
   * @default - none: set `objects`
   */
  readonly urls?: string[];
  /**
   * The playlists as S3 objects (keys ending in `.m3u8`), one per pipeline. The channel role may read every object
   * under each playlist's folder, where its variant playlists and segments are. Set exactly one of `urls` and `objects`.
   * @default - none: set `urls`
   */
  readonly objects?: S3SourceObject[];
  /**
   * Credentials for HTTP(S) sources (S3 sources are read with the channel role and take none).
   * @default - none
   */
  readonly credentials?: PullCredentials;
}

/** Properties of a file input (an MP4 or TS file played as a live source). */
export interface FileInputProps {
  /**
   * The file URLs, one per pipeline: two for a STANDARD channel, one for SINGLE_PIPELINE. `http://` or `https://`, or
   * `s3ssl://<bucket>/<key>` (the channel role may then read exactly that object). Set exactly one of `urls` and `objects`.
   * @default - none: set `objects`
   */
  readonly urls?: string[];
  /**
   * The files as S3 objects, one per pipeline: the channel role may read exactly these objects. Keys end in `.mp4` for
   * an MP4 input, `.ts` or `.m2ts` for a TS input. Set exactly one of `urls` and `objects`.
   * @default - none: set `urls`
   */
  readonly objects?: S3SourceObject[];
  /**
   * What happens when the file ends.
   * @default SourceEndBehavior.LOOP
   */
  readonly sourceEndBehavior?: SourceEndBehavior;
}

/** Properties of a MediaConnect input. */
export interface MediaConnectInputProps {
  /** The flow ARNs, one per pipeline: two (in different Availability Zones) for a STANDARD channel, one for SINGLE_PIPELINE. */
  readonly flowArns: string[];
}

/** Properties of an Elemental Link input. */
export interface InputDeviceInputProps {
  /** The Link device ids (`hd-...`), one per pipeline: two for a STANDARD channel, one for SINGLE_PIPELINE. */
  readonly deviceIds: string[];
}

/** One SRT listener MediaLive calls. */
export interface SrtCallerSource {
  /** Host name or IP address of the upstream SRT listener. */
  readonly address: string;
  /** Its port. */
  readonly port: number;
  /**
   * The SRT stream id to ask for.
   * @default - none
   */
  readonly streamId?: string;
  /**
   * The SRT latency (packet recovery window), 120 ms to 15 s.
   * @default - MediaLive's default
   */
  readonly minimumLatency?: Duration;
  /**
   * Decryption of the stream.
   * @default - the stream is not encrypted
   */
  readonly decryption?: SrtDecryption;
}

/** Properties of an SRT caller input (MediaLive calls upstream SRT listeners). */
export interface SrtCallerInputProps {
  /** The upstream listeners, one per pipeline: two for a STANDARD channel, one for SINGLE_PIPELINE. */
  readonly sources: SrtCallerSource[];
}

/** Properties of an SRT listener input (upstream SRT callers push to MediaLive). */
export interface SrtListenerInputProps extends PushInputProps {
  /** Decryption of the stream: MediaLive requires SRT listener sources to be AES-encrypted. */
  readonly decryption: SrtDecryption;
  /**
   * The SRT stream id callers must present.
   * @default - none
   */
  readonly streamId?: string;
  /**
   * The SRT latency (packet recovery window), 120 ms to 15 s.
   * @default - MediaLive's default
   */
  readonly minimumLatency?: Duration;
}

/** The MediaLive input type names (the `Type` of `AWS::MediaLive::Input`). */
export enum LiveInputType {
  /** RTP transport stream pushed to MediaLive. */
  RTP_PUSH = 'RTP_PUSH',
  /** RTMP pushed to MediaLive. */
  RTMP_PUSH = 'RTMP_PUSH',
  /** RTMP pulled by MediaLive. */
  RTMP_PULL = 'RTMP_PULL',
  /** HLS pulled by MediaLive. */
  URL_PULL = 'URL_PULL',
  /** An MP4 file pulled by MediaLive. */
  MP4_FILE = 'MP4_FILE',
  /** A TS file pulled by MediaLive. */
  TS_FILE = 'TS_FILE',
  /** An AWS Elemental MediaConnect flow. */
  MEDIACONNECT = 'MEDIACONNECT',
  /** An AWS Elemental Link device. */
  INPUT_DEVICE = 'INPUT_DEVICE',
  /** MediaLive calls an SRT listener. */
  SRT_CALLER = 'SRT_CALLER',
  /** SRT callers push to MediaLive. */
  SRT_LISTENER = 'SRT_LISTENER',
}

type InputKind = 'push' | 'pull' | 'file' | 'flow' | 'device' | 'srt-caller' | 'srt-listener';

interface InputSpec {
  readonly type: LiveInputType;
  readonly kind: InputKind;
  /** The prop that holds one entry per pipeline, and its entries, for the class check. */
  readonly perPipeline?: { readonly prop: string; readonly values: readonly string[] };
  readonly allowedCidrs?: readonly string[];
  readonly streamNames?: readonly string[];
  readonly urls?: readonly string[];
  /** The S3 objects given as `objects` (exclusive with `urls`). */
  readonly s3Objects?: readonly S3SourceObject[];
  readonly credentials?: PullCredentials;
  readonly sourceEndBehavior?: SourceEndBehavior;
  readonly flowArns?: readonly string[];
  readonly deviceIds?: readonly string[];
  readonly srtCallerSources?: readonly SrtCallerSource[];
  readonly srtListener?: SrtListenerInputProps;
}

/**
 * Where the channel's video comes from: one factory per MediaLive input type. Push inputs (RTP, RTMP push, SRT
 * listener) get an input security group from `allowedCidrs`; pull, file, MediaConnect, device and SRT caller inputs
 * need none. Every input takes one source per pipeline: two for a STANDARD channel, one for SINGLE_PIPELINE.
 */
export class LiveInput {
  /** An RTP (MPEG transport stream over RTP) push input: MediaLive creates one endpoint per pipeline, port 5000. */
  public static rtpPush(props: PushInputProps): LiveInput {
    return new LiveInput({ type: LiveInputType.RTP_PUSH, kind: 'push', allowedCidrs: props.allowedCidrs });
  }

  /** An RTMP push input: the encoder publishes to `rtmp://<endpoint>:1935/<application>/<instance>`, one stream name per pipeline. */
  public static rtmpPush(props: RtmpPushInputProps): LiveInput {
    return new LiveInput({
      type: LiveInputType.RTMP_PUSH,
      kind: 'push',
      allowedCidrs: props.allowedCidrs,
      streamNames: props.streamNames,
      perPipeline: { prop: 'streamNames', values: props.streamNames },
    });
  }

  /** An RTMP pull input: MediaLive connects to `rtmp://` URLs. */
  public static rtmpPull(props: PullInputProps): LiveInput {
    return new LiveInput({ type: LiveInputType.RTMP_PULL, kind: 'pull', urls: props.urls, credentials: props.credentials, perPipeline: { prop: 'urls', values: props.urls } });
  }

  /**
   * An HLS pull input: MediaLive reads multivariant or media playlists from `http(s)://` URLs, or from S3 (`objects`,
   * or `s3ssl://` URLs) with the channel role.
   */
  public static urlPull(props: UrlPullInputProps): LiveInput {
    return new LiveInput({ type: LiveInputType.URL_PULL, kind: 'pull', credentials: props.credentials, ...sourcesOf(props) });
  }

  /** An MP4 file played as a live source, from `http(s)://` URLs or from S3 (`objects`, or `s3ssl://` URLs). */
  public static mp4File(props: FileInputProps): LiveInput {
    return new LiveInput({ type: LiveInputType.MP4_FILE, kind: 'file', sourceEndBehavior: props.sourceEndBehavior, ...sourcesOf(props) });
  }

  /**
   * A transport stream file (`.ts`, `.m2ts`; static, not growing) played as a live source, from `http(s)://` URLs or
   * from S3 (`objects`, or `s3ssl://` URLs).
   */
  public static tsFile(props: FileInputProps): LiveInput {
    return new LiveInput({ type: LiveInputType.TS_FILE, kind: 'file', sourceEndBehavior: props.sourceEndBehavior, ...sourcesOf(props) });
  }

  /** AWS Elemental MediaConnect flows: the channel's role may add and remove its outputs on exactly these flows. */
  public static mediaConnect(props: MediaConnectInputProps): LiveInput {
    return new LiveInput({ type: LiveInputType.MEDIACONNECT, kind: 'flow', flowArns: props.flowArns, perPipeline: { prop: 'flowArns', values: props.flowArns } });
  }

  /** AWS Elemental Link devices. */
  public static inputDevice(props: InputDeviceInputProps): LiveInput {
    return new LiveInput({ type: LiveInputType.INPUT_DEVICE, kind: 'device', deviceIds: props.deviceIds, perPipeline: { prop: 'deviceIds', values: props.deviceIds } });
  }

  /** An SRT caller input: MediaLive calls upstream SRT listeners. */
  public static srtCaller(props: SrtCallerInputProps): LiveInput {
    return new LiveInput({
      type: LiveInputType.SRT_CALLER,
      kind: 'srt-caller',
      srtCallerSources: props.sources,
      perPipeline: { prop: 'sources', values: props.sources.map((source) => `${source.address}:${source.port}`) },
    });
  }

  /** An SRT listener input: upstream SRT callers push AES-encrypted transport streams to MediaLive. */
  public static srtListener(props: SrtListenerInputProps): LiveInput {
    return new LiveInput({ type: LiveInputType.SRT_LISTENER, kind: 'srt-listener', allowedCidrs: props.allowedCidrs, srtListener: props });
  }

  /**
   * UDP push is refused: MediaLive ingests transport streams pushed over RTP, not plain UDP ("Send over RTP, not UDP.
   * The UDP protocol is not supported for an input into MediaLive", MediaLive User Guide, RTP push input setup).
   * Always throws, naming the way forward: {@link LiveInput.rtpPush} with the same CIDRs, the sender switched from
   * `udp://` to `rtp://`.
   */
  public static udpPush(props: PushInputProps): LiveInput {
    throw new Error(`input: UDP_PUSH (allowedCidrs ${JSON.stringify(props.allowedCidrs)}) is not supported by MediaLive, which does not ingest plain UDP; `
      + 'push the same transport stream over RTP with LiveInput.rtpPush({ allowedCidrs }) and send to rtp://<endpoint>:5000 instead of udp://');
  }

  // closed: only the factories above make one (a subclass in any jsii language would not be understood)
  private constructor(private readonly spec: InputSpec) {}

  /** The MediaLive input type. */
  public get inputType(): LiveInputType {
    return this.spec.type;
  }

  /** Whether the encoder pushes to MediaLive (the input has endpoints and a security group). */
  public get isPush(): boolean {
    return this.spec.kind === 'push' || this.spec.kind === 'srt-listener';
  }

  /**
   * Validates the input for `channelClass` and creates it (and its security group) in `scope`, granting `role` what
   * MediaLive needs to read it.
   * @internal
   */
  public _bind(scope: Construct, channelClass: ChannelClass, role: iam.Role): BoundLiveInput {
    this.validate(channelClass);
    const spec = this.spec;
    const pipelines = channelClass === ChannelClass.STANDARD ? 2 : 1;
    const securityGroup = spec.allowedCidrs ? new medialive.CfnInputSecurityGroup(scope, 'InputSecurityGroup', {
      whitelistRules: spec.allowedCidrs.map((cidr) => ({ cidr })),
    }) : undefined;
    const common = { type: spec.type, inputSecurityGroups: securityGroup ? [securityGroup.ref] : undefined };
    let props: medialive.CfnInputProps;
    switch (spec.kind) {
      case 'push':
        props = {
          ...common,
          destinations: spec.streamNames ? spec.streamNames.map((streamName) => ({ streamName })) : Array.from({ length: pipelines }, () => ({})),
        };
        break;
      case 'pull':
      case 'file':
        props = {
          ...common,
          sources: sourceUrls(spec).map((url) => ({
            url,
            username: spec.credentials?.username,
            passwordParam: spec.credentials?.password.parameterName,
          })),
        };
        spec.credentials?.password.grantRead(role);
        grantS3SourceReads(role, spec);
        break;
      case 'flow':
        props = { ...common, mediaConnectFlows: spec.flowArns!.map((flowArn) => ({ flowArn })), roleArn: role.roleArn };
        role.addToPrincipalPolicy(new iam.PolicyStatement({
          sid: 'ManageOutputsOnTheInputFlows',
          actions: ['mediaconnect:ManagedDescribeFlow', 'mediaconnect:ManagedAddOutput', 'mediaconnect:ManagedRemoveOutput'],
          resources: [...spec.flowArns!],
        }));
        break;
      case 'device':
        props = { ...common, inputDevices: spec.deviceIds!.map((id) => ({ id })) };
        break;
      case 'srt-caller':
        props = {
          ...common,
          srtSettings: {
            srtCallerSources: spec.srtCallerSources!.map((source) => ({
              srtListenerAddress: source.address,
              srtListenerPort: String(source.port),
              streamId: source.streamId,
              minimumLatency: source.minimumLatency?.toMilliseconds(),
              decryption: bindDecryption(source.decryption, role),
            })),
          },
        };
        break;
      case 'srt-listener':
        props = {
          ...common,
          srtSettings: {
            srtListenerSettings: {
              streamId: spec.srtListener!.streamId,
              minimumLatency: spec.srtListener!.minimumLatency?.toMilliseconds(),
              decryption: bindDecryption(spec.srtListener!.decryption, role),
            },
          },
        };
        break;
    }
    const input = new medialive.CfnInput(scope, 'Input', props);
    if (spec.credentials) {
      Validations.of(input).acknowledge({
        id: 'CloudFormation-Validate::W2501',
        reason: 'PasswordParam is the name of an SSM SecureString parameter, not a password: MediaLive reads the value itself when the channel starts',
      });
    }
    // MediaLive uses the role while it creates a MediaConnect input: the grants must exist first
    if (spec.kind === 'flow') input.node.addDependency(role);
    return { input, securityGroup, sourceEndBehavior: spec.kind === 'file' ? spec.sourceEndBehavior ?? SourceEndBehavior.LOOP : undefined };
  }

  private validate(channelClass: ChannelClass): void {
    const spec = this.spec;
    const pipelines = channelClass === ChannelClass.STANDARD ? 2 : 1;
    if ((spec.kind === 'file' || spec.type === LiveInputType.URL_PULL) && (spec.urls === undefined) === (spec.s3Objects === undefined)) {
      throw new Error(`input ${spec.type}: set exactly one of urls and objects, got ${spec.urls ? 'both' : 'neither'}`);
    }
    if (spec.perPipeline && spec.perPipeline.values.length !== pipelines) {
      const { prop, values } = spec.perPipeline;
      throw new Error(`input ${spec.type}: ${prop} must hold ${pipelines} ${pipelines === 2 ? 'entries (one per pipeline)' : 'entry'} for a ${channelClass} channel, `
        + `got ${values.length}: ${JSON.stringify(values)}`);
    }
    if (spec.allowedCidrs) validateCidrs(spec.type, spec.allowedCidrs);
    spec.streamNames?.forEach((name) => {
      if (!Token.isUnresolved(name) && !/^[A-Za-z0-9_.~-]+\/[A-Za-z0-9_.~-]+$/.test(name)) {
        throw new Error(`input RTMP_PUSH: streamNames must be 'application/instance' (letters, digits, _ . ~ -), got '${name}'`);
      }
    });
    if (spec.streamNames && new Set(spec.streamNames).size !== spec.streamNames.length) {
      throw new Error(`input RTMP_PUSH: streamNames must differ per pipeline, got ${JSON.stringify(spec.streamNames)}`);
    }
    spec.urls?.forEach((url, index) => validateUrl(spec.type, url, index));
    spec.s3Objects?.forEach((object, index) => {
      const problem = s3SourceProblem({ bucketName: object.bucket.bucketName, key: object.key }, sourceExtensions[spec.type]!);
      if (problem) throw new Error(`input ${spec.type}: objects[${index}]: ${problem}`);
    });
    if (spec.credentials) {
      const s3Source = spec.s3Objects ? 'objects' : spec.urls?.find(hasS3Scheme);
      if (s3Source) {
        throw new Error(`input ${spec.type}: credentials are for HTTP(S) sources, and S3 sources are read with the channel role; got credentials with ${s3Source === 'objects' ? 'objects' : `'${s3Source}'`}`);
      }
    }
    spec.flowArns?.forEach((arn) => {
      if (!Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:mediaconnect:[a-z0-9-]+:\d{12}:flow:[^\s]+$/.test(arn)) {
        throw new Error(`input MEDIACONNECT: flowArns must be MediaConnect flow ARNs (arn:aws:mediaconnect:<region>:<account>:flow:...), got '${arn}'`);
      }
    });
    spec.deviceIds?.forEach((id) => {
      if (!Token.isUnresolved(id) && !/^hd-[A-Za-z0-9]+$/.test(id)) throw new Error(`input INPUT_DEVICE: deviceIds must be Link device ids ('hd-...'), got '${id}'`);
    });
    spec.srtCallerSources?.forEach((source) => {
      if (!Token.isUnresolved(source.address) && !/^[A-Za-z0-9.-]+$/.test(source.address)) {
        throw new Error(`input SRT_CALLER: sources[].address must be a host name or IPv4 address, got '${source.address}'`);
      }
      if (!Token.isUnresolved(source.port) && (!Number.isInteger(source.port) || source.port < 1 || source.port > 65535)) {
        throw new Error(`input SRT_CALLER: sources[].port must be an integer 1-65535, got ${source.port}`);
      }
      validateLatency(spec.type, source.minimumLatency);
    });
    if (spec.srtListener) validateLatency(spec.type, spec.srtListener.minimumLatency);
  }
}

function bindDecryption(decryption: SrtDecryption | undefined, role: iam.Role): medialive.CfnInput.SrtCallerDecryptionRequestProperty | undefined {
  if (!decryption) return undefined;
  decryption.passphrase.grantRead(role);
  return { algorithm: decryption.algorithm, passphraseSecretArn: decryption.passphrase.secretArn };
}

/** SRT latency range accepted by MediaLive (MediaLive User Guide, SRT inputs). */
const srtLatencyMs = { minimum: 120, maximum: 15_000 };

function validateLatency(type: LiveInputType, latency: Duration | undefined): void {
  if (latency === undefined) return;
  const ms = latency.toMilliseconds();
  if (ms < srtLatencyMs.minimum || ms > srtLatencyMs.maximum) {
    throw new Error(`input ${type}: minimumLatency must be ${srtLatencyMs.minimum} ms to ${srtLatencyMs.maximum} ms, got ${ms} ms`);
  }
}

/** URL schemes each pull input accepts. */
const urlSchemes: Partial<Record<LiveInputType, readonly string[]>> = {
  [LiveInputType.RTMP_PULL]: ['rtmp:'],
  [LiveInputType.URL_PULL]: ['http:', 'https:', ...s3SourceSchemes],
  [LiveInputType.MP4_FILE]: ['http:', 'https:', ...s3SourceSchemes],
  [LiveInputType.TS_FILE]: ['http:', 'https:', ...s3SourceSchemes],
};

/** The key endings MediaLive accepts for S3 sources of each input type (MediaLive User Guide, live and file sources). */
const sourceExtensions: Partial<Record<LiveInputType, readonly string[]>> = {
  [LiveInputType.URL_PULL]: ['.m3u8'],
  [LiveInputType.MP4_FILE]: ['.mp4'],
  [LiveInputType.TS_FILE]: ['.ts', '.m2ts'],
};

/** The URLs the input's sources are read from: the given URLs, or the S3 objects' `s3ssl://` URLs. */
function sourceUrls(spec: InputSpec): readonly string[] {
  return spec.urls ?? spec.s3Objects!.map((object) => s3SourceUrl({ bucketName: object.bucket.bucketName, key: object.key }));
}

/** The source fields of an input given `urls` or `objects`. */
function sourcesOf(props: { readonly urls?: string[]; readonly objects?: S3SourceObject[] }): Pick<InputSpec, 'urls' | 's3Objects' | 'perPipeline'> {
  const values = props.urls ?? props.objects?.map((object) => s3SourceUrl({ bucketName: object.bucket.bucketName, key: object.key })) ?? [];
  return { urls: props.urls, s3Objects: props.objects, perPipeline: { prop: props.urls ? 'urls' : 'objects', values } };
}

/**
 * Lets `role` read the input's S3 sources and nothing else of their buckets: `s3:GetObject` on each file (or, for an
 * HLS playlist, on its folder, where its variants and segments are), and decryption with a bucket's known KMS key. No
 * `s3:ListBucket`: reading needs none (S3 then answers a missing key with 403 rather than 404).
 */
function grantS3SourceReads(role: iam.Role, spec: InputSpec): void {
  const withFolder = spec.type === LiveInputType.URL_PULL;
  const objectArns = [
    ...(spec.s3Objects ?? []).map((object) => object.bucket.arnForObjects(s3ReadPattern(object.key, withFolder))),
    ...(spec.urls ?? []).flatMap((url) => {
      const location = parseS3SourceUrl(url);
      return location ? [Stack.of(role).formatArn({ service: 's3', region: '', account: '', resource: location.bucketName, resourceName: s3ReadPattern(location.key, withFolder) })] : [];
    }),
  ];
  if (objectArns.length === 0) return;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadTheSourceObjects', actions: ['s3:GetObject'], resources: [...new Set(objectArns)] }));
  spec.s3Objects?.forEach((object) => object.bucket.encryptionKey?.grantDecrypt(role));
  if (withFolder) {
    const policy = role.node.findChild('DefaultPolicy');
    for (const arn of objectArns) {
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceName(role, arn)}]`,
        'An HLS source addresses its variant playlists and segments relative to its playlist: the channel role reads the objects under that playlist\'s folder only');
    }
  }
}

function validateUrl(type: LiveInputType, url: string, index: number): void {
  const schemes = urlSchemes[type]!;
  if (hasS3Scheme(url) && schemes.includes(s3SourceSchemes[0])) {
    const location = parseS3SourceUrl(url);
    const problem = location ? s3SourceProblem(location, sourceExtensions[type]!) : 'S3 sources must be written s3ssl://<bucket>/<key>';
    if (problem) throw new Error(`input ${type}: urls[${index}] '${url}': ${problem}`);
    return;
  }
  if (Token.isUnresolved(url)) return;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !schemes.includes(parsed.protocol) || parsed.hostname === '') {
    throw new Error(`input ${type}: urls must be ${schemes.map((scheme) => `${scheme}//`).join(', ').replace(/, ([^,]*)$/, ' or $1')} URLs, got '${url}'`);
  }
  if (parsed.username || parsed.password) {
    throw new Error(`input ${type}: urls must not carry credentials (they would sit in the template), got '${parsed.protocol}//${parsed.username}:***@${parsed.host}...'; use credentials with an SSM SecureString`);
  }
}

function validateCidrs(type: LiveInputType, cidrs: readonly string[]): void {
  if (cidrs.length === 0) throw new Error(`input ${type}: allowedCidrs must name at least one network allowed to push, got []`);
  for (const cidr of cidrs) {
    if (Token.isUnresolved(cidr)) continue;
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const octets = match ? match.slice(1, 5).map(Number) : [];
    const prefix = match ? Number(match[5]) : -1;
    if (!match || octets.some((octet) => octet > 255) || prefix > 32) {
      throw new Error(`input ${type}: allowedCidrs must be IPv4 CIDR blocks like '203.0.113.0/24', got '${cidr}'`);
    }
    const address = octets.reduce((value, octet) => value * 256 + octet, 0);
    const hostBits = 2 ** (32 - prefix);
    if (address % hostBits !== 0) {
      const network = address - (address % hostBits);
      const networkText = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
      throw new Error(`input ${type}: allowedCidrs must be network addresses, got '${cidr}' (did you mean '${networkText}/${prefix}'?)`);
    }
  }
}
