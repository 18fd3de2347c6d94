namespace RadAI.Contracts;

/// <summary>Why the api erased the data of jobs (<see cref="JobDataErased"/>).</summary>
public enum ErasureReason
{
    /// <summary>An administrator erased studies (<c>POST /api/patients/erase</c>): everything of those studies goes.</summary>
    Erasure,

    /// <summary>The retention policy purged jobs older than it keeps: those jobs only, not newer jobs of the same studies.</summary>
    Retention,
}
