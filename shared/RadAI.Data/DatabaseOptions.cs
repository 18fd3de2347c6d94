using System.ComponentModel.DataAnnotations;

namespace RadAI.Data;

/// <summary>Configuration section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>Which engine: <c>Postgres</c> (default) or <c>Sqlite</c>.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Postgres;

    /// <summary>
    /// ADO.NET connection string. Postgres: <c>Host=...;Port=...;Database=radai;Username=...;Password=...</c>.
    /// Sqlite: <c>Data Source=/var/lib/radai/radai.db</c>.
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending migrations when the service starts (default true).</summary>
    public bool MigrateOnStart { get; set; } = true;
}
