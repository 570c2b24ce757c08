import * as fc from 'fast-check';
import { absolutizePlaylist, MediaPlaylist, MultivariantPlaylist, parsePlaylist, Rendition, Variant } from '../../lambda-src/hls';
import {
  AdRenditionCandidate,
  AdVariantCandidate,
  codecFamilies,
  containerOf,
  containerOfText,
  contentRenditions,
  matchAdRendition,
  matchAdVariant,
  renditionKey,
  SegmentContainer,
} from '../../lambda-src/pre-roll-stitcher/renditions';

const base = 'https://cdn.example.com/vod/movie/master.m3u8';

function multivariant(lines: string): MultivariantPlaylist {
  return absolutizePlaylist(parsePlaylist(`#EXTM3U\n${lines}\n`) as MultivariantPlaylist, base);
}

/** A VOD media playlist whose segments are `segmentUris`, preceded by `header` tags. */
function media(segmentUris: string[], header = ''): MediaPlaylist {
  const segments = segmentUris.map((uri) => `#EXTINF:4.0,\n${uri}`).join('\n');
  const text = `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n${header}${segments}\n#EXT-X-ENDLIST\n`;
  return absolutizePlaylist(parsePlaylist(text) as MediaPlaylist, 'https://cdn.example.com/vod/movie/720p/index.m3u8');
}

/** Variants of a multivariant playlist written as one EXT-X-STREAM-INF attribute list per variant. */
function variants(...attributeLists: string[]): Variant[] {
  return multivariant(attributeLists.map((attributes, i) => `#EXT-X-STREAM-INF:${attributes}\nv${i}.m3u8`).join('\n')).variants;
}

function variant(attributes: string): Variant {
  return variants(attributes)[0];
}

function iframeVariant(attributes: string): Variant {
  return multivariant(`#EXT-X-I-FRAME-STREAM-INF:${attributes},URI="iframe.m3u8"`).variants[0];
}

