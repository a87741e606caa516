import type { LogDialect } from './dialect.js';
import { asterisk } from './formats/asterisk.js';
import { audiocodes } from './formats/audiocodes.js';
import { avayaAttendant } from './formats/avaya-attendant.js';
import { avayaIpo } from './formats/avaya-ipo.js';
import { baresip } from './formats/baresip.js';
import { cisco } from './formats/cisco.js';
import { exosip } from './formats/exosip.js';
import { generic } from './formats/generic.js';
import { linphone } from './formats/linphone.js';
import { ngrep } from './formats/ngrep.js';
import { opensipsTracer } from './formats/opensips-tracer.js';
import { pjsip } from './formats/pjsip.js';
import { resiprocate } from './formats/resiprocate.js';
import { sipp } from './formats/sipp.js';
import { sipsorcery } from './formats/sipsorcery.js';
import { sngrep } from './formats/sngrep.js';
import { sofia } from './formats/sofia.js';
import { tcpdump } from './formats/tcpdump.js';

/** Line-based dialects, most specific first (the order breaks ties in detection). */
export const DIALECTS: readonly LogDialect[] = [
  pjsip,
  asterisk,
  sofia,
  sipp,
  avayaIpo,
  avayaAttendant,
  cisco,
  ngrep,
  sngrep,
  opensipsTracer,
  baresip,
  tcpdump,
  linphone,
  sipsorcery,
  audiocodes,
  resiprocate,
  exosip,
  generic,
];

/** Formats read by their own readers rather than a dialect. */
export const STRUCTURED_FORMATS = ['kamailio-sipdump', 'opensips-sip-trace', 'tshark-text', 'tshark-ek', 'tshark-json', 'homer-json'] as const;

/** Every format name frameLog accepts in `options.format`. */
export const LOG_FORMATS: readonly string[] = [...DIALECTS.map((d) => d.name), ...STRUCTURED_FORMATS];
