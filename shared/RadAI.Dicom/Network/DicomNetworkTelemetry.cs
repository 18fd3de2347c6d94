using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RadAI.Dicom.Network;

/// <summary>Metrics and traces of the DICOM network layer (collected by the hosts' OpenTelemetry: "RadAI.*").</summary>
public static class DicomNetworkTelemetry
{
    public const string Name = "RadAI.Dicom.Network";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    internal static readonly Counter<long> AssociationsAccepted = Meter.CreateCounter<long>("dicom.associations.accepted", description: "Associations accepted");

    internal static readonly Counter<long> AssociationsRejected = Meter.CreateCounter<long>("dicom.associations.rejected", description: "Associations rejected");

    internal static readonly Counter<long> AssociationsAborted = Meter.CreateCounter<long>("dicom.associations.aborted", description: "Associations aborted");

    internal static readonly Counter<long> InstancesReceived = Meter.CreateCounter<long>("dicom.instances.received", description: "C-STORE requests answered, by status class");

    internal static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>("dicom.bytes.received", "By", "Data set bytes received");

    internal static readonly Counter<long> InstancesSent = Meter.CreateCounter<long>("dicom.instances.sent", description: "C-STORE requests sent, by status class");

    internal static readonly UpDownCounter<long> ActiveAssociations = Meter.CreateUpDownCounter<long>("dicom.associations.active", description: "Associations in progress");

    internal static string StatusClass(ushort status) =>
        DimseStatus.IsSuccess(status) ? "success" : DimseStatus.IsWarning(status) ? "warning" : "failure";
}
