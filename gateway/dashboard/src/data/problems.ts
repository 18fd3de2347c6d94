import { ApiError, NO_ANSWER } from '../api/client';
import type { MessageKey, Translate } from '../i18n';

/** What the dashboard shows of a failure: a headline in the user's language, then the api's own words (its problem). */
export interface ErrorView {
  /** In the dashboard's language, from the status. */
  headline: string;
  /** The problem's title and detail as the api wrote them (RFC 9457), and the status; null when there is nothing more. */
  text: string | null;
  /** 403: the caller's role may not do this (no retry helps). */
  refused: boolean;
  /** Worth a retry (no answer, 502/503/504, 5xx). */
  transient: boolean;
}

function headlineKey(status: number): MessageKey {
  if (status === NO_ANSWER) return 'error.noAnswer';
  if (status === 400 || status === 422) return 'error.invalid';
  if (status === 401) return 'error.session';
  if (status === 403) return 'app.refused';
  if (status === 404) return 'error.notFound';
  if (status === 409) return 'error.conflict';
  if (status === 502 || status === 503) return 'error.unavailable';
  if (status === 504) return 'error.timeout';
  if (status >= 500) return 'error.server';
  return 'app.error';
}

export function describeError(error: unknown, t: Translate): ErrorView {
  if (error instanceof ApiError) {
    const words = [error.title, error.detail].filter((w): w is string => !!w && w.trim() !== '');
    // A detail that repeats the title (ApiProblems fills a missing detail with the title) is said once.
    const unique = words.filter((w, i) => words.indexOf(w) === i);
    const status = error.status === NO_ANSWER ? null : `HTTP ${error.status}`;
    const said = error.status === NO_ANSWER ? unique.slice(1) : unique;
    const text = [said.join(' — '), status].filter(Boolean).join(' · ');
    return {
      headline: t(headlineKey(error.status)),
      text: text || null,
      refused: error.status === 403,
      transient: error.status === NO_ANSWER || error.status >= 500,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { headline: t('app.error'), text: message || null, refused: false, transient: false };
}

/** One line for a notice: the headline, then the api's words. */
export function errorLine(error: unknown, t: Translate): string {
  const view = describeError(error, t);
  return view.text ? `${view.headline} ${view.text}` : view.headline;
}
