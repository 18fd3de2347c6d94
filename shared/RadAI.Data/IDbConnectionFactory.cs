using System.Data.Common;

namespace RadAI.Data;

/// <summary>Opens connections to the service's database; repositories depend on this only.</summary>
public interface IDbConnectionFactory
{
    /// <summary>The engine behind the connections.</summary>
    SqlDialect Dialect { get; }

    /// <summary>Opens a connection; the caller disposes it.</summary>
    ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);
}

public sealed class DbConnectionFactory(SqlDialect dialect) : IDbConnectionFactory
{
    public SqlDialect Dialect => dialect;

    public ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        dialect.OpenConnectionAsync(cancellationToken);
}
