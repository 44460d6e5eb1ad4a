// Prometheus text exposition (format 0.0.4) of the edge's counters, served at /metrics on the edge's own host.
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  tunnelsConnected = 0;
  tunnelsWaiting = 0;
  registrations = new Map<string, number>();
  sessionsClosed = new Map<string, number>();
  streamsOpen = 0;
  streamsTotal = 0;
  bytesToSandbox = 0;
  bytesToClient = 0;
  publicConnectionsOpen = 0;
  requests = new Map<string, number>();
  private openCounts = new Array<number>(BUCKETS.length + 1).fill(0);
  private openSum = 0;
  private openCount = 0;

  inc(map: Map<string, number>, key: string): void { map.set(key, (map.get(key) ?? 0) + 1); }

  request(status: number | string): void { this.inc(this.requests, String(status)); }

  streamOpened(seconds: number): void {
    let i = BUCKETS.findIndex((b) => seconds <= b);
    if (i < 0) i = BUCKETS.length;
    this.openCounts[i]!++;
    this.openSum += seconds;
    this.openCount++;
  }

  render(): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, rows: [string, number][]): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of rows) out.push(`${name}${labels} ${v}`);
    };
    const labelled = (label: string, m: Map<string, number>): [string, number][] =>
      [...m].sort().map(([k, v]) => [`{${label}="${k.replace(/["\\\n]/g, '_')}"}`, v]);
    metric('edge_tunnels', 'gauge', 'Tunnels by state: connected, or waiting for a reconnect within the grace period.',
      [['{state="connected"}', this.tunnelsConnected], ['{state="waiting"}', this.tunnelsWaiting]]);
    metric('edge_tunnel_registrations_total', 'counter', 'Tunnel registrations by result.', labelled('result', this.registrations));
    metric('edge_tunnel_sessions_closed_total', 'counter', 'Tunnel sessions ended, by go-away code.', labelled('code', this.sessionsClosed));
    metric('edge_streams', 'gauge', 'Open tunnel streams.', [['', this.streamsOpen]]);
    metric('edge_streams_total', 'counter', 'Tunnel streams opened.', [['', this.streamsTotal]]);
    metric('edge_bytes_total', 'counter', 'Payload bytes relayed, by direction.',
      [['{direction="to_sandbox"}', this.bytesToSandbox], ['{direction="to_client"}', this.bytesToClient]]);
    metric('edge_public_connections', 'gauge', 'Open public HTTP connections.', [['', this.publicConnectionsOpen]]);
    metric('edge_http_requests_total', 'counter', 'Public HTTP requests by response status (edge pages included).', labelled('status', this.requests));
    out.push('# HELP edge_stream_open_seconds Time from opening a tunnel stream to the sandbox accepting it.', '# TYPE edge_stream_open_seconds histogram');
    let cum = 0;
    BUCKETS.forEach((b, i) => { cum += this.openCounts[i]!; out.push(`edge_stream_open_seconds_bucket{le="${b}"} ${cum}`); });
    out.push(`edge_stream_open_seconds_bucket{le="+Inf"} ${this.openCount}`, `edge_stream_open_seconds_sum ${this.openSum}`, `edge_stream_open_seconds_count ${this.openCount}`);
    return `${out.join('\n')}\n`;
  }
}
