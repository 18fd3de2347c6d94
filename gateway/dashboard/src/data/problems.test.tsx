import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { ApiClient, ApiError, NO_ANSWER, problemOf, type Session } from '../api/client';
import { ErrorNotice, ErrorState } from '../components/common';
import { I18nContext, translator, type Language } from '../i18n';
import { describeError, errorLine } from './problems';

const fr = translator('fr');
const en = translator('en');

function render(node: React.ReactNode, language: Language = 'fr') {
  return renderToStaticMarkup(<I18nContext.Provider value={{ language, t: translator(language), setLanguage: () => {} }}>{node}</I18nContext.Provider>);
}

const problem = (status: number, body: unknown, type = 'application/problem+json') =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, statusText: status === 503 ? 'Service Unavailable' : '', headers: { 'Content-Type': type } });

describe('api errors shown to the user', () => {
  it('gives a headline in the dashboard language and the problem in the api words', () => {
    const error = new ApiError(504, 'No answer', 'inference did not answer within 30 s.');
    expect(describeError(error, fr)).toEqual({
      headline: "Le service n'a pas répondu à temps.", text: 'No answer — inference did not answer within 30 s. · HTTP 504', refused: false, transient: true,
    });
    expect(describeError(error, en).headline).toBe('The service did not answer in time.');
  });

  it('says a read-only (configured) refusal and a validation problem field by field', async () => {
    const conflict = await problemOf(problem(409, { title: 'Read-only', detail: 'STORESCP is configured (DicomIngest:Senders).' }));
    expect(errorLine(conflict, fr)).toBe('Modification refusée (défini par la configuration du nœud, ou déjà existant). Read-only — STORESCP is configured (DicomIngest:Senders). · HTTP 409');
    const invalid = await problemOf(problem(400, { title: 'One or more validation errors occurred.', errors: { password: ['Too short.'], role: ['Unknown role.'] } }));
    expect(invalid.detail).toBe('password: Too short. — role: Unknown role.');
    expect(describeError(invalid, en).headline).toBe('Request refused: a value is invalid.');
  });

  it('reads a 503 that is not a problem (a proxy page) from its status', async () => {
    const error = await problemOf(problem(503, '<html>down</html>', 'text/html'));
    expect(error.title).toBe('Service Unavailable');
    expect(describeError(error, fr)).toMatchObject({ headline: 'Service momentanément indisponible : réessayez dans un instant.', text: 'Service Unavailable · HTTP 503', transient: true });
  });

  it('says the title once when the detail repeats it', () => {
    expect(describeError(new ApiError(500, 'Boom', 'Boom'), en).text).toBe('Boom · HTTP 500');
  });

  it('turns a request without an answer into a localized "no answer"', async () => {
    const session: Session = { accessToken: 'T', refreshToken: 'R', accessExpiresAt: 1e12, userName: 'a', role: 'admin' };
    const api = new ApiClient(async () => { throw new TypeError('Failed to fetch'); }, { load: () => session, save: () => {} }, () => 0);
    const error = (await api.json('/api/senders').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(NO_ANSWER);
    expect(describeError(error, fr)).toMatchObject({ headline: 'Le nœud ne répond pas (réseau ou service arrêté).', text: 'Failed to fetch', transient: true });
  });

  it('renders the error state with the headline, the detail and a retry; a refusal without retry', () => {
    const html = render(<ErrorState error={new ApiError(503, 'Unavailable', 'dicom-ingest is not running.')} onRetry={() => {}} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('data-status="503"');
    expect(html).toContain('Service momentanément indisponible');
    expect(html).toContain('Unavailable — dicom-ingest is not running. · HTTP 503');
    expect(html).toContain('Réessayer');

    const english = render(<ErrorState error={new ApiError(503, 'Unavailable', null)} onRetry={() => {}} />, 'en');
    expect(english).toContain('Service unavailable for now');
    expect(english).toContain('Retry');

    const refused = render(<ErrorState error={new ApiError(403, 'Forbidden', 'admin only')} onRetry={() => {}} />);
    expect(refused).toContain("Votre rôle ne permet pas d&#x27;accéder à cette page.");
    expect(refused).not.toContain('admin only');
    expect(refused).not.toContain('<button');
  });

  it('renders a failed action as a notice with the api words', () => {
    const html = render(<ErrorNotice error={new ApiError(409, 'Read-only', 'DASHECHO is configured.')} />, 'en');
    expect(html).toContain('notice tone-error');
    expect(html).toContain('Change refused');
    expect(html).toContain('DASHECHO is configured.');
  });

  it('is never blank for an unexpected error', () => {
    expect(describeError(new Error('x is undefined'), en)).toEqual({ headline: 'Error', text: 'x is undefined', refused: false, transient: false });
    expect(describeError('odd', fr).text).toBe('odd');
  });
});
