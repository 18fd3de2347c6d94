using System.CommandLine;
using RadAI.Dicom;
using RadAI.Dicom.Network;

namespace RadAI.Cli;

/// <summary><c>radai echo HOST PORT</c>: C-ECHO a DICOM peer.</summary>
public static class EchoCommand
{
    public static Command Create()
    {
        var host = new Argument<string>("host") { Description = "Peer host name or address." };
        var port = new Argument<int>("port") { Description = "Peer DICOM port." };
        var calledAe = new Option<string>("--aec") { Description = "Called AE title (the peer's).", DefaultValueFactory = _ => "ANY-SCP" };
        var callingAe = new Option<string>("--aet") { Description = "Calling AE title (ours).", DefaultValueFactory = _ => "RADAI" };
        var tls = new TlsArguments();
        var command = new Command("echo", "Verify a DICOM peer with C-ECHO. Exit 0 when it answers success, 4 when it cannot be reached or refuses.")
        {
            host,
            port,
            calledAe,
            callingAe,
        };
        tls.AddTo(command, server: false);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            DicomClientTlsOptions? tlsOptions;
            try
            {
                tlsOptions = tls.Client(result);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                error.WriteLine($"radai echo: {e.Message}");
                return ExitCodes.InvalidInput;
            }

            var options = new DicomClientOptions
            {
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                CalledAeTitle = result.GetValue(calledAe)!,
                CallingAeTitle = result.GetValue(callingAe)!,
                Tls = tlsOptions,
            };
            try
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                await using var client = await DicomClient.ConnectAsync(options, [new PresentationContextProposal(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])], cancellationToken: cancellationToken);
                var status = await client.EchoAsync(cancellationToken);
                await client.ReleaseAsync(cancellationToken);
                output.WriteLine($"C-ECHO {options.CallingAeTitle} -> {options.CalledAeTitle}@{options.Host}:{options.Port}: {DimseStatus.Describe(status)} ({started.ElapsedMilliseconds} ms)");
                return DimseStatus.IsSuccess(status) ? ExitCodes.Success : ExitCodes.ConnectionFailed;
            }
            catch (Exception e) when (e is DicomNetworkException or IOException)
            {
                // IOException: the connection broke after the association (reset, TLS alert).
                error.WriteLine($"radai echo: {e.Message}");
                return ExitCodes.ConnectionFailed;
            }
        });
        return command;
    }
}
