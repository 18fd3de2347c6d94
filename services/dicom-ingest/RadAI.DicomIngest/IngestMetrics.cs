using System.Diagnostics.Metrics;
using RadAI.Dicom.Network;

namespace RadAI.DicomIngest;

/// <summary>dicom-ingest's metrics (meter <c>RadAI.DicomIngest</c>).</summary>
public sealed class IngestMetrics : IDisposable
{
    public const string MeterName = "RadAI.DicomIngest";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _instances;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _studies;
    private readonly Histogram<double> _timeToStudyReceived;
    private long _pending;

    public IngestMetrics()
    {
        _instances = _meter.CreateCounter<long>("radai.ingest.instances", description: "Instances stored and indexed");
        _bytes = _meter.CreateCounter<long>("radai.ingest.bytes", "By", "Bytes of instances stored");
        _duplicates = _meter.CreateCounter<long>("radai.ingest.duplicates", description: "Duplicate instances within a reception");
        _refused = _meter.CreateCounter<long>("radai.ingest.refused", description: "Instances refused, by DIMSE status");
        _studies = _meter.CreateCounter<long>("radai.ingest.studies.completed", description: "Receptions declared complete");
        _timeToStudyReceived = _meter.CreateHistogram<double>("radai.ingest.time_to_study_received", "s", "From the last instance received to StudyReceived published");
        _meter.CreateObservableGauge("radai.ingest.studies.pending", () => Volatile.Read(ref _pending), description: "Receptions still receiving");
    }

    public void Received(long bytes)
    {
        _instances.Add(1);
        _bytes.Add(bytes);
    }

    public void Duplicate() => _duplicates.Add(1);

    public void Refused(ushort status) => _refused.Add(1, new KeyValuePair<string, object?>("status", $"{status:X4}"));

    public void Completed() => _studies.Add(1);

    public void Pending(int count) => Volatile.Write(ref _pending, count);

    public void Published(TimeSpan sinceLastInstance) => _timeToStudyReceived.Record(sinceLastInstance.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}
