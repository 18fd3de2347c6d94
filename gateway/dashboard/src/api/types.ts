// Shapes of the RadAI REST API (docs/api.md, docs/security.md). Only what the dashboard reads.

export type Role = 'admin' | 'radiologist' | 'viewer';

export type JobStatus =
  | 'received' | 'skipped' | 'analysed' | 'analysis-failed' | 'report-failed' | 'report-ready' | 'delivered' | 'delivery-failed';

export const JOB_STATUSES: readonly JobStatus[] = [
  'received', 'analysed', 'report-ready', 'delivered', 'skipped', 'analysis-failed', 'report-failed', 'delivery-failed',
];

export interface JobSummary {
  jobId: string;
  correlationId: string;
  studyInstanceUid: string;
  sendingAe: string;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  modalities: string[];
}

export interface JobTimelineEntry {
  sequence?: number;
  eventType: string;
  occurredAt: string;
  recordedAt?: string;
  traceId?: string | null;
  payload?: string;
}

export interface JobDecision { seriesInstanceUid: string; modelId: string; modelVersion?: string; selected: boolean; reason: string }
export interface JobModelRun {
  modelId: string; modelVersion: string; status?: string; seriesInstanceUid: string; findingCount: number;
  durationMs?: number; executionProvider?: string;
}
export interface JobReportObject { kind: string; sopClassUid: string; sopInstanceUid: string; seriesInstanceUid: string; sizeBytes: number }
export interface JobDelivery {
  destinationAeTitle: string; status: string; at: string; attempts: number; reason?: string | null;
  objects: { sopInstanceUid: string; status: number | null }[];
}
export interface JobError { stage: string; at: string; code?: string | null; reason: string; subject?: string | null }

export interface JobDetail {
  job: JobSummary;
  routingProfile?: string | null;
  calledAeTitle?: string | null;
  series: { seriesInstanceUid: string; modality: string; sopClassUid: string; instanceCount: number; totalBytes: number; bodyPartExamined?: string | null }[];
  decisions: JobDecision[];
  models: JobModelRun[];
  findings: { total: number; perRun: { modelId: string; modelVersion: string; seriesInstanceUid: string; findingCount: number }[] } | null;
  report: { readyAt: string; language: string; objects: JobReportObject[]; hasPdfDocument: boolean } | null;
  deliveries: JobDelivery[];
  errors: JobError[];
  relatedJobs: string[];
  timeline: JobTimelineEntry[];
}

/** One change of the read model, from GET /api/jobs/events. */
export interface JobChange {
  sequence: number;
  jobId: string;
  eventType: string;
  status: JobStatus;
  occurredAt: string;
  recordedAt: string;
}

// findings.json (shared/RadAI.Contracts/Findings/AnalysisResults.cs), served by GET /api/jobs/{id}/findings.
export interface Code { scheme: string; value: string; meaning: string }
export interface Vector3D { x: number; y: number; z: number }
export interface Measurement { concept: Code; value: number; unit: string; unitMeaning: string; derivation?: Code | null }
export interface Finding {
  id: string; kind: string; type: Code; site?: Code | null; segmentNumber?: number | null; measurements: Measurement[];
  region?: {
    centroid: Vector3D; boundingBoxMin: Vector3D; boundingBoxMax: Vector3D; keySlice: number;
    /** The ends of the longest 3D diameter (patient coordinates, mm), when measured. */
    diameterStart?: Vector3D | null; diameterEnd?: Vector3D | null;
  } | null;
  laterality?: Code | null;
}
export interface RunResults {
  runId: string;
  model: { id: string; version: string; name: string; status: string; intendedUse: string; limitations: string[] };
  seriesInstanceUid: string;
  modality: string;
  geometry: {
    sizeX: number; sizeY: number; sizeZ: number; spacing: Vector3D;
    /** Patient position of voxel (0,0,0)'s centre and the directions of increasing x and y (slices go along their cross product). */
    origin?: Vector3D; rowDirection?: Vector3D; columnDirection?: Vector3D;
  };
  executionProvider: string;
  durationMs: number;
  segments: { number: number; label: string }[];
  hasMask: boolean;
  findings: Finding[];
  notes: { code: string; severity: string; text: string }[];
  /** The reader's names of the findings (the PDF's words), language → finding id → names; absent from older answers. */
  labels?: Partial<Record<string, Record<string, FindingLabels>>>;
}
/** A finding's names in one language: name, site, and each measurement's name and unit (null: show the unit's meaning). */
export interface FindingLabels { name: string; site: string | null; measurements: string[]; units: (string | null)[] }
export interface AnalysisResults { jobId: string; studyInstanceUid: string; completedAt: string; runs: RunResults[] }

/** GET /api/jobs/patients (radiologists): the patient of each job of the worklist that still has its instances. */
export interface JobPatient { jobId: string; patientName: string | null; patientId: string | null }

export interface PatientHeader { patientName: string | null; patientId: string | null; patientBirthDate: string | null; accessionNumber: string | null; studyDate: string | null }

export interface Destination {
  aeTitle: string; host: string; port: number; tls: boolean; kinds: string[]; allReports: boolean; enabled: boolean; source: string;
  updatedAt: string; lastEchoAt: string | null; lastEchoStatus: number | null; lastEchoError: string | null;
}
export interface EchoResult { aeTitle: string; at: string; status: number | null; error: string | null }

export interface Sender {
  aeTitle: string; host?: string | null; allowed: boolean; routingProfile?: string | null; stableTimeout?: string | null; source: string; enabled: boolean;
  updatedAt?: string | null;
}
export interface ModelPackage {
  id: string; version: string; name: string; status: string; intendedUse: string; modalities: string[]; enabled: boolean; source: string; profiles: string[];
}
export interface RoutingProfile { name: string; packages: string[]; source?: string }

export interface User { id: string; username: string; role: Role; disabled: boolean; lockedUntil: string | null; createdAt: string }
export interface AuditEntry {
  sequence: number; occurredAt: string; actor: string; /** The user's or API key's name when it still exists (not hashed: `actor` is). */ actorName?: string | null; source?: string | null; action: string; resource?: string | null; outcome: string; details?: string | null;
}
export interface AuditVerification { ok: boolean; verifiedCount: number; firstBrokenSequence: number | null; reason: string | null; headHash: string | null }

export interface Statistics {
  from: string; to: string; jobs: number;
  studiesPerDay: { day: string; studies: number }[];
  byStatus: Record<string, number>;
  latencies: { stage: string; count: number; p50Seconds: number | null; p95Seconds: number | null }[];
  failures: { stage: string; reason: string; count: number }[];
}

export interface Caller { id: string; name: string | null; kind: string; roles: Role[] }
export interface Tokens { accessToken: string; tokenType: string; expiresIn: number; refreshToken: string; refreshExpiresIn: number }
