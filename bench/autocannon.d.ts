// autocannon ships no types; only what bench/strategy.bench.ts reads.
declare module 'autocannon' {
  interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p99: number;
    total: number;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    non2xx: number;
    errors: number;
    timeouts: number;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    headers?: Record<string, string>;
    requests?: Array<{ setupRequest?: (req: autocannon.Request) => autocannon.Request }>;
  }
  function autocannon(options: Options): Promise<Result>;
  namespace autocannon {
    /** The request a setupRequest hook may rewrite. */
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    }
  }
  export = autocannon;
}
