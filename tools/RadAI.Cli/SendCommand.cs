using System.CommandLine;
using RadAI.Dicom.Network;

namespace RadAI.Cli;

/// <summary><c>radai send HOST PORT PATH...</c>: C-STORE files and folders over one association.</summary>
public static class SendCommand
{
    public static Command Create()
    {
        var host = new Argument<string>("host") { Description = "Peer host name or address." };
        var port = new Argument<int>("port") { Description = "Peer DICOM port." };
        var paths = new Argument<string[]>("paths") { Description = "Files or folders (walked recursively).", Arity = ArgumentArity.OneOrMore };
        var calledAe = new Option<string>("--aec") { Description = "Called AE title (the peer's).", DefaultValueFactory = _ => "ANY-SCP" };
        var callingAe = new Option<string>("--aet") { Description = "Calling AE title (ours).", DefaultValueFactory = _ => "RADAI" };
        var quiet = new Option<bool>("--quiet") { Description = "Print only failures and the summary." };
        var tls = new TlsArguments();
        var command = new Command("send", "Send DICOM files to a peer by C-STORE, one association, contexts proposed per SOP class and transfer syntax found. " +
            "Exit 0 when every file was stored, 1 when some failed, 3 when none was a readable DICOM file, 4 when the peer could not be reached or refused.")
        {
            host,
            port,
            paths,
            calledAe,
            callingAe,
            quiet,
        };
        tls.AddTo(command, server: false);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            DicomClientTlsOptions? tlsOptions;
            try
            {
                tlsOptions = tls.Client(result);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                result.InvocationConfiguration.Error.WriteLine($"radai send: {e.Message}");
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
            var beQuiet = result.GetValue(quiet);
            var started = System.Diagnostics.Stopwatch.StartNew();
            var progress = new SynchronousProgress<DicomFileSendResult>(r =>
            {
                if (!beQuiet || !r.Succeeded)
                {
                    output.WriteLine(r.Status is { } s ? $"{r.Path}: {DimseStatus.Describe(s)}{(r.Message is null ? "" : " — " + r.Message)}" : $"{r.Path}: not sent — {r.Message}");
                }
            });
            var results = await DicomSender.SendAsync(options, result.GetValue(paths)!, progress, cancellationToken: cancellationToken);
            var stored = results.Count(r => r.Succeeded);
            var readable = results.Count(r => r.SopInstanceUid is not null || r.Status is not null);
            output.WriteLine($"{stored} of {results.Count} files stored at {options.CalledAeTitle}@{options.Host}:{options.Port} in {started.Elapsed.TotalSeconds:0.00} s");
            if (stored == results.Count && results.Count > 0)
            {
                return ExitCodes.Success;
            }

            if (results.All(r => r.Status is null && (r.Message?.StartsWith("not a readable DICOM file", StringComparison.Ordinal) == true || r.Message?.StartsWith("no SOP Class", StringComparison.Ordinal) == true)))
            {
                return ExitCodes.InvalidInput;
            }

            return stored == 0 && results.All(r => r.Status is null) && readable == 0 ? ExitCodes.ConnectionFailed : ExitCodes.PartialFailure;
        });
        return command;
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
