// Control messages of the edge tunnel: JSON carried in CONTROL frames on stream 0 (registration, exposure
// points) and the metadata of a stream's SYN. Parsers return null for anything malformed; the receiver then
// ends the session with GO_AWAY(PROTOCOL_ERROR) or resets the stream.

/** An exposure point as the tunnel describes it (mirrors runtime/kernel/net/exposure.ts ExposurePoint). */
export interface PointInfo {
  id: string;
  kind: 'unix' | 'tcp';
  path?: string;
  port?: number;
  address?: string;
  /** The point served at the tunnel's bare host name (<id>.<domain>). */
  default?: boolean;
}

/** sandbox -> edge: first message of every session. */
export interface Hello { type: 'hello'; version: 1; secret?: string; resume?: string; points: PointInfo[]; agent?: string }
/** sandbox -> edge: a point appeared / went away. */
export interface PointAdded { type: 'point-added'; point: PointInfo }
export interface PointRemoved { type: 'point-removed'; id: string }
/** edge -> sandbox: registration accepted. `urls` maps point ids to their public URLs. */
export interface Welcome { type: 'welcome'; id: string; resume: string; resumed: boolean; graceMs: number; urls: Record<string, string> }
/** edge -> sandbox: the public URL of a point added later. */
export interface PointUrl { type: 'point-url'; id: string; url: string }
/** edge -> sandbox: why the session is about to end (then GO_AWAY). */
export interface ControlError { type: 'error'; code: string; message: string }

export type ClientMessage = Hello | PointAdded | PointRemoved;
export type EdgeMessage = Welcome | PointUrl | ControlError;

/** The metadata of a stream the edge opens: which point, and who the public client is (for logs). */
export interface OpenMeta { point: string; remote?: string }

export const PROTOCOL_VERSION = 1;
const MAX_POINTS = 256;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const optStr = (v: unknown, max = 4096): boolean => v === undefined || isStr(v, max);

export function parsePoint(v: unknown): PointInfo | null {
  if (!isObj(v) || !isStr(v['id'], 1024) || (v['kind'] !== 'unix' && v['kind'] !== 'tcp')) return null;
  if (!optStr(v['path'], 1024) || !optStr(v['address'], 64)) return null;
  const port = v['port'];
  if (port !== undefined && !(Number.isInteger(port) && (port as number) > 0 && (port as number) < 65536)) return null;
  if (v['default'] !== undefined && typeof v['default'] !== 'boolean') return null;
  const p: PointInfo = { id: v['id'], kind: v['kind'] };
  if (v['path'] !== undefined) p.path = v['path'] as string;
  if (port !== undefined) p.port = port as number;
  if (v['address'] !== undefined) p.address = v['address'] as string;
  if (v['default']) p.default = true;
  return p;
}

export function parseClientMessage(v: unknown): ClientMessage | null {
  if (!isObj(v)) return null;
  switch (v['type']) {
    case 'hello': {
      if (v['version'] !== PROTOCOL_VERSION || !optStr(v['secret'], 1024) || !optStr(v['resume'], 256) || !optStr(v['agent'], 256)) return null;
      if (!Array.isArray(v['points']) || v['points'].length > MAX_POINTS) return null;
      const points = v['points'].map(parsePoint);
      if (points.some((p) => p === null)) return null;
      const h: Hello = { type: 'hello', version: 1, points: points as PointInfo[] };
      if (v['secret'] !== undefined) h.secret = v['secret'] as string;
      if (v['resume'] !== undefined) h.resume = v['resume'] as string;
      if (v['agent'] !== undefined) h.agent = v['agent'] as string;
      return h;
    }
    case 'point-added': {
      const point = parsePoint(v['point']);
      return point ? { type: 'point-added', point } : null;
    }
    case 'point-removed':
      return isStr(v['id'], 1024) ? { type: 'point-removed', id: v['id'] } : null;
  }
  return null;
}

export function parseEdgeMessage(v: unknown): EdgeMessage | null {
  if (!isObj(v)) return null;
  switch (v['type']) {
    case 'welcome':
      if (!isStr(v['id'], 64) || !isStr(v['resume'], 256) || typeof v['resumed'] !== 'boolean' || typeof v['graceMs'] !== 'number' || !isObj(v['urls'])) return null;
      if (!Object.values(v['urls']).every((u) => isStr(u))) return null;
      return { type: 'welcome', id: v['id'], resume: v['resume'], resumed: v['resumed'], graceMs: v['graceMs'], urls: v['urls'] as Record<string, string> };
    case 'point-url':
      return isStr(v['id'], 1024) && isStr(v['url']) ? { type: 'point-url', id: v['id'], url: v['url'] } : null;
    case 'error':
      return isStr(v['code'], 64) && isStr(v['message']) ? { type: 'error', code: v['code'], message: v['message'] } : null;
  }
  return null;
}

export function parseOpenMeta(v: unknown): OpenMeta | null {
  if (!isObj(v) || !isStr(v['point'], 1024) || !optStr(v['remote'], 128)) return null;
  return v['remote'] === undefined ? { point: v['point'] } : { point: v['point'], remote: v['remote'] as string };
}
