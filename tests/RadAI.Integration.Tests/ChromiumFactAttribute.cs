using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>A test that drives headless Chromium: skipped, with the reason, where Chromium is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}
