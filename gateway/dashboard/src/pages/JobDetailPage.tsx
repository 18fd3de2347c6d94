import { useEffect, useState } from 'react';
import type { AnalysisResults, JobChange, JobDetail, PatientHeader } from '../api/types';
import { ApiError } from '../api/client';
import { modelStatusNotice } from '../api/admin';
import { followJobEvents } from '../api/sse';
import { formatBytes, formatMeasurement, formatSeconds, stagesOf } from '../data/jobs';
import { can } from '../data/roles';
import { findingLabels } from '../data/findings';
import { formatPersonName } from '../data/patients';
import { formatDateTime, useI18n } from '../i18n';
import { Empty, ErrorState, Loading, ModelStatusBadge, Notice, Show, StatusBadge, useApp, useLoad } from '../components/common';
import { ImageViewer } from '../components/ImageViewer';
import { SrTree, type SrNode } from '../components/SrTree';

export function JobDetailPage({ jobId }: { jobId: string }) {
  const { api, session, navigate } = useApp();
  const { t, language } = useI18n();
  const [detail, reload] = useLoad(() => api.json<JobDetail>(`/api/jobs/${jobId}`), [jobId]);
  const status = detail.state === 'ready' ? detail.value.job.status : null;
  const analysed = status !== null && status !== 'received';
  const [findings] = useLoad<AnalysisResults | null>(
    () => (analysed ? api.json<AnalysisResults>(`/api/jobs/${jobId}/findings`).catch(notFoundAsNull) : Promise.resolve(null)),
    [jobId, analysed],
  );
  const [patient] = useLoad<PatientHeader | null>(
    () => (can(session.role, 'patient-identity') ? api.json<PatientHeader>(`/api/jobs/${jobId}/patient`).catch(notFoundAsNull) : Promise.resolve(null)),
    [jobId],
  );
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  // A run's slices are shown to those who may see images, when it found something in a known volume.
  const showViewer = (run: AnalysisResults['runs'][number]) => can(session.role, 'view-images') && run.findings.length > 0 && run.geometry.sizeZ > 0;

  // The detail follows the live feed: a change of this job reloads it.
  useEffect(() => {
    const abort = new AbortController();
    void followJobEvents(
      api,
      (m) => {
        if (m.event === 'job' && (JSON.parse(m.data) as JobChange).jobId === jobId) reload();
      },
      () => undefined,
      abort.signal,
    );
    return () => abort.abort();
  }, [api, jobId, reload]);

  const act = async (kind: 'rerun' | 'resend') => {
    setMessage(null);
    try {
      const answer = await api.post<{ jobId: string }>(`/api/jobs/${jobId}/${kind}`, kind === 'resend' ? {} : undefined);
      setMessage({ tone: 'ok', text: kind === 'rerun' ? t('job.rerunDone', { id: answer.jobId }) : t('job.resendDone') });
    } catch (e) {
      setMessage({ tone: 'error', text: (e as Error).message });
    }
  };

  if (detail.state === 'loading') return <Loading />;
  if (detail.state === 'error') return <ErrorState error={detail.error} onRetry={reload} />;
  const job = detail.value;
  const stages = stagesOf(job.timeline);
  const showReport = can(session.role, 'download-report');

  return (
    <section className="page job" aria-labelledby="job-title" data-job-id={job.job.jobId}>
      <a href="/jobs" className="back" onClick={(e) => { e.preventDefault(); navigate('/jobs'); }}>{t('job.back')}</a>
      <div className="page-head">
        <h1 id="job-title">{t('job.title')} <span className="uid">{job.job.studyInstanceUid}</span></h1>
        <StatusBadge status={job.job.status} />
        <div className="actions">
          {can(session.role, 'rerun') && (
            <button type="button" onClick={() => void act('rerun')} data-action="rerun">{t('job.rerun')}</button>
          )}
          {can(session.role, 'resend') && job.report && (
            <button type="button" onClick={() => void act('resend')} data-action="resend">{t('job.resend')}</button>
          )}
        </div>
      </div>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}

      <div className="facts card">
        {patient.state === 'ready' && patient.value && (
          <dl className="patient" data-testid="patient">
            <div><dt>{t('job.patient')}</dt><dd>{formatPersonName(patient.value.patientName)}</dd></div>
            <div><dt>{t('job.patientId')}</dt><dd>{patient.value.patientId ?? '—'}</dd></div>
            <div><dt>{t('job.birthDate')}</dt><dd>{formatDicomDate(patient.value.patientBirthDate)}</dd></div>
            <div><dt>{t('job.accession')}</dt><dd>{patient.value.accessionNumber ?? '—'}</dd></div>
            <div><dt>{t('job.studyDate')}</dt><dd>{formatDicomDate(patient.value.studyDate)}</dd></div>
          </dl>
        )}
        <dl>
          <div><dt>{t('jobs.col.sender')}</dt><dd>{job.job.sendingAe}</dd></div>
          <div><dt>{t('job.calledAe')}</dt><dd>{job.calledAeTitle ?? '—'}</dd></div>
          <div><dt>{t('job.profile')}</dt><dd>{job.routingProfile ?? '—'}</dd></div>
          <div><dt>{t('jobs.col.modalities')}</dt><dd>{job.job.modalities.join(', ')}</dd></div>
          <div><dt>{t('jobs.col.received')}</dt><dd>{formatDateTime(job.job.createdAt, language)}</dd></div>
        </dl>
      </div>

      <h2>{t('job.timeline')}</h2>
      <ol className="timeline" data-testid="timeline">
        {stages.map((stage) => (
          <li key={stage.key} className={`stage stage-${stage.state}`} data-stage={stage.key} data-state={stage.state}>
            <span className="stage-name">{t(`stage.${stage.key}`)}</span>
            <span className="stage-time">
              {stage.state === 'pending' ? t('stage.pending') : formatDateTime(stage.at, language)}
              {stage.state === 'failed' && ` — ${t('stage.failed')}`}
              {stage.state === 'skipped' && ` — ${t('stage.skipped')}`}
            </span>
            {stage.seconds !== null && <span className="stage-duration">+{formatSeconds(stage.seconds)}</span>}
          </li>
        ))}
      </ol>

      {job.errors.length > 0 && (
        <>
          <h2>{t('job.errors')}</h2>
          <ul className="errors">
            {job.errors.map((e, i) => (
              <li key={i}><strong>{e.stage}</strong> {e.code && <code>{e.code}</code>} {e.reason}</li>
            ))}
          </ul>
        </>
      )}

      <h2>{t('job.routing')}</h2>
      {job.decisions.length === 0 ? <Empty /> : (
        <table className="grid" data-testid="decisions">
          <thead><tr><th>{t('job.series')}</th><th>{t('job.model')}</th><th>{t('job.selected')}</th><th>{t('job.reason')}</th></tr></thead>
          <tbody>
            {job.decisions.map((d, i) => (
              <tr key={i} className={d.selected ? '' : 'muted'}>
                <td className="uid">{seriesLabel(job, d.seriesInstanceUid)}</td>
                <td>{d.modelId}</td>
                <td>{d.selected ? t('job.yes') : t('job.no')}</td>
                <td>{d.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>{t('job.findings')}</h2>
      {!analysed ? <Empty>{t('job.notAnalysed')}</Empty> : (
        <Show value={findings}>
          {(results) => !results || results.runs.every((r) => r.findings.length === 0) ? <Empty>{t('job.noFindings')}</Empty> : (
            <div className="runs">
              {results.runs.map((run) => (
                <div key={run.runId} className="run card" data-run={run.runId} data-model={run.model.id}>
                  <h3>
                    {run.model.name} <span className="muted">{run.model.version}</span> <ModelStatusBadge status={run.model.status} />
                  </h3>
                  {modelStatusNotice(run.model.status) && <p className="warning">{t(modelStatusNotice(run.model.status) === 'demo' ? 'job.demoWarning' : 'job.researchWarning')}</p>}
                  {/* On a reading-room screen the viewer sits beside the table (styles.css, min-width 2200px). */}
                  <div className={`run-body${showViewer(run) ? ' with-viewer' : ''}`}>
                    <table className="grid findings" data-testid="findings">
                      <thead><tr><th>{t('job.finding')}</th><th>{t('job.site')}</th><th>{t('job.measurement')}</th><th className="num">{t('job.value')}</th><th>{t('job.unit')}</th></tr></thead>
                      <tbody>
                        {run.findings.flatMap((f) => {
                          const names = findingLabels(run, f, language);
                          return (f.measurements.length ? f.measurements : [null]).map((m, i) => (
                            <tr key={`${f.id}-${i}`} data-finding={f.id}>
                              <td data-name={i === 0 ? names.name : undefined}>{i === 0 ? names.name : ''}</td>
                              <td>{i === 0 ? names.site || '—' : ''}</td>
                              <td>{m ? names.measurements[i] : '—'}</td>
                              <td className="num" data-value={m?.value}>{m ? formatMeasurement(m.value) : '—'}</td>
                              <td>{m ? names.units[i] : ''}</td>
                            </tr>
                          ));
                        })}
                      </tbody>
                    </table>
                    {showViewer(run) && <ImageViewer jobId={jobId} run={run} />}
                  </div>
                </div>
              ))}
            </div>
          )}
        </Show>
      )}

      <h2>{t('job.report')}</h2>
      {!job.report ? <Empty>{t('job.noReport')}</Empty> : (
        <div className="card report">
          <table className="grid">
            <tbody>
              {job.report.objects.map((o) => (
                <tr key={o.sopInstanceUid}>
                  <td>{o.kind}</td>
                  <td className="uid">{o.sopInstanceUid}</td>
                  <td className="num">{formatBytes(o.sizeBytes)}</td>
                  <td>
                    {showReport && ['SR', 'SEG', 'PDF'].includes(o.kind) && (
                      <button type="button" data-download={o.kind.toLowerCase()} onClick={() => void download(api, jobId, o.kind.toLowerCase(), `${o.sopInstanceUid}.dcm`)}>
                        {t('job.download')} {o.kind}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {showReport && job.report.hasPdfDocument && <PdfPreview jobId={jobId} />}
          {showReport && job.report.objects.some((o) => o.kind === 'SR') && <SrContent jobId={jobId} />}
        </div>
      )}

      <h2>{t('job.deliveries')}</h2>
      {job.deliveries.length === 0 ? <Empty /> : (
        <table className="grid" data-testid="deliveries">
          <thead><tr><th>{t('job.destination')}</th><th>{t('jobs.col.status')}</th><th>{t('jobs.col.updated')}</th><th>{t('job.attempts')}</th><th>{t('job.reason')}</th></tr></thead>
          <tbody>
            {job.deliveries.map((d) => (
              <tr key={d.destinationAeTitle}>
                <td>{d.destinationAeTitle}</td>
                <td><span className={`badge tone-${d.status === 'delivered' ? 'ok' : 'error'}`}>{d.status}</span></td>
                <td>{formatDateTime(d.at, language)}</td>
                <td>{d.attempts}</td>
                <td>{d.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {job.relatedJobs.length > 0 && (
        <>
          <h2>{t('job.related')}</h2>
          <ul>
            {job.relatedJobs.map((id) => (
              <li key={id}><a href={`/jobs/${id}`} onClick={(e) => { e.preventDefault(); navigate(`/jobs/${id}`); }}>{id}</a></li>
            ))}
          </ul>
        </>
      )}

      <details className="events">
        <summary>{t('job.events')} ({job.timeline.length})</summary>
        <ol>
          {job.timeline.map((e, i) => (
            <li key={i}><code>{e.eventType}</code> {formatDateTime(e.occurredAt, language)}</li>
          ))}
        </ol>
      </details>
    </section>
  );
}

function notFoundAsNull(e: unknown): null {
  if (e instanceof ApiError && e.status === 404) return null;
  throw e;
}

function seriesLabel(job: JobDetail, uid: string): string {
  const series = job.series.find((s) => s.seriesInstanceUid === uid);
  return series ? `${series.modality} · ${series.instanceCount} · …${uid.slice(-12)}` : uid;
}

/** DICOM PN "Family^Given^Middle^Prefix^Suffix" as "FAMILY Given". */
function formatDicomDate(da: string | null): string {
  if (!da || !/^\d{8}$/.test(da)) return da ?? '—';
  return `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}`;
}

async function download(api: ReturnType<typeof useApp>['api'], jobId: string, kind: string, name: string) {
  const response = await api.send(`/api/jobs/${jobId}/report/${kind}`);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The PDF is fetched with the caller's token and shown from a blob: URL (an iframe cannot send the token). */
function PdfPreview({ jobId }: { jobId: string }) {
  const { api } = useApp();
  const { t } = useI18n();
  const [pdf] = useLoad(async () => {
    const response = await api.send(`/api/jobs/${jobId}/report/pdf?format=pdf`);
    const blob = await response.blob();
    return { url: URL.createObjectURL(new Blob([blob], { type: 'application/pdf' })), size: blob.size };
  }, [jobId]);
  useEffect(() => () => { if (pdf.state === 'ready') URL.revokeObjectURL(pdf.value.url); }, [pdf]);
  return (
    <div className="pdf">
      <h3>{t('job.pdfPreview')}</h3>
      <Show value={pdf}>
        {({ url, size }) => (
          <>
            <a href={url} target="_blank" rel="noopener" data-testid="pdf-link" data-size={size}>{t('job.openPdf')} ({formatBytes(size)})</a>
            <iframe src={url} title={t('job.pdfPreview')} className="pdf-frame" data-testid="pdf-frame" />
          </>
        )}
      </Show>
    </div>
  );
}

function SrContent({ jobId }: { jobId: string }) {
  const { api } = useApp();
  const { t } = useI18n();
  const [tree] = useLoad(() => api.json<SrNode>(`/api/jobs/${jobId}/report/sr/content`), [jobId]);
  return (
    <details className="sr" data-testid="sr-tree">
      <summary>{t('job.srTree')}</summary>
      <Show value={tree}>{(root) => <SrTree node={root} />}</Show>
    </details>
  );
}
