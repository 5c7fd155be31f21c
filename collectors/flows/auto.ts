/** `--format auto`: picks the decoder per line, so mixed files and concatenated exports work. */
import { reject, type Decoded, type DecodeLimits, type Decoder, type FlowFormat } from './decode.ts';
import { hubbleDecoder, looksLikeHubble } from './hubble.ts';
import { netobservDecoder } from './netobserv.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

function looksLikeNetobserv(r: Record<string, unknown>): boolean {
  return 'SrcAddr' in r || 'DstAddr' in r || 'Etype' in r || 'TimeFlowEndMs' in r || 'Proto' in r;
}

export const autoDecoder: Decoder = {
  format: 'auto',
  decode(r: unknown, limits?: DecodeLimits): Decoded {
    if (!isPlainObject(r)) return reject('not-an-object');
    if (looksLikeNetobserv(r)) return netobservDecoder.decode(r, limits);
    if (looksLikeHubble(r)) return hubbleDecoder.decode(r, limits);
    return reject('unknown-format');
  },
};

export function decoderFor(format: FlowFormat): Decoder {
  switch (format) {
    case 'netobserv':
      return netobservDecoder;
    case 'hubble':
      return hubbleDecoder;
    case 'auto':
      return autoDecoder;
  }
}
