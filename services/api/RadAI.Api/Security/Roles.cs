using System.Text.RegularExpressions;

namespace RadAI.Api.Security;

/// <summary>The roles of RadAI. One per user or API key.</summary>
public static class Roles
{
    /// <summary>Configuration and users; job status, but no patient data.</summary>
    public const string Admin = "admin";

    /// <summary>All jobs and reports, patient identity included.</summary>
    public const string Radiologist = "radiologist";

    /// <summary>Job status without patient identity.</summary>
    public const string Viewer = "viewer";

    public static IReadOnlyList<string> All { get; } = [Admin, Radiologist, Viewer];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role);
}

/// <summary>The authorization policies endpoints name.</summary>
public static class Policies
{
    /// <summary>Users, API keys, audit log, configuration: <see cref="Roles.Admin"/>.</summary>
    public const string Admin = "radai.admin";

    /// <summary>Reports and patient-identifying fields: <see cref="Roles.Radiologist"/>.</summary>
    public const string PatientData = "radai.patient-data";

    /// <summary>Job status without patient identity: every role.</summary>
    public const string JobStatus = "radai.job-status";

    /// <summary>Acting on a job (resend, rerun) and its source images: <see cref="Roles.Radiologist"/> or <see cref="Roles.Admin"/>.</summary>
    public const string RadiologistOrAdmin = "radai.radiologist-or-admin";
}

/// <summary>User names: lower-case letters, digits, dot, dash, underscore; 2 to 64 characters.</summary>
public static partial class UserNames
{
    public const string Pattern = "^[a-z0-9][a-z0-9._-]{1,63}$";

    public static string Normalize(string userName) => userName.Trim().ToLowerInvariant();

    public static bool IsValid(string? userName) => userName is not null && Valid().IsMatch(userName);

    [GeneratedRegex(Pattern)]
    private static partial Regex Valid();
}
