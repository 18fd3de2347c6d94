namespace RadAI.Data;

/// <summary>The database engines RadAI runs on.</summary>
public enum DatabaseProvider
{
    /// <summary>PostgreSQL (the services in a hospital deployment).</summary>
    Postgres,

    /// <summary>SQLite (the standalone host: one file, nothing to install).</summary>
    Sqlite,
}
