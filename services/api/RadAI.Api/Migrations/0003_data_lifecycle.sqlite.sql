-- Data lifecycle: when a job's images and reports were purged (retention) or erased (a patient's request).
ALTER TABLE jobs ADD COLUMN purged_at TEXT NULL;
