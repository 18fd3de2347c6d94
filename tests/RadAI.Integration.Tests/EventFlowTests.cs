using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Contracts;
using RadAI.Testing;
using Xunit;

namespace RadAI.Integration.Tests;

/// <summary>An event published by one service and consumed by another over the real broker.</summary>
public sealed class EventFlowTests : IAsyncLifetime
{
    private static readonly ActivitySource Source = new("RadAI.Tests.EventFlow");
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

    [Fact]
    public async Task StudyReceived_published_by_ingest_reaches_the_api_with_the_same_trace_id()
    {
        await using var api = await RunningService.StartAsync("RadAI.Api.Host", ServiceSettings.For(_database, _broker));
        await api.WaitUntilReadyAsync();
        await ApiAccess.SignInAsync(api.Http);
        using var ingest = await InProcessHost.StartAsync("dicom-ingest", _broker.Settings);

        var jobId = Guid.NewGuid();
        string traceId;
        using (var activity = Source.StartActivity("receive-study"))
        {
            Assert.NotNull(activity);
            traceId = activity.TraceId.ToHexString();
            var store = new StorageReference("instances", $"studies/{jobId:N}");
            await ingest.Services.GetRequiredService<IPublishEndpoint>().Publish(new StudyReceived(
                jobId, jobId, DateTimeOffset.UtcNow, "1.2.826.0.1.3680043.8.498.42", "ORTHANC", "RADAI", "default",
                [new ReceivedSeries("1.2.826.0.1.3680043.8.498.43", "CT", "1.2.840.10008.5.1.4.1.1.2", 3, 1_572_864, store with { Key = store.Key + "/series-1" })],
                store));
        }

        var body = await Eventually.ValueAsync(async () =>
        {
            using var response = await api.Http.GetAsync(new Uri($"/api/jobs/{jobId}", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
        }, TimeSpan.FromSeconds(30), "the api to record the job");
        using var detail = JsonDocument.Parse(body);

        var job = detail.RootElement.GetProperty("job");
        Assert.Equal("received", job.GetProperty("status").GetString());
        Assert.Equal("ORTHANC", job.GetProperty("sendingAe").GetString());
        var recorded = Assert.Single(detail.RootElement.GetProperty("timeline").EnumerateArray());
        Assert.Equal("StudyReceived", recorded.GetProperty("eventType").GetString());
        Assert.Equal(traceId, recorded.GetProperty("traceId").GetString());
        Assert.Contains("job-events", await _broker.ListQueuesAsync());
        await ingest.StopAsync();
    }
}
