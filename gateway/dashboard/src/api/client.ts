import type { Caller, Role, Tokens } from './types';

/** An RFC 9457 problem (or any non-2xx answer) from the API. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  accessExpiresAt: number;
  userName: string;
  role: Role;
}

export interface SessionStore {
  load(): Session | null;
  save(session: Session | null): void;
}

/** Tokens live in sessionStorage: they go with the tab, never in a cookie or localStorage. */
export const browserSessionStore: SessionStore = {
  load() {
    const raw = globalThis.sessionStorage?.getItem('radai.session');
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Session;
    } catch {
      return null;
    }
  },
  save(session) {
    if (session) globalThis.sessionStorage?.setItem('radai.session', JSON.stringify(session));
    else globalThis.sessionStorage?.removeItem('radai.session');
  },
};

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Reads a problem document from a failed answer (RFC 9457: title, detail, and a validation problem's `errors`, field
 * by field); any other body (a proxy's 503 page) gives the status text.
 */
export async function problemOf(response: Response): Promise<ApiError> {
  let title = response.statusText || `HTTP ${response.status}`;
  let detail: string | null = null;
  try {
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      const body = (await response.json()) as { title?: unknown; detail?: unknown; errors?: unknown };
      if (typeof body.title === 'string' && body.title) title = body.title;
      if (typeof body.detail === 'string' && body.detail) detail = body.detail;
      if (body.errors && typeof body.errors === 'object') {
        const fields = Object.entries(body.errors as Record<string, unknown>)
          .map(([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.join(' ') : String(messages)}`);
        if (fields.length) detail = [detail, ...fields].filter(Boolean).join(' — ');
      }
    }
  } catch {
    // The status is enough.
  }
  return new ApiError(response.status, title, detail);
}

/** The status of an ApiError for a request that got no answer at all (node unreachable, connection cut). */
export const NO_ANSWER = 0;

const KNOWN_ROLES: readonly Role[] = ['admin', 'radiologist', 'viewer'];

/** The strongest known role of a caller (a user has one). */
export function roleOf(caller: Caller): Role | null {
  for (const role of KNOWN_ROLES) if (caller.roles.includes(role)) return role;
  return null;
}

/**
 * The API as the dashboard uses it: bearer token on every call, one refresh (POST /api/auth/refresh) when the access
 * token is about to expire or a call answers 401, sign-out when the refresh is refused.
 */
export class ApiClient {
  private session: Session | null;
  private refreshing: Promise<Session | null> | null = null;
  private readonly listeners = new Set<(session: Session | null) => void>();

  constructor(
    private readonly fetchImpl: FetchLike = (input, init) => globalThis.fetch(input, init),
    private readonly store: SessionStore = browserSessionStore,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.session = store.load();
  }

  get current(): Session | null {
    return this.session;
  }

  onSessionChange(listener: (session: Session | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async login(userName: string, password: string): Promise<Session> {
    const response = await this.fetchOrNoAnswer('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username: userName, password }),
    });
    if (!response.ok) throw await problemOf(response);
    const tokens = (await response.json()) as Tokens;
    const caller = await this.whoAmI(tokens.accessToken);
    const role = roleOf(caller);
    if (!role) throw new ApiError(403, 'No role', 'This account has no dashboard role.');
    const session: Session = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessExpiresAt: this.now() + tokens.expiresIn * 1000,
      userName: caller.name ?? userName,
      role,
    };
    this.setSession(session);
    return session;
  }

  async logout(): Promise<void> {
    const session = this.session;
    this.setSession(null);
    if (session) {
      try {
        await this.fetchImpl('/api/auth/logout', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refreshToken: session.refreshToken }),
        });
      } catch {
        // Signed out locally either way.
      }
    }
  }

  /** A fetch with the caller's token; refreshes once on 401. Throws ApiError on a non-2xx answer. */
  async send(path: string, init: RequestInit = {}): Promise<Response> {
    let session = await this.freshSession();
    let response = await this.fetchOrNoAnswer(path, this.withToken(init, session));
    if (response.status === 401 && session) {
      session = await this.refresh(session);
      if (!session) throw new ApiError(401, 'Session expired', null);
      response = await this.fetchOrNoAnswer(path, this.withToken(init, session));
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.send(path, { ...init, headers: { Accept: 'application/json', ...(init.headers ?? {}) } });
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  async post<T>(path: string, body?: unknown, method = 'POST'): Promise<T> {
    return this.json<T>(path, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** The current access token, refreshed when it expires within 30 s (for streams that cannot retry). */
  async freshSession(): Promise<Session | null> {
    const session = this.session;
    if (session && session.accessExpiresAt - this.now() < 30_000) return this.refresh(session);
    return session;
  }

  /** A request that got no answer (network error) is an ApiError with status {@link NO_ANSWER}; an abort stays one. */
  private async fetchOrNoAnswer(path: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(path, init);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(NO_ANSWER, 'No answer', error instanceof Error ? error.message : String(error));
    }
  }

  private withToken(init: RequestInit, session: Session | null): RequestInit {
    const headers = new Headers(init.headers);
    if (session) headers.set('Authorization', `Bearer ${session.accessToken}`);
    return { ...init, headers };
  }

  private async whoAmI(accessToken: string): Promise<Caller> {
    const response = await this.fetchImpl('/api/auth/me', { headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' } });
    if (!response.ok) throw await problemOf(response);
    return (await response.json()) as Caller;
  }

  /** One refresh at a time: concurrent calls wait for the same one (a spent refresh token revokes the session). */
  private refresh(session: Session): Promise<Session | null> {
    this.refreshing ??= (async () => {
      try {
        const response = await this.fetchImpl('/api/auth/refresh', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ refreshToken: session.refreshToken }),
        });
        if (!response.ok) {
          this.setSession(null);
          return null;
        }
        const tokens = (await response.json()) as Tokens;
        const next: Session = {
          ...session,
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          accessExpiresAt: this.now() + tokens.expiresIn * 1000,
        };
        this.setSession(next);
        return next;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private setSession(session: Session | null) {
    this.session = session;
    this.store.save(session);
    for (const listener of this.listeners) listener(session);
  }
}
