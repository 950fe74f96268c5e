/**
 * Small, dependency-free helpers on MongoDB connection strings
 * (`mongodb[+srv]://[user[:password]@]host1[:port][,host2…][/[database]][?options]`). `URL` cannot parse
 * them (several hosts), and only the database path and the password matter here. In a valid connection
 * string the user info is percent-encoded, so the first `/` after the scheme starts the database path.
 */

/** Database used when neither the URI path nor `MongoStoreOptions.database` names one. */
export const DEFAULT_MONGO_DATABASE = 'virnyflow';

const SCHEME = /^mongodb(\+srv)?:\/\//i;

export function isMongoUri(spec: string): boolean {
  return SCHEME.test(spec);
}

interface UriParts {
  scheme: string;
  authority: string;
  database: string;
  query: string;
}

function split(uri: string): UriParts {
  const m = SCHEME.exec(uri);
  if (m === null) throw new TypeError(`not a MongoDB connection string: ${redactMongoUri(uri)}`);
  const scheme = m[0];
  const rest = uri.slice(scheme.length);
  const q = rest.indexOf('?');
  const beforeQuery = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q);
  const slash = beforeQuery.indexOf('/');
  return {
    scheme,
    authority: slash < 0 ? beforeQuery : beforeQuery.slice(0, slash),
    database: slash < 0 ? '' : beforeQuery.slice(slash + 1),
    query,
  };
}

/** The database named in the URI path, or undefined when the path is empty. */
export function databaseFromMongoUri(uri: string): string | undefined {
  const db = split(uri).database;
  return db === '' ? undefined : decodeURIComponent(db);
}

/** The same URI with its database path replaced (options and credentials kept). */
export function mongoUriWithDatabase(uri: string, database: string): string {
  const p = split(uri);
  return `${p.scheme}${p.authority}/${encodeURIComponent(database)}${p.query}`;
}

/** The URI with the password replaced by `***`, for messages and `StoreInfo`. */
export function redactMongoUri(uri: string): string {
  const m = SCHEME.exec(uri);
  if (m === null) return uri.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
  const rest = uri.slice(m[0].length);
  const at = rest.lastIndexOf('@', rest.search(/[/?]/) < 0 ? rest.length : rest.search(/[/?]/));
  let out = uri;
  if (at >= 0) {
    const userInfo = rest.slice(0, at);
    const colon = userInfo.indexOf(':');
    const user = colon < 0 ? userInfo : userInfo.slice(0, colon);
    out = `${m[0]}${colon < 0 ? user : `${user}:***`}${rest.slice(at)}`;
  }
  // Options such as tlsCertificateKeyFilePassword carry secrets too.
  return out.replace(/([?&][^=&]*password[^=&]*=)[^&]*/gi, '$1***');
}
