using Dapper;

namespace RadAI.Data;

/// <summary>
/// The WHERE clause of a list query built from the filters given: only those become conditions, each with a typed
/// parameter (no <c>@x IS NULL OR ...</c>, which PostgreSQL cannot type and which hides the indexes from the planner).
/// </summary>
public sealed class SqlFilter
{
    private readonly List<string> _conditions = [];

    /// <summary>The parameters of the conditions; a query adds its own (limit, offset) too.</summary>
    public DynamicParameters Parameters { get; } = new();

    /// <summary><c>WHERE a AND b ...</c>, or empty when no filter was given.</summary>
    public string Where => _conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", _conditions);

    /// <summary>Adds <paramref name="condition"/>, whose parameter <c>@name</c> is <paramref name="value"/>.</summary>
    public SqlFilter Add(string condition, string name, object value)
    {
        _conditions.Add(condition);
        Parameters.Add(name, value);
        return this;
    }
}
