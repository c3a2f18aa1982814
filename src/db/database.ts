/**
 * The one small interface jobnet's activities use for SQL, whichever engine is behind it:
 * PostgreSQL through `pg` (production, DATABASE_URL) or PGlite (the embedded default, so
 * `npm run dev` needs no database server). Both speak the same dialect — PGlite is PostgreSQL
 * compiled to WebAssembly — so every statement is written once, with `$1` parameters.
 */

export type SqlParam = string | number | boolean | null | Date;

export interface QueryResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted by the statement (0 for a SELECT on PGlite). */
  rowCount: number;
}

/** What can run statements: the database itself, or one open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<Row>>;
  /** Several statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Where the data is, for messages: a URL without its password, or a directory. */
  readonly location: string;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws —
   * or when the process dies half-way, which is what makes an effect and its idempotency key
   * land together or not at all.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
