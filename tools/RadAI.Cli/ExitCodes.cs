namespace RadAI.Cli;

/// <summary>Exit codes of <c>radai</c>, stable for scripts.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked was done.</summary>
    public const int Success = 0;

    /// <summary>Some items failed (e.g. some files not sent); the others succeeded.</summary>
    public const int PartialFailure = 1;

    /// <summary>The command line is wrong.</summary>
    public const int Usage = 2;

    /// <summary>An input could not be read or parsed.</summary>
    public const int InvalidInput = 3;

    /// <summary>The peer could not be reached or refused the association.</summary>
    public const int ConnectionFailed = 4;

    /// <summary>Data failed an integrity check (e.g. the audit log's hash chain is broken).</summary>
    public const int IntegrityFailure = 5;
}
