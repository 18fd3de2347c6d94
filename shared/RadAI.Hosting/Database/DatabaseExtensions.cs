using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using RadAI.Data;
using RadAI.Hosting.Options;

namespace RadAI.Hosting.Database;

/// <summary>Database wiring: the dialect for <c>Database:Provider</c>, migrations at start, readiness check.</summary>
public static class DatabaseExtensions
{
    /// <summary>Adds the connection factory, the migration runner (run before any other hosted service
    /// starts) and the <c>database</c> readiness check.</summary>
    public static IHostApplicationBuilder AddRadAIDatabase(this IHostApplicationBuilder builder)
    {
        DapperTypeHandlers.Register();
        builder.Services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.SectionName);
        builder.Services.TryAddSingleton<SqlDialect>(sp =>
        {
            var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
            return options.Provider switch
            {
                DatabaseProvider.Postgres => new PostgresDialect(NpgsqlDataSource.Create(options.ConnectionString)),
                DatabaseProvider.Sqlite => new SqliteDialect(options.ConnectionString),
                _ => throw new InvalidOperationException($"Database:Provider '{options.Provider}' is not supported."),
            };
        });
        builder.Services.TryAddSingleton<IDbConnectionFactory>(sp => new DbConnectionFactory(sp.GetRequiredService<SqlDialect>()));
        builder.Services.TryAddSingleton<MigrationRunner>();
        builder.Services.AddHostedService<MigrationHostedService>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>Registers the migrations a module embeds (its <c>Migrations/*.sql</c> files).</summary>
    public static IServiceCollection AddDatabaseMigrations(this IServiceCollection services, string module, Assembly assembly)
    {
        services.AddSingleton(new MigrationSource(module, assembly));
        return services;
    }
}
