// autocannon ships no types; only what the benches read.
declare module 'autocannon' {
  interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p99: number;
    max: number;
    total: number;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    non2xx: number;
    /** Responses by status class, e.g. `'4xx'`. */
    statusCodeStats?: Record<string, { count: number }>;
    errors: number;
    timeouts: number;
  }
  interface Options {
    url: string;
    method?: string;
    body?: string;
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
