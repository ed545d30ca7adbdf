// AWS credentials (feature `aws`): merged into the declarations of types.d.ts.

export interface CognitoAuthOptions {
  /** An identity pool ("<region>:<uuid>") for AWS credentials (getCredentials, signRequest, fetchSigned). */
  identityPoolId?: string;
  /** cognito-identity endpoint; default https://cognito-identity.<region>.amazonaws.com/ */
  identityEndpoint?: string;
  /** Guest (unauthenticated) credentials when nobody is signed in. Default false. */
  allowGuestAccess?: boolean;
}

/** Temporary AWS credentials of the identity pool. */
export interface AwsCredentials {
  identityId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ms since the epoch. */
  expiration: number;
  /** For a signed-in user (false: a guest). */
  authenticated: boolean;
}

/** The AWS service and region a request is signed for, e.g. `{ service: 's3', region: 'eu-west-1' }`. */
export interface SigningScope {
  /** The signing name: s3, execute-api, lambda, geo, iotdevicegateway, ... */
  service: string;
  region: string;
}

/** A request as plain data (or pass a `Request`). */
export interface PlainRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | ArrayBuffer | ArrayBufferView | Blob | URLSearchParams | null;
}

export interface AuthEventMap {
  credentials: "credentialsRefresh" | "credentialsRefreshFailure";
}

export interface CognitoAuth {
  /**
   * The identity pool's AWS credentials: the signed-in user's, a guest's (allowGuestAccess), or
   * null. Cached until 5 minutes before they expire; one request for concurrent callers.
   */
  getCredentials(options?: { forceRefresh?: boolean }): Promise<AwsCredentials | null>;
  /** Signs a request (SigV4) with the current credentials: a Request gives a new Request. */
  signRequest(request: Request, scope: SigningScope): Promise<Request>;
  signRequest(request: PlainRequest, scope: SigningScope): Promise<Required<Pick<PlainRequest, "url" | "method" | "headers">> & Pick<PlainRequest, "body">>;
  /** fetch, signed with the current credentials. */
  fetchSigned(input: RequestInfo | URL, init: RequestInit | undefined, scope: SigningScope): Promise<Response>;
  /** A presigned URL (S3 GET/PUT); expiresIn (s, default 900) is capped at the credentials' remaining life. */
  presignUrl(url: string | URL, options: SigningScope & { expiresIn?: number; method?: "GET" | "PUT" }): Promise<{ url: string; expiresIn: number }>;
}
