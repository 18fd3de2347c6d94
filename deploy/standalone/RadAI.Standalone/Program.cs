using RadAI.Standalone;

await using var node = await StandaloneHost.StartAsync(args);
Console.WriteLine($"RadAI standalone listening on {node.WebAddress} (web and API; health at {new Uri(node.HttpAddress, "/health/ready")})");
if (node.HttpsAddress is not null)
{
    Console.WriteLine($"RadAI standalone HTTP on {node.HttpAddress} redirects to HTTPS (308), health excepted");
}

Console.WriteLine(node.DicomListening
    ? $"RadAI DICOM: AE title {node.Dicom.AeTitle} on port {node.Dicom.Port} (send studies here)"
    : $"RadAI DICOM: on standby, not listening: another RadAI node uses this data folder and receives the studies; this one listens on port {node.Dicom.Port} once that one stops");
Console.WriteLine($"RadAI data folder: {node.DataDirectory}");
Console.WriteLine("Press Ctrl+C to stop.");
await node.WaitForShutdownAsync();
