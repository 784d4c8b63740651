/**
 * A js-yaml schema with the YAML 1.1 scalars that PyYAML (hence Ansible) resolves, so a value
 * means the same to us as to ansible-inventory: `yes`/`off` are booleans, `0755` is octal (493),
 * `1:20` is sexagesimal (80), `1e5` stays a string (1.1 floats need a dot), dates become the ISO
 * strings ansible-inventory prints. js-yaml's default schema is YAML 1.2 and differs on all of these.
 */
import { FAILSAFE_SCHEMA, Type } from 'js-yaml';
import { VAULT_TAG } from '../vault/yaml-tag.js';

const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP_RE =
  /^(?:([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)$/;

function sexagesimal(text: string): number {
  let value = 0;
  for (const part of text.split(':')) value = value * 60 + Number(part);
  return value;
}

function constructInt(data: string): number {
  let text = data.replace(/_/g, '');
  let sign = 1;
  if (text[0] === '-' || text[0] === '+') {
    if (text[0] === '-') sign = -1;
    text = text.slice(1);
  }
  if (text === '0') return 0;
  if (text.startsWith('0b')) return sign * parseInt(text.slice(2), 2);
  if (text.startsWith('0x')) return sign * parseInt(text.slice(2), 16);
  if (text[0] === '0') return sign * parseInt(text, 8);
  if (text.includes(':')) return sign * sexagesimal(text);
  return sign * Number(text);
}

function constructFloat(data: string): number {
  let text = data.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (text[0] === '-' || text[0] === '+') {
    if (text[0] === '-') sign = -1;
    text = text.slice(1);
  }
  if (text === '.inf') return sign * Infinity;
  if (text === '.nan') return NaN;
  if (text.includes(':')) return sign * sexagesimal(text);
  return sign * Number(text);
}

const pad = (value: string | number, width: number): string => String(value).padStart(width, '0');

/** PyYAML builds date/datetime objects; ansible-inventory prints them with isoformat(). */
function constructTimestamp(data: string): string {
  const m = TIMESTAMP_RE.exec(data);
  if (!m) return data;
  if (m[1] !== undefined) return `${m[1]}-${m[2]}-${m[3]}`;
  let out = `${m[4]}-${pad(m[5] ?? '', 2)}-${pad(m[6] ?? '', 2)}T${pad(m[7] ?? '', 2)}:${m[8]}:${m[9]}`;
  const micro = (m[10] ?? '').slice(0, 6).padEnd(6, '0');
  if (Number(micro) !== 0) out += `.${micro}`;
  if (m[11] === 'Z') out += '+00:00';
  else if (m[12] !== undefined) out += `${m[12]}${pad(m[13] ?? '', 2)}:${pad(m[14] ?? '00', 2)}`;
  return out;
}

const types = [
  new Type('tag:yaml.org,2002:null', {
    kind: 'scalar',
    resolve: (data: string | null) => data === null || NULL_RE.test(data),
    construct: () => null,
  }),
  new Type('tag:yaml.org,2002:bool', {
    kind: 'scalar',
    resolve: (data: string | null) => data !== null && BOOL_RE.test(data),
    construct: (data: string) => /^(?:yes|true|on)$/i.test(data),
  }),
  new Type('tag:yaml.org,2002:int', {
    kind: 'scalar',
    resolve: (data: string | null) => data !== null && INT_RE.test(data),
    construct: constructInt,
  }),
  new Type('tag:yaml.org,2002:float', {
    kind: 'scalar',
    resolve: (data: string | null) => data !== null && FLOAT_RE.test(data),
    construct: constructFloat,
  }),
  new Type('tag:yaml.org,2002:timestamp', {
    kind: 'scalar',
    resolve: (data: string | null) => data !== null && TIMESTAMP_RE.test(data),
    construct: constructTimestamp,
  }),
  new Type('tag:yaml.org,2002:merge', {
    kind: 'scalar',
    resolve: (data: string | null) => data === '<<' || data === null,
  }),
];

/** Ansible's `!unsafe` marks a string that must not be templated: for us it is just a string. */
const unsafe = new Type('!unsafe', {
  kind: 'scalar',
  resolve: () => true,
  construct: (data: string | null) => data ?? '',
});

export const YAML11_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: types, explicit: [unsafe, VAULT_TAG] });
