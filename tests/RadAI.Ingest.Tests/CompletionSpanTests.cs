using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RadAI.Contracts;
using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.DicomIngest;
using RadAI.DicomIngest.Completion;
using RadAI.DicomIngest.Listening;
using RadAI.Hosting.Database;
using RadAI.Hosting.Messaging;
using RadAI.Ingest.Tests.Support;
using RadAI.Testing;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>
/// The span of a study's completion (<c>study.complete</c>, source RadAI.DicomIngest), which the pipeline benchmark
/// takes the stable wait from: it starts when the last instance arrived, ends once StudyReceived is published, carries
/// the job and the study's counts, and is the trace the consumers of StudyReceived continue. dicom-ingest runs in
/// process here (SQLite, in-memory bus) so that the test can listen to its activities.
/// </summary>
public sealed class CompletionSpanTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Completing_a_study_emits_a_span_from_its_last_instance_to_StudyReceived_published_that_the_consumers_continue()
    {
        using var work = new TemporaryDirectory("radai-completion-span");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            // MassTransit too: as in production (every host traces it), so that it propagates the trace to consumers.
            ShouldListenTo = source => source.Name is "RadAI.DicomIngest" or "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == OutboxPublisher.StudyCompleteSpan)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var consumed = new ConsumedTraces();
        using var host = await StartIngestAsync(work.Path, consumed);
        var port = host.Services.GetRequiredService<DicomListenerService>().LocalEndPoint!.Port;
        var study = await SyntheticStudy.WriteAsync(Path.Combine(work.Path, "study"), SyntheticStudy.MultiModality(ct: 3, mr: 0, dx: 0));

        DateTimeOffset lastSent, lastAcknowledged;
        await using (var client = await DicomClient.ConnectAsync(
            new DicomClientOptions { Host = "127.0.0.1", Port = port, CallingAeTitle = "MODALITY-SPAN", CalledAeTitle = "RADAI" },
            [new PresentationContextProposal(1, DicomUids.CTImageStorage, [DicomUids.ExplicitVRLittleEndian])]))
        {
            var instances = study.Instances.ToList();
            foreach (var instance in instances[..^1])
            {
                Assert.True((await client.StoreFileAsync(instance.Path)).IsSuccess);
            }

            lastSent = DateTimeOffset.UtcNow;
            Assert.True((await client.StoreFileAsync(instances[^1].Path)).IsSuccess);
            lastAcknowledged = DateTimeOffset.UtcNow;
            await client.ReleaseAsync();
        }

        var (received, consumerTrace) = await Eventually.ValueAsync(
            () => Task.FromResult(consumed.Of(study.StudyInstanceUid)), Deadline, "StudyReceived consumed");
        var span = await Eventually.ValueAsync(
            () => Task.FromResult(spans.FirstOrDefault(s => Tag(s, "radai.job.id") == received.JobId.ToString())), Deadline, "the study.complete span stopped");

        Assert.Equal("RadAI.DicomIngest", span.Source.Name);
        Assert.Null(span.Parent);
        Assert.Single(spans, s => Tag(s, "radai.job.id") == received.JobId.ToString());
        // Its start is the last instance's arrival: while the last C-STORE was under way, not when the study completed.
        var start = new DateTimeOffset(span.StartTimeUtc, TimeSpan.Zero);
        Assert.InRange(start, lastSent, lastAcknowledged);
        // It ends after the completion (an event at StudyReceived's time), which waited the release grace period.
        var completed = Assert.Single(span.Events, e => e.Name == "study.completed");
        Assert.Equal(received.OccurredAt, completed.Timestamp);
        Assert.True(received.OccurredAt - start >= TimeSpan.FromMilliseconds(200), $"completed {received.OccurredAt:O}, {(received.OccurredAt - start).TotalMilliseconds} ms after the last instance {start:O}");
        Assert.True(start + span.Duration >= received.OccurredAt, $"span ends {start + span.Duration:O}, before the completion {received.OccurredAt:O}");
        Assert.Equal("MODALITY-SPAN", Tag(span, "radai.sending.ae"));
        Assert.Equal("1", Tag(span, "radai.study.series"));
        Assert.Equal("3", Tag(span, "radai.study.instances"));
        // The consumers of StudyReceived (inference first) continue the span's trace: one trace per job.
        Assert.Equal(span.TraceId, consumerTrace);
    }

    private static string? Tag(Activity activity, string name) => Convert.ToString(activity.GetTagItem(name), CultureInfo.InvariantCulture);

    private static async Task<IHost> StartIngestAsync(string root, ConsumedTraces consumed)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Root"] = Path.Combine(root, "data"),
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(root, "radai.db")}",
            ["Messaging:Transport"] = "InMemory",
            ["DicomIngest:Port"] = "0",
            ["DicomIngest:BindAddress"] = "127.0.0.1",
            ["DicomIngest:ReleaseGracePeriod"] = "00:00:00.200",
            ["DicomIngest:CompletionPollInterval"] = "00:00:00.100",
        });
        builder.Services.AddSingleton(consumed);
        builder.AddRadAIDatabase();
        builder.AddRadAIMessaging(bus => bus.AddDicomIngestConsumers().AddConsumer<TraceRecordingConsumer>());
        builder.AddDicomIngest();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>A StudyReceived consumed and the trace its consumer ran in.</summary>
    public sealed record ConsumedStudy(StudyReceived Message, ActivityTraceId Trace);

    /// <summary>The StudyReceived events consumed, by study.</summary>
    public sealed class ConsumedTraces
    {
        private readonly ConcurrentDictionary<string, ConsumedStudy> _byStudy = new(StringComparer.Ordinal);

        public void Add(StudyReceived message, ActivityTraceId trace) => _byStudy[message.StudyInstanceUid] = new ConsumedStudy(message, trace);

        public ConsumedStudy? Of(string studyInstanceUid) => _byStudy.GetValueOrDefault(studyInstanceUid);
    }

    /// <summary>A consumer of StudyReceived, as inference is: records the trace it runs in.</summary>
    public sealed class TraceRecordingConsumer(ConsumedTraces consumed) : IConsumer<StudyReceived>
    {
        public Task Consume(ConsumeContext<StudyReceived> context)
        {
            consumed.Add(context.Message, Activity.Current?.TraceId ?? default);
            return Task.CompletedTask;
        }
    }
}
