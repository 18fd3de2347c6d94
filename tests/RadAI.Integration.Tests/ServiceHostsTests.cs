using System.Text.Json;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>Each service host, as its own process, on the real RabbitMQ and PostgreSQL.</summary>
public sealed class ServiceHostsTests : IAsyncLifetime
{
    private PostgresTestDatabase _database = null!;
    private RabbitMqTestVirtualHost _broker = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        _broker = await RabbitMqTestVirtualHost.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Theory]
    [InlineData("RadAI.DicomIngest.Host")]
    [InlineData("RadAI.Inference.Host")]
    [InlineData("RadAI.ReportBuilder.Host")]
    [InlineData("RadAI.PacsSender.Host")]
    [InlineData("RadAI.Api.Host")]
    public async Task Starts_and_reports_ready_with_broker_and_database_reachable(string host)
    {
        await using var service = await RunningService.StartAsync(host, ServiceSettings.For(_database, _broker));

        var report = await service.WaitUntilReadyAsync();

        var checks = report.GetProperty("checks");
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Postgres reachable", checks.GetProperty("database").GetProperty("description").GetString());
        Assert.Equal("Healthy", checks.GetProperty("broker").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("masstransit-bus").GetProperty("status").GetString());

        using var live = await service.Http.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.True(live.IsSuccessStatusCode);

        // Structured logs: one JSON object per line, with a category and an event id.
        var line = await service.Process.WaitForLineAsync(IsJsonLogLine, TimeSpan.FromSeconds(10), "a JSON log line");
        using var log = JsonDocument.Parse(line);
        Assert.True(log.RootElement.TryGetProperty("Category", out _));
        Assert.True(log.RootElement.TryGetProperty("EventId", out _));
    }

    [Fact]
    public async Task Refuses_to_start_with_an_invalid_setting_and_names_the_key()
    {
        var settings = ServiceSettings.For(_database, _broker);
        settings["Messaging__RabbitMq__Port"] = "70000";
        var process = ServiceProcess.Start("RadAI.Api.Host", settings);
        await using var _ = process;

        await process.WaitForLineAsync(l => l.Contains("Messaging:RabbitMq:Port", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the validation error");
        await Eventually.UntilAsync(() => Task.FromResult(process.HasExited), TimeSpan.FromSeconds(30), "the host to exit");
        Assert.NotEqual(0, process.ExitCode);
    }

    private static bool IsJsonLogLine(string line)
    {
        if (!line.StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.TryGetProperty("Category", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
