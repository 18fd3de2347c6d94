using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;

namespace RadAI.Data;

/// <summary>
/// Dapper's type handlers are process-wide, and one process may talk to both engines (tests, tools),
/// so each handler writes what the parameter's engine expects: native uuid/timestamptz on
/// PostgreSQL, canonical text on SQLite (sortable ISO-8601 UTC, lowercase GUID).
/// </summary>
public static class DapperTypeHandlers
{
    private static int s_registered;

    /// <summary>Registers the handlers once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 1)
        {
            return;
        }

        SqlMapper.AddTypeHandler(new GuidHandler());
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
    }

    /// <summary>The text form of a timestamp on SQLite: fixed width so that text order is time order.</summary>
    public static string ToSqliteText(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private sealed class GuidHandler : SqlMapper.TypeHandler<Guid>
    {
        public override void SetValue(IDbDataParameter parameter, Guid value)
        {
            if (parameter is SqliteParameter)
            {
                parameter.DbType = DbType.String;
                parameter.Value = value.ToString("D");
            }
            else
            {
                parameter.Value = value;
            }
        }

        public override Guid Parse(object value) => value switch
        {
            Guid g => g,
            string s => Guid.Parse(s, CultureInfo.InvariantCulture),
            byte[] { Length: 16 } b => new Guid(b),
            _ => throw new DataException($"Cannot read a Guid from a {value.GetType().Name}."),
        };
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (parameter is SqliteParameter)
            {
                parameter.DbType = DbType.String;
                parameter.Value = ToSqliteText(value);
            }
            else
            {
                // Npgsql maps a DateTimeOffset with offset 0 to timestamptz.
                parameter.Value = value.ToUniversalTime();
            }
        }

        public override DateTimeOffset Parse(object value) => ParseDateTimeOffset(value);
    }

    /// <summary>A timestamp column's value as read back (timestamptz, or SQLite's text), in UTC.</summary>
    public static DateTimeOffset ParseDateTimeOffset(object value) => value switch
    {
        DateTimeOffset d => d.ToUniversalTime(),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, d.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : d.Kind)).ToUniversalTime(),
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        _ => throw new DataException($"Cannot read a timestamp from a {value.GetType().Name}."),
    };
}
