import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiClient, ApiError, type Session } from '../api/client';
import { useI18n } from '../i18n';
import { statusTone } from '../data/jobs';
import { describeError } from '../data/problems';
import type { JobStatus } from '../api/types';

export interface AppContextValue {
  api: ApiClient;
  session: Session;
  navigate: (path: string) => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('outside the signed-in application');
  return value;
}

export type Loadable<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; value: T };

/** Loads `load()` when `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loadable<T>, () => void, (value: T) => void] {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setResult((r) => (r.state === 'ready' ? r : { state: 'loading' }));
    load().then(
      (value) => current && setResult({ state: 'ready', value }),
      (error: unknown) => current && setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const set = useCallback((value: T) => setResult({ state: 'ready', value }), []);
  return [result, reload, set];
}

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {t('app.loading')}
    </div>
  );
}

/**
 * A failed load: a headline in the user's language from the status (no answer, 503, 504, 409…), the problem's title
 * and detail as the api wrote them, and a retry; a 403 says the role may not, with no retry.
 */
export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const { t } = useI18n();
  const view = describeError(error, t);
  return (
    <div className="state state-error" role="alert" data-status={error instanceof ApiError ? error.status : ''}>
      <strong className="state-headline">{view.headline}</strong>
      {!view.refused && view.text && <span className="state-detail">{view.text}</span>}
      {onRetry && !view.refused && (
        <button type="button" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}

/** A failed action's message: the headline in the user's language and the api's words. */
export function ErrorNotice({ error }: { error: unknown }) {
  const { t } = useI18n();
  const view = describeError(error, t);
  return (
    <div className="notice tone-error" role="alert" data-status={error instanceof ApiError ? error.status : ''}>
      <strong>{view.headline}</strong>{view.text && <> <span className="state-detail">{view.text}</span></>}
    </div>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return <div className="state state-empty">{children ?? t('app.empty')}</div>;
}

/** Renders loading / error / value of a Loadable. */
export function Show<T>({ value, onRetry, children }: { value: Loadable<T>; onRetry?: () => void; children: (value: T) => ReactNode }) {
  if (value.state === 'loading') return <Loading />;
  if (value.state === 'error') return <ErrorState error={value.error} onRetry={onRetry} />;
  return <>{children(value.value)}</>;
}

export function StatusBadge({ status }: { status: JobStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge tone-${statusTone(status)}`} data-status={status}>
      {t(`status.${status}`)}
    </span>
  );
}

export function ModelStatusBadge({ status }: { status: string }) {
  const upper = status.toUpperCase();
  const tone = upper === 'CLINICAL' ? 'ok' : upper === 'RESEARCH' ? 'warn' : 'demo';
  return <span className={`badge badge-model tone-${tone}`}>{upper}</span>;
}

export function Notice({ tone, children }: { tone: 'ok' | 'error' | 'warn'; children: ReactNode }) {
  return (
    <div className={`notice tone-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