/** The EXT-X-MEDIA renditions of a multivariant playlist (each variant refers to every group). */
function renditionsOf(mediaLines: string[]): Rendition[] {
  const groups = [...new Set(mediaLines.map((line) => /GROUP-ID="([^"]+)"/.exec(line)![1]))];
  const audioGroups = groups.filter((group) => mediaLines.some((line) => line.includes('TYPE=AUDIO') && line.includes(`"${group}"`)));
  const subtitleGroups = groups.filter((group) => !audioGroups.includes(group));
  const streams = [
    ...audioGroups.map((group) => `#EXT-X-STREAM-INF:BANDWIDTH=1000000,AUDIO="${group}"\nv-${group}.m3u8`),
    ...subtitleGroups.map((group) => `#EXT-X-STREAM-INF:BANDWIDTH=1000000,SUBTITLES="${group}"\nv-${group}.m3u8`),
  ];
  return contentRenditions(multivariant([...mediaLines, ...streams].join('\n')))
    .filter((r) => r.rendition !== undefined)
    .map((r) => r.rendition!);
}

function rendition(mediaLine: string): Rendition {
  return renditionsOf([mediaLine])[0];
}

const vc = (v: Variant, container: SegmentContainer = 'ts'): AdVariantCandidate => ({ variant: v, container });
const rc = (r: Rendition, container: SegmentContainer = 'ts'): AdRenditionCandidate => ({ rendition: r, container });

describe('containerOf', () => {
  test('is fmp4 when segments have an EXT-X-MAP', () => {
    expect(containerOf(media(['seg0.m4s'], '#EXT-X-MAP:URI="init.mp4"\n'))).toBe('fmp4');
  });

  test('is fmp4 when segments have an EXT-X-MAP whatever their extension', () => {
    expect(containerOf(media(['seg0.ts'], '#EXT-X-MAP:URI="init.mp4"\n'))).toBe('fmp4');
  });

  test('is ts for .ts segments', () => {
    expect(containerOf(media(['seg0.ts', 'seg1.ts']))).toBe('ts');
  });

  test('is packed-audio for .aac segments', () => {
    expect(containerOf(media(['seg0.aac']))).toBe('packed-audio');
  });

  test.each(['ac3', 'ec3', 'mp3'])('is packed-audio for .%s segments', (extension) => {
    expect(containerOf(media([`seg0.${extension}`]))).toBe('packed-audio');
  });

  test('is webvtt for .vtt segments', () => {
    expect(containerOf(media(['sub0.vtt']))).toBe('webvtt');
  });

  test('is webvtt for .webvtt segments', () => {
    expect(containerOf(media(['sub0.webvtt']))).toBe('webvtt');
  });

  test('is fmp4 for .m4s segments without EXT-X-MAP', () => {
    expect(containerOf(media(['seg0.m4s']))).toBe('fmp4');
  });

  test('is fmp4 for .mp4 segments', () => {
    expect(containerOf(media(['seg0.mp4']))).toBe('fmp4');
  });

  test.each(['cmfv', 'cmfa'])('is fmp4 for .%s segments', (extension) => {
    expect(containerOf(media([`seg0.${extension}`]))).toBe('fmp4');
  });

  test('reads the extension before a query string', () => {
    expect(containerOf(media(['seg0.aac?token=abc.ts']))).toBe('packed-audio');
  });

  test('reads the extension before a fragment', () => {
    expect(containerOf(media(['sub0.vtt#t=0']))).toBe('webvtt');
  });

  test('reads extensions case-insensitively', () => {
    expect(containerOf(media(['SEG0.AAC']))).toBe('packed-audio');
  });

  test('is ts for segments without an extension', () => {
    expect(containerOf(media(['segment?id=1']))).toBe('ts');
  });

  test('is ts for an unknown extension', () => {
    expect(containerOf(media(['seg0.bin']))).toBe('ts');
  });

  test('is ts for a playlist without segments', () => {
    expect(containerOf(media([]))).toBe('ts');
  });

  test('judges by the first segment', () => {
    expect(containerOf(media(['seg0.aac', 'seg1.ts']))).toBe('packed-audio');
  });
});

describe('codecFamilies', () => {
  test('names no family when CODECS is absent', () => {
    expect(codecFamilies(undefined)).toEqual({ video: undefined, audio: undefined });
  });

  test('names no family for an empty CODECS', () => {
    expect(codecFamilies('')).toEqual({ video: undefined, audio: undefined });
  });

  test('reads avc1 video and mp4a audio', () => {
    expect(codecFamilies('avc1.64001f,mp4a.40.2')).toEqual({ video: 'avc', audio: 'aac' });
  });

  test('puts avc1 and avc3 in the same family', () => {
    expect(codecFamilies('avc3.4d401e').video).toBe(codecFamilies('avc1.640028').video);
  });

  test('puts hvc1 and hev1 in the same family', () => {
    expect(codecFamilies('hvc1.1.6.L93.B0').video).toBe('hevc');
    expect(codecFamilies('hev1.2.4.L120.B0').video).toBe('hevc');
  });

  test('keeps avc and hevc apart', () => {
    expect(codecFamilies('avc1.64001f').video).not.toBe(codecFamilies('hvc1.1.6.L93.B0').video);
  });

  test('puts AAC-LC (mp4a.40.2) and HE-AAC (mp4a.40.5) in the aac family', () => {
    expect(codecFamilies('mp4a.40.2').audio).toBe('aac');
    expect(codecFamilies('mp4a.40.5').audio).toBe('aac');
  });

  test('reads ec-3 as its own family', () => {
    expect(codecFamilies('ec-3').audio).toBe('eac3');
  });

  test('keeps ac-3 apart from ec-3', () => {
    expect(codecFamilies('ac-3').audio).toBe('ac3');
  });

  test('reads mp4a.40.34 as mp3', () => {
    expect(codecFamilies('mp4a.40.34').audio).toBe('mp3');
  });

  test('reads an audio-only CODECS', () => {
    expect(codecFamilies('mp4a.40.2')).toEqual({ video: undefined, audio: 'aac' });
  });

  test('ignores spaces around codecs', () => {
    expect(codecFamilies(' hvc1.1.6.L93.B0 , ec-3 ')).toEqual({ video: 'hevc', audio: 'eac3' });
  });

  test('ignores codecs it does not know', () => {
    expect(codecFamilies('wvtt,stpp.ttml.im1t')).toEqual({ video: undefined, audio: undefined });
  });

  test('keeps the first codec of each kind', () => {
    expect(codecFamilies('mp4a.40.2,ec-3,avc1.64001f,hvc1.1.6.L93.B0')).toEqual({ video: 'avc', audio: 'aac' });
  });
});

describe('contentRenditions', () => {
  const master = multivariant([
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="audio/en.m3u8"',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="French",LANGUAGE="fr",URI="audio/fr.m3u8"',
    '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="subs/en.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=1000000,RESOLUTION=640x360,AUDIO="aud",SUBTITLES="subs"',
    'video/360.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720,AUDIO="aud",SUBTITLES="subs"',
    'video/720.m3u8',
    '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=200000,URI="iframes/360.m3u8"',
  ].join('\n'));

  test('numbers variants, I-frame variants, audio and subtitles separately, in playlist order', () => {
    expect(contentRenditions(master).map((r) => [r.id, r.kind])).toEqual([
      ['v0', 'variant'], ['v1', 'variant'], ['i0', 'iframe'], ['a0', 'audio'], ['a1', 'audio'], ['s0', 'subtitles'],
    ]);
  });

  test('lists a group\'s renditions once although every variant carries a copy', () => {
    const audio = contentRenditions(master).filter((r) => r.kind === 'audio');

    expect(audio.map((r) => r.uri)).toEqual(['https://cdn.example.com/vod/movie/audio/en.m3u8', 'https://cdn.example.com/vod/movie/audio/fr.m3u8']);
  });

  test('gives every rendition the absolute URI of its media playlist', () => {
    expect(contentRenditions(master).map((r) => r.uri)).toEqual([
      'https://cdn.example.com/vod/movie/video/360.m3u8',
      'https://cdn.example.com/vod/movie/video/720.m3u8',
      'https://cdn.example.com/vod/movie/iframes/360.m3u8',
      'https://cdn.example.com/vod/movie/audio/en.m3u8',
      'https://cdn.example.com/vod/movie/audio/fr.m3u8',
      'https://cdn.example.com/vod/movie/subs/en.m3u8',
    ]);
  });

  test('keeps the variant of variant and I-frame renditions and the EXT-X-MEDIA of the others', () => {
    const [v0, , i0, a0] = contentRenditions(master);

    expect(v0.variant).toBe(master.variants[0]);
    expect(i0.variant?.isIFrameOnly).toBe(true);
    expect(a0.variant).toBeUndefined();
    expect(a0.rendition?.language).toBe('en');
  });

  test('keys variants by their index and media renditions by renditionKey', () => {
    const all = contentRenditions(master);

    expect(all[1].key).toBe('variant|1');
    expect(all[3].key).toBe(renditionKey(all[3].rendition!));
  });

  test('counts I-frame variants apart from the variants they are interleaved with', () => {
    const mixed = multivariant([
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="iframes/a.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1000000',
      'video/a.m3u8',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=200000,URI="iframes/b.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=2000000',
      'video/b.m3u8',
    ].join('\n'));

    expect(contentRenditions(mixed).map((r) => `${r.id}=${r.uri.replace(/^.*movie\//, '')}`)).toEqual([
      'i0=iframes/a.m3u8', 'v0=video/a.m3u8', 'i1=iframes/b.m3u8', 'v1=video/b.m3u8',
    ]);
  });

  test('lists renditions of a second group after those of the first variant', () => {
    const twoGroups = multivariant([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="stereo",NAME="English",LANGUAGE="en",URI="audio/stereo.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="surround",NAME="English",LANGUAGE="en",URI="audio/surround.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="subs/en.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1000000,AUDIO="stereo",SUBTITLES="subs"',
      'video/360.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=5000000,AUDIO="surround",SUBTITLES="subs"',
      'video/1080.m3u8',
    ].join('\n'));

    expect(contentRenditions(twoGroups).map((r) => `${r.id}=${r.uri.replace(/^.*movie\//, '')}`)).toEqual([
      'v0=video/360.m3u8', 'v1=video/1080.m3u8', 'a0=audio/stereo.m3u8', 's0=subs/en.m3u8', 'a1=audio/surround.m3u8',
    ]);
  });

  test('leaves out EXT-X-MEDIA renditions without URI (muxed into the variant)', () => {
    const muxed = multivariant([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Main",LANGUAGE="en",DEFAULT=YES',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Commentary",LANGUAGE="en",URI="audio/commentary.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1000000,AUDIO="aud"',
      'video/360.m3u8',
    ].join('\n'));

    expect(contentRenditions(muxed).filter((r) => r.kind === 'audio').map((r) => [r.id, r.rendition?.name])).toEqual([['a0', 'Commentary']]);
  });

  test('leaves out closed captions', () => {
    const withCaptions = multivariant([
      '#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="English",LANGUAGE="en",INSTREAM-ID="CC1"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1000000,CLOSED-CAPTIONS="cc"',
      'video/360.m3u8',
    ].join('\n'));

    expect(contentRenditions(withCaptions).map((r) => r.id)).toEqual(['v0']);
  });
});

describe('renditionKey', () => {
  test('is made of type, group, name and absolute URI', () => {
    const english = rendition('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",URI="audio/en.m3u8"');

    expect(renditionKey(english)).toBe('AUDIO|aud|English|https://cdn.example.com/vod/movie/audio/en.m3u8');
  });

  test('is the same for the copies hls-parser gives each variant', () => {
    const master = multivariant([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",URI="audio/en.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1000000,AUDIO="aud"',
      'video/360.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=3000000,AUDIO="aud"',
      'video/720.m3u8',
    ].join('\n'));

    expect(renditionKey(master.variants[0].audio[0])).toBe(renditionKey(master.variants[1].audio[0]));
  });

  test('tells apart renditions of the same name in different groups', () => {
    const [stereo, surround] = renditionsOf([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="stereo",NAME="English",URI="audio/en.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="surround",NAME="English",URI="audio/en.m3u8"',
    ]);

    expect(renditionKey(stereo)).not.toBe(renditionKey(surround));
  });
});

describe('matchAdVariant', () => {
  test('finds nothing among no candidates', () => {
    expect(matchAdVariant(variant('BANDWIDTH=1000000'), 'ts', [])).toBeUndefined();
  });

  test('requires the same container', () => {
    const content = variant('BANDWIDTH=1000000');
    const [ts, fmp4] = variants('BANDWIDTH=1000000', 'BANDWIDTH=1000000');

    expect(matchAdVariant(content, 'fmp4', [vc(ts, 'ts')])).toBeUndefined();
    expect(matchAdVariant(content, 'fmp4', [vc(ts, 'ts'), vc(fmp4, 'fmp4')])).toBe(fmp4);
  });

  test('requires the same video codec family when both declare CODECS', () => {
    const content = variant('BANDWIDTH=1000000,CODECS="avc1.64001f,mp4a.40.2"');
    const [hevc, avc] = variants('BANDWIDTH=1000000,CODECS="hvc1.1.6.L93.B0,mp4a.40.2"', 'BANDWIDTH=9000000,CODECS="avc3.4d401e,mp4a.40.2"');

    expect(matchAdVariant(content, 'ts', [vc(hevc)])).toBeUndefined();
    expect(matchAdVariant(content, 'ts', [vc(hevc), vc(avc)])).toBe(avc);
  });

  test('requires the same audio codec family when both declare CODECS', () => {
    const content = variant('BANDWIDTH=1000000,CODECS="avc1.64001f,mp4a.40.2"');
    const [eac3, heAac] = variants('BANDWIDTH=1000000,CODECS="avc1.64001f,ec-3"', 'BANDWIDTH=9000000,CODECS="avc1.64001f,mp4a.40.5"');

    expect(matchAdVariant(content, 'ts', [vc(eac3)])).toBeUndefined();
    expect(matchAdVariant(content, 'ts', [vc(eac3), vc(heAac)])).toBe(heAac);
  });

  test('accepts a candidate without CODECS', () => {
    const content = variant('BANDWIDTH=1000000,CODECS="hvc1.1.6.L93.B0,ec-3"');
    const unknown = variant('BANDWIDTH=1000000');

    expect(matchAdVariant(content, 'ts', [vc(unknown)])).toBe(unknown);
  });

  test('accepts any codec when the content declares no CODECS', () => {
    const content = variant('BANDWIDTH=1000000');
    const hevc = variant('BANDWIDTH=1000000,CODECS="hvc1.1.6.L93.B0,ec-3"');

    expect(matchAdVariant(content, 'ts', [vc(hevc)])).toBe(hevc);
  });

  test('does not hold a family missing from one side against the candidate', () => {
    const content = variant('BANDWIDTH=1000000,CODECS="avc1.64001f,mp4a.40.2"');
    const videoOnly = variant('BANDWIDTH=1000000,CODECS="avc1.64001f"');

    expect(matchAdVariant(content, 'ts', [vc(videoOnly)])).toBe(videoOnly);
  });

  test('picks the nearest bandwidth on a log scale, not a linear one', () => {
    const content = variant('BANDWIDTH=2000000');
    // Linear distances: 1.0M and 1.5M; log ratios: 2.0 and 1.75.
    const [low, high] = variants('BANDWIDTH=1000000', 'BANDWIDTH=3500000');

    expect(matchAdVariant(content, 'ts', [vc(low), vc(high)])).toBe(high);
  });

  test('weighs resolution with bandwidth', () => {
    const content = variant('BANDWIDTH=3000000,RESOLUTION=1280x720');
    const [sameResolution, sameBandwidth] = variants('BANDWIDTH=1500000,RESOLUTION=1280x720', 'BANDWIDTH=3000000,RESOLUTION=640x360');

    expect(matchAdVariant(content, 'ts', [vc(sameBandwidth), vc(sameResolution)])).toBe(sameResolution);
  });

  test('ignores resolution when a side does not declare it', () => {
    const content = variant('BANDWIDTH=3000000');
    const [near, far] = variants('BANDWIDTH=2800000,RESOLUTION=320x180', 'BANDWIDTH=1000000,RESOLUTION=1920x1080');

    expect(matchAdVariant(content, 'ts', [vc(far), vc(near)])).toBe(near);
  });

  test('breaks a tie in favour of the lower bandwidth, whatever the candidate order', () => {
    const content = variant('BANDWIDTH=2000000');
    const [double, half] = variants('BANDWIDTH=4000000', 'BANDWIDTH=1000000');

    expect(matchAdVariant(content, 'ts', [vc(double), vc(half)])).toBe(half);
    expect(matchAdVariant(content, 'ts', [vc(half), vc(double)])).toBe(half);
  });

  test('matches an I-frame variant only with an I-frame variant', () => {
    const content = iframeVariant('BANDWIDTH=200000');
    const regular = variant('BANDWIDTH=200000');
    const iframes = iframeVariant('BANDWIDTH=100000');

    expect(matchAdVariant(content, 'ts', [vc(regular)])).toBeUndefined();
    expect(matchAdVariant(content, 'ts', [vc(regular), vc(iframes)])).toBe(iframes);
  });

  test('does not match a regular variant with an I-frame variant', () => {
    const content = variant('BANDWIDTH=200000');

    expect(matchAdVariant(content, 'ts', [vc(iframeVariant('BANDWIDTH=200000'))])).toBeUndefined();
  });
});

describe('matchAdRendition', () => {
  const english = '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",CHANNELS="2",URI="en.m3u8"';

  test('finds nothing among no candidates', () => {
    expect(matchAdRendition(rendition(english), 'ts', [])).toBeUndefined();
  });

  test('requires the same container', () => {
    const [candidate] = renditionsOf(['#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",URI="ad/en.m3u8"']);

    expect(matchAdRendition(rendition(english), 'packed-audio', [rc(candidate, 'fmp4')])).toBeUndefined();
    expect(matchAdRendition(rendition(english), 'packed-audio', [rc(candidate, 'packed-audio')])).toBe(candidate);
  });

  test('requires the same type', () => {
    const [subtitles] = renditionsOf(['#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="aud",NAME="English",LANGUAGE="en",URI="ad/en.m3u8"']);

    expect(matchAdRendition(rendition(english), 'ts', [rc(subtitles)])).toBeUndefined();
  });

  test('prefers the same group and language over the same language alone', () => {
    const [otherGroup, sameGroup] = renditionsOf([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad-audio",NAME="English",LANGUAGE="en",CHANNELS="2",DEFAULT=YES,URI="ad/en.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",URI="ad/aud-en.m3u8"',
    ]);

    expect(matchAdRendition(rendition(english), 'ts', [rc(otherGroup), rc(sameGroup)])).toBe(sameGroup);
  });

  test('prefers the same language over the same channels and DEFAULT=YES', () => {
    const [sameChannels, sameLanguage] = renditionsOf([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="German",LANGUAGE="de",CHANNELS="2",DEFAULT=YES,URI="ad/de.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="English",LANGUAGE="en",CHANNELS="6",URI="ad/en.m3u8"',
    ]);

    expect(matchAdRendition(rendition(english), 'ts', [rc(sameChannels), rc(sameLanguage)])).toBe(sameLanguage);
  });

  test('prefers the same channel count over DEFAULT=YES', () => {
    const [isDefault, sameChannels] = renditionsOf([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="Surround",LANGUAGE="de",CHANNELS="6",DEFAULT=YES,URI="ad/6ch.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="Stereo",LANGUAGE="de",CHANNELS="2",URI="ad/2ch.m3u8"',
    ]);

    expect(matchAdRendition(rendition(english), 'ts', [rc(isDefault), rc(sameChannels)])).toBe(sameChannels);
  });

  test('prefers DEFAULT=YES when nothing else tells candidates apart', () => {
    const [first, isDefault] = renditionsOf([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="Spanish",LANGUAGE="es",URI="ad/es.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="German",LANGUAGE="de",DEFAULT=YES,URI="ad/de.m3u8"',
    ]);

    expect(matchAdRendition(rendition(english), 'ts', [rc(first), rc(isDefault)])).toBe(isDefault);
  });

  test('keeps the first candidate in playlist order on a full tie', () => {
    const [first, second] = renditionsOf([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="Spanish",LANGUAGE="es",URI="ad/es.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="German",LANGUAGE="de",URI="ad/de.m3u8"',
    ]);

    expect(matchAdRendition(rendition(english), 'ts', [rc(first), rc(second)])).toBe(first);
  });

  test('does not count a language both sides leave out as the same language', () => {
    const content = rendition('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Main",URI="main.m3u8"');
    const [noLanguage, isDefault] = renditionsOf([
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="Main",URI="ad/main.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ad",NAME="Other",LANGUAGE="de",DEFAULT=YES,URI="ad/de.m3u8"',
    ]);

    expect(matchAdRendition(content, 'ts', [rc(noLanguage), rc(isDefault)])).toBe(isDefault);
  });

  test('matches subtitles with subtitles by language', () => {
    const content = rendition('#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="French",LANGUAGE="fr",URI="subs/fr.m3u8"');
    const [german, french] = renditionsOf([
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="ad-subs",NAME="German",LANGUAGE="de",DEFAULT=YES,URI="ad/de.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="ad-subs",NAME="French",LANGUAGE="fr",URI="ad/fr.m3u8"',
    ]);

    expect(matchAdRendition(content, 'webvtt', [rc(german, 'webvtt'), rc(french, 'webvtt')])).toBe(french);
  });
});

describe('matchAdRendition order of preference', () => {
  test('a same-language ad rendition in another group beats a same-group one in another language', () => {
    const content = new Rendition({ type: 'AUDIO', uri: 'https://c.example.com/fr.m3u8', groupId: 'aud', name: 'Francais', language: 'fr', isDefault: false, autoselect: false, forced: false });
    const otherLanguage = new Rendition({ type: 'AUDIO', uri: 'https://a.example.com/en.m3u8', groupId: 'aud', name: 'English', language: 'en', isDefault: false, autoselect: false, forced: false });
    const sameLanguage = new Rendition({ type: 'AUDIO', uri: 'https://a.example.com/fr.m3u8', groupId: 'other', name: 'Francais', language: 'fr', isDefault: false, autoselect: false, forced: false });
    const candidates = [otherLanguage, sameLanguage].map((candidate) => ({ rendition: candidate, container: 'ts' as const }));
    expect(matchAdRendition(content, 'ts', candidates)).toBe(sameLanguage);
  });
});

describe('containerOfText', () => {
  const extension = fc.constantFrom('ts', 'TS', 'm4s', 'mp4', 'cmfv', 'aac', 'ac3', 'ec3', 'mp3', 'vtt', 'webvtt', 'bin', '');
  const segmentUri = fc.tuple(fc.constantFrom('', 'https://cdn.example.com/a/', '../b/'), fc.stringMatching(/^[a-z0-9_]{1,8}$/), extension,
    fc.constantFrom('', '?token=x.m4s', '#frag'))
    .map(([prefix, name, ext, suffix]) => `${prefix}${name}${ext ? `.${ext}` : ''}${suffix}`);
  const mediaText = fc.record({
    mapBeforeFirst: fc.boolean(),
    mapAfterFirst: fc.boolean(),
    uris: fc.array(segmentUri, { minLength: 1, maxLength: 5 }),
    comments: fc.boolean(),
  }).map(({ mapBeforeFirst, mapAfterFirst, uris, comments }) => {
    const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2'];
    if (comments) lines.push('# a comment', '');
    if (mapBeforeFirst) lines.push('#EXT-X-MAP:URI="init.mp4"');
    uris.forEach((uri, index) => {
      if (index === 1 && mapAfterFirst) lines.push('#EXT-X-MAP:URI="init2.mp4"');
      lines.push('#EXTINF:2.0,', uri);
    });
    return `${lines.join('\n')}\n#EXT-X-ENDLIST\n`;
  });

  test('tells the same container as the parsed playlist does', () => {
    fc.assert(fc.property(mediaText, (text) => {
      const parsed = absolutizePlaylist(parsePlaylist(text, { strict: false }), 'https://origin.example.com/v/index.m3u8') as MediaPlaylist;
      expect(containerOfText(text)).toBe(containerOf(parsed));
    }), { numRuns: 300 });
  });
});
