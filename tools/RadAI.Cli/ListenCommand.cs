using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using RadAI.Dicom.Network;

namespace RadAI.Cli;

/// <summary><c>radai listen PORT --out DIR</c>: a C-STORE SCP writing what it receives to files.</summary>
public static class ListenCommand
{
    public static Command Create()
    {
        var port = new Argument<int>("port") { Description = "TCP port to listen on (0: any free port; the port is printed)." };
        var aeTitle = new Option<string>("--aet") { Description = "Our AE title.", DefaultValueFactory = _ => "RADAI" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for received files (<SOP Instance UID>.dcm).", Required = true };
        var acceptAll = new Option<bool>("--accept-all") { Description = "Accept every transfer syntax (default: the ones RadAI can decode)." };
        var allow = new Option<string[]>("--allow") { Description = "Allowed calling AE titles, AE or AE@host (repeatable); default: anyone.", AllowMultipleArgumentsPerToken = true };
        var anyCalledAe = new Option<bool>("--any-called-ae") { Description = "Accept any called AE title (default: only --aet)." };
        var fsync = new Option<bool>("--fsync") { Description = "fsync each file before answering success." };
        var maxAssociations = new Option<int>("--max-associations") { Description = "Associations at once; more are rejected.", DefaultValueFactory = _ => 64 };
        var verbose = new Option<bool>("--verbose") { Description = "Log every association and instance." };
        var tls = new TlsArguments();
        var command = new Command("listen", "Receive DICOM instances by C-STORE (and answer C-ECHO), writing them as files, until Ctrl+C or SIGTERM. " +
            "Each data set is streamed to a temporary file, checked as it arrives (a data set cut short gets C000, SOP UIDs other than the command's A900) and renamed into place once complete.")
        {
            port,
            aeTitle,
            output,
            acceptAll,
            allow,
            anyCalledAe,
            fsync,
            maxAssociations,
            verbose,
        };
        tls.AddTo(command, server: true);
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = result.InvocationConfiguration.Output;
            var folder = result.GetValue(output)!;
            folder.Create();
            var allowed = result.GetValue(allow) ?? [];
            DicomServerPolicy policy = allowed.Length == 0
                ? new DicomServerPolicy()
                : new AllowListServerPolicy(allowed.Select(a => a.Split('@', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : null));
            DicomServerTlsOptions? tlsOptions;
            try
            {
                tlsOptions = tls.Server(result);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                result.InvocationConfiguration.Error.WriteLine($"radai listen: {e.Message}");
                return ExitCodes.InvalidInput;
            }

            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning));
            var server = new DicomServer(
                new DicomServerOptions
                {
                    AeTitle = result.GetValue(aeTitle)!,
                    Port = result.GetValue(port),
                    CheckCalledAeTitle = !result.GetValue(anyCalledAe),
                    MaxAssociations = result.GetValue(maxAssociations),
                    TransferSyntaxes = result.GetValue(acceptAll) ? DicomServerOptions.AllTransferSyntaxes : null,
                    Tls = tlsOptions,
                },
                new DicomFileStoreHandler(folder.FullName, new DicomFileStoreOptions { Fsync = result.GetValue(fsync) }),
                policy,
                loggers.CreateLogger("radai.listen"));
            try
            {
                await server.StartAsync(cancellationToken);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                result.InvocationConfiguration.Error.WriteLine($"radai listen: cannot listen on port {result.GetValue(port)}: {e.Message}");
                return ExitCodes.ConnectionFailed;
            }

            console.WriteLine($"radai listen: {result.GetValue(aeTitle)} on port {server.LocalEndPoint.Port}, writing to {folder.FullName}");

            var stop = new TaskCompletionSource();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.TrySetResult();
            });
            using var registration = cancellationToken.Register(() => stop.TrySetResult());
            await stop.Task;
            // In-flight C-STOREs finish before the process exits.
            await server.StopAsync(TimeSpan.FromSeconds(30));
            await server.DisposeAsync();
            console.WriteLine("radai listen: stopped");
            return ExitCodes.Success;
        });
        return command;
    }
}
