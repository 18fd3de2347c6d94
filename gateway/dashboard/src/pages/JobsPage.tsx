import { useEffect, useRef, useState } from 'react';
import { JOB_STATUSES, type JobChange, type JobDetail, type JobPatient, type JobSummary } from '../api/types';
import { followJobEvents, type StreamState } from '../api/sse';
import { applyJobChange, DEFAULT_FILTERS, jobsQuery, matchesSearch, placeJob, type JobFilters } from '../data/jobs';
import { formatPersonName, identitiesToFetch, identityWords, mergeIdentities, patientsQuery, type Identity } from '../data/patients';
import { can } from '../data/roles';
import { formatDateTime, useI18n } from '../i18n';
import { Empty, ErrorState, Loading, StatusBadge, useApp } from '../components/common';
import { DateInput } from '../components/DateInput';

interface Page {
  jobs: JobSummary[];
  total: number;
}

export function JobsPage() {
  const { api, navigate, session } = useApp();
  const { t, language } = useI18n();
  const [filters, setFilters] = useState<JobFilters>(DEFAULT_FILTERS);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [stream, setStream] = useState<StreamState>('connecting');
  const [flash, setFlash] = useState<Set<string>>(new Set());
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const [generation, setGeneration] = useState(0);

  // The page of jobs for the server-side filters (search is applied on the rows, as the user types).
  useEffect(() => {
    let current = true;
    setError(null);
    api
      .send(jobsQuery(filters), { headers: { Accept: 'application/json' } })
      .then(async (response) => {
        const jobs = (await response.json()) as JobSummary[];
        const total = Number(response.headers.get('X-Total-Count') ?? jobs.length);
        if (current) setPage({ jobs, total });
      })
      .catch((e: Error) => current && setError(e));
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, filters.status, filters.modality, filters.sender, filters.from, filters.to, filters.limit, filters.offset, generation]);

  // Live changes: status and time of a row change in place (a pure update); a job not on the page is fetched once and
  // placed if it passes the filters.
  const pageRef = useRef(page);
  pageRef.current = page;
  useEffect(() => {
    const abort = new AbortController();
    const fetching = new Set<string>();
    void followJobEvents(
      api,
      (message) => {
        if (message.event !== 'job') return;
        const change = JSON.parse(message.data) as JobChange;
        setPage((current) => {
          if (!current) return current;
          const update = applyJobChange(current.jobs, change);
          return update.kind === 'updated' ? { ...current, jobs: update.jobs } : current;
        });
        const known = pageRef.current?.jobs.some((j) => j.jobId === change.jobId) ?? true;
        if (!known && !fetching.has(change.jobId)) {
          fetching.add(change.jobId);
          api
            .json<JobDetail>(`/api/jobs/${change.jobId}`)
            .then((detail) =>
              setPage((latest) => {
                if (!latest || latest.jobs.some((j) => j.jobId === detail.job.jobId)) return latest;
                const jobs = placeJob(latest.jobs, detail.job, filtersRef.current);
                return jobs === latest.jobs ? latest : { jobs, total: latest.total + 1 };
              }),
            )
            .catch(() => undefined)
            .finally(() => fetching.delete(change.jobId));
        }
        setFlash((f) => new Set(f).add(change.jobId));
        setTimeout(() => setFlash((f) => { const n = new Set(f); n.delete(change.jobId); return n; }), 1500);
      },
      setStream,
      abort.signal,
    );
    return () => abort.abort();
  }, [api]);

  // Patient identity, radiologists only (the api refuses the others): asked once per job shown, the rows of the page
  // and the jobs the live feed places; one audited request for the jobs not known yet.
  const showIdentity = can(session.role, 'patient-identity');
  const [identities, setIdentities] = useState<ReadonlyMap<string, Identity>>(new Map());
  const asked = useRef(new Set<string>());
  const pageJobIds = page?.jobs.map((j) => j.jobId).join(',') ?? '';
  useEffect(() => {
    if (!showIdentity || !pageJobIds) return;
    const wanted = identitiesToFetch(pageJobIds.split(','), identities, asked.current);
    if (wanted.length === 0) return;
    for (const id of wanted) asked.current.add(id);
    api
      .json<JobPatient[]>(patientsQuery(wanted))
      .then((answer) => setIdentities((known) => mergeIdentities(known, wanted, answer)))
      .catch(() => { for (const id of wanted) asked.current.delete(id); });
  }, [api, showIdentity, pageJobIds, identities]);

  const set = (patch: Partial<JobFilters>) => setFilters((f) => ({ ...f, offset: 0, ...patch }));
  const rows = page?.jobs.filter((j) => matchesSearch(j, filters.search, showIdentity ? identityWords(identities.get(j.jobId)) : [])) ?? [];

  return (
    <section className="page jobs" aria-labelledby="jobs-title">
      <div className="page-head">
        <h1 id="jobs-title">{t('jobs.title')}</h1>
        <span className={`live live-${stream}`} data-testid="live-state" data-state={stream}>
          <span className="dot" aria-hidden="true" />
          {stream === 'open' ? t('jobs.live') : stream === 'connecting' ? t('jobs.connecting') : t('jobs.retrying')}
        </span>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()} role="search">
        <input
          type="search"
          className="search"
          placeholder={t(showIdentity ? 'jobs.searchPatient' : 'jobs.search')}
          aria-label={t(showIdentity ? 'jobs.searchPatient' : 'jobs.search')}
          value={filters.search}
          onChange={(e) => setFilters((f) => ({ ...f, search: e.target.value }))}
        />
        <label>
          {t('jobs.status')}
          <select value={filters.status} onChange={(e) => set({ status: e.target.value as JobFilters['status'] })} name="status">
            <option value="">{t('jobs.allStatuses')}</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>{t(`status.${s}`)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('jobs.modality')}
          <input value={filters.modality} onChange={(e) => set({ modality: e.target.value })} size={4} name="modality" />
        </label>
        <label>
          {t('jobs.sender')}
          <input value={filters.sender} onChange={(e) => set({ sender: e.target.value })} size={12} name="sender" />
        </label>
        <DateInput label={t('jobs.from')} name="from" value={filters.from} onChange={(from) => set({ from })} />
        <DateInput label={t('jobs.to')} name="to" value={filters.to} onChange={(to) => set({ to })} />
        <button type="button" className="link" onClick={() => setFilters(DEFAULT_FILTERS)}>{t('jobs.clear')}</button>
      </form>
      {error ? (
        <ErrorState error={error} onRetry={() => setGeneration((g) => g + 1)} />
      ) : !page ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{t('jobs.empty')}</Empty>
      ) : (
        <>
          <table className="grid jobs-table">
            <thead>
              <tr>
                <th>{t('jobs.col.status')}</th>
                {showIdentity && <th>{t('jobs.col.patient')}</th>}
                {showIdentity && <th>{t('jobs.col.patientId')}</th>}
                <th>{t('jobs.col.updated')}</th>
                <th>{t('jobs.col.received')}</th>
                <th>{t('jobs.col.modalities')}</th>
                <th>{t('jobs.col.sender')}</th>
                <th>{t('jobs.col.study')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((job) => (
                <tr
                  key={job.jobId}
                  data-job-id={job.jobId}
                  data-study-uid={job.studyInstanceUid}
                  data-status={job.status}
                  className={flash.has(job.jobId) ? 'row flash' : 'row'}
                  onClick={() => navigate(`/jobs/${job.jobId}`)}
                  tabIndex={0}
                  onKeyDown={(e) => e.key === 'Enter' && navigate(`/jobs/${job.jobId}`)}
                >
                  <td><StatusBadge status={job.status} /></td>
                  {showIdentity && <td className="patient-name" data-testid="row-patient">{identityCell(identities, job.jobId, 'name')}</td>}
                  {showIdentity && <td className="patient-id">{identityCell(identities, job.jobId, 'id')}</td>}
                  <td>{formatDateTime(job.updatedAt, language)}</td>
                  <td>{formatDateTime(job.createdAt, language)}</td>
                  <td>{job.modalities.join(', ')}</td>
                  <td>{job.sendingAe}</td>
                  <td className="uid">{job.studyInstanceUid}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <span>{t('jobs.count', { shown: rows.length, total: page.total })}</span>
            <button type="button" disabled={filters.offset === 0} onClick={() => setFilters((f) => ({ ...f, offset: Math.max(0, f.offset - f.limit) }))}>
              {t('jobs.previous')}
            </button>
            <button type="button" disabled={filters.offset + filters.limit >= page.total} onClick={() => setFilters((f) => ({ ...f, offset: f.offset + f.limit }))}>
              {t('jobs.next')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** A row's patient name or ID: blank while unknown, a dash when the api has none (instances no longer stored). */
function identityCell(identities: ReadonlyMap<string, Identity>, jobId: string, what: 'name' | 'id'): string {
  if (!identities.has(jobId)) return '';
  const identity = identities.get(jobId);
  if (!identity) return '—';
  return what === 'name' ? formatPersonName(identity.patientName) : identity.patientId ?? '—';
}
