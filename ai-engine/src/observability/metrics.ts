/**
 * A small Prometheus text-format registry: counters, histograms and gauges read at scrape time.
 * Enough for request counts/latencies, per-stage inference time, gallery size and cameras.
 */
type Labels = Record<string, string | number>;
const key = (labels: Labels) => Object.entries(labels).sort().map(([k, v]) => `${k}="${String(v).replace(/["\\\n]/g, '_')}"`).join(',');

interface Metric { render(): string }

class Counter implements Metric {
  private values = new Map<string, number>();
  constructor(private readonly name: string, private readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void { const k = key(labels); this.values.set(k, (this.values.get(k) ?? 0) + by); }
  render(): string {
    const lines = [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${v}`);
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n${lines.join('\n')}`;
  }
}

class Histogram implements Metric {
  private series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(private readonly name: string, private readonly help: string, private readonly buckets: number[]) {}
  observe(labels: Labels, value: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((b, i) => { if (value <= b) s!.counts[i]++; });
    s.sum += value;
    s.count++;
  }
  render(): string {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${sep}le="${b}"} ${s.counts[i]}`));
      out.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`, `${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`, `${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out.join('\n');
  }
}

class Gauge implements Metric {
  constructor(private readonly name: string, private readonly help: string, private readonly read: () => number | Array<[Labels, number]>) {}
  render(): string {
    const v = this.read();
    const lines = typeof v === 'number' ? [`${this.name} ${v}`] : v.map(([l, n]) => `${this.name}{${key(l)}} ${n}`);
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n${lines.join('\n')}`;
  }
}

const MS_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

export class Metrics {
  private readonly all: Metric[] = [];
  readonly requests = this.add(new Counter('engine_http_requests_total', 'HTTP requests by route and status'));
  readonly requestMs = this.add(new Histogram('engine_http_request_duration_ms', 'HTTP request latency in ms', MS_BUCKETS));
  readonly stageMs = this.add(new Histogram('engine_inference_stage_ms', 'Inference time per stage in ms', MS_BUCKETS));
  readonly marks = this.add(new Counter('engine_attendance_marks_total', 'Attendance marks written, by source'));

  gauge(name: string, help: string, read: () => number | Array<[Labels, number]>): void {
    this.add(new Gauge(name, help, read));
  }

  render(): string {
    return this.all.map((m) => m.render()).join('\n') + '\n';
  }

  private add<T extends Metric>(m: T): T {
    this.all.push(m);
    return m;
  }
}
