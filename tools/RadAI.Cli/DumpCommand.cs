using System.CommandLine;
using System.Text.Json;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Dicom.Json;
using RadAI.Dicom.Text;

namespace RadAI.Cli;

/// <summary><c>radai dump FILE...</c>: the elements of DICOM files, as text (like dcmdump) or DICOM JSON.</summary>
public static class DumpCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "DICOM files to dump.", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Write the DICOM JSON model (PS3.18 F.2) of each dataset instead of text." };
        var headerOnly = new Option<bool>("--header-only") { Description = "Stop before Pixel Data (what a header listing needs)." };
        var command = new Command("dump", "Print the elements of DICOM files (like dcmdump), or their DICOM JSON with --json.")
        {
            files,
            json,
            headerOnly,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            // Console.Out flushes every write, a system call each: the listing goes through one large buffer
            // instead, written out when full, before each error message (so that the two streams stay in order
            // on a terminal) and at the end. A writer configured in its place (a test's) is used as it is.
            var configured = parseResult.InvocationConfiguration.Output;
            await using var stdout = ReferenceEquals(configured, Console.Out)
                ? new StreamWriter(Console.OpenStandardOutput(), Console.OutputEncoding, 64 * 1024)
                : null;
            var output = stdout ?? configured;
            var paths = parseResult.GetValue(files)!;
            var options = parseResult.GetValue(headerOnly) ? DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData } : DicomReadOptions.Default;
            var failures = 0;
            var asJson = parseResult.GetValue(json);
            if (asJson && paths.Length > 1)
            {
                output.Write('{');
            }

            for (var i = 0; i < paths.Length; i++)
            {
                try
                {
                    var file = await DicomFile.OpenAsync(paths[i], options, cancellationToken);
                    if (asJson)
                    {
                        // Serialised before anything is written, so a failure leaves the output well-formed.
                        var text = DicomJsonWriter.Serialize(file.Dataset);
                        output.Write(paths.Length > 1 ? $"{(i > 0 ? "," : "")}{JsonSerializer.Serialize(paths[i])}:{text}" : text);
                    }
                    else
                    {
                        if (paths.Length > 1)
                        {
                            output.Write("# ");
                            output.WriteLine(paths[i]);
                        }

                        DicomDumpWriter.WriteFile(output, file);
                    }
                }
                catch (Exception e) when (e is DicomFormatException or IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
                {
                    failures++;
                    await output.FlushAsync(CancellationToken.None);
                    error.WriteLine($"radai dump: {paths[i]}: {e.Message}");
                    if (asJson && paths.Length > 1)
                    {
                        output.Write($"{(i > 0 ? "," : "")}{JsonSerializer.Serialize(paths[i])}:{JsonSerializer.Serialize(new { error = e.Message })}");
                    }
                }
            }

            if (asJson)
            {
                output.WriteLine(paths.Length > 1 ? "}" : "");
            }

            return failures == 0 ? ExitCodes.Success : failures == paths.Length ? ExitCodes.InvalidInput : ExitCodes.PartialFailure;
        });
        return command;
    }
}
