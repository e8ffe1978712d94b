// pg ships no types (and @types/pg is not installed); only what test/helpers/query-capture.ts wraps.
declare module 'pg' {
  export class Client {
    query(...args: unknown[]): unknown;
  }
  const pg: { Client: typeof Client };
  export default pg;
}
