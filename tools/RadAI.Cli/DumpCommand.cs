using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
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
            var paths = parseResult.GetValue(files)!;
            var options = parseResult.GetValue(headerOnly) ? DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData } : DicomReadOptions.Default;
            var asJson = parseResult.GetValue(json);
            // Console.Out flushes every write, a system call each: the listing goes to standard output through one
            // large buffer instead, written out when full, before each error message (so that the two streams stay
            // in order on a terminal) and at the end. The text listing goes there as UTF-8 bytes, formatted so
            // (no characters to encode) when the console's encoding is UTF-8. A writer configured in place of
            // Console.Out (a test's) is used as it is.
            var configured = parseResult.InvocationConfiguration.Output;
            var toConsole = ReferenceEquals(configured, Console.Out);
            await using var stdout = toConsole ? new BufferedStream(Console.OpenStandardOutput(), 64 * 1024) : null;
            var bytes = !asJson && stdout is not null && Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage ? stdout : null;
            await using var stdoutText = stdout is not null && bytes is null ? new StreamWriter(stdout, Console.OutputEncoding, 64 * 1024) : null;
            var output = stdoutText ?? configured;
            var failures = 0;
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
                        output.Write(paths.Length > 1 ? $"{(i > 0 ? "," : "")}{JsonSerializer.Serialize(paths[i], CliJsonContext.Default.String)}:{text}" : text);
                    }
                    else if (bytes is not null)
                    {
                        if (paths.Length > 1)
                        {
                            WriteUtf8Line(bytes, "# ", paths[i]);
                        }

                        DicomDumpWriter.WriteFile(bytes, file);
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
                    if (stdout is not null)
                    {
                        await stdout.FlushAsync(CancellationToken.None);
                    }

                    error.WriteLine($"radai dump: {paths[i]}: {e.Message}");
                    if (asJson && paths.Length > 1)
                    {
                        output.Write($"{(i > 0 ? "," : "")}{JsonSerializer.Serialize(paths[i], CliJsonContext.Default.String)}:{JsonSerializer.Serialize(new DumpError(e.Message), CliJsonContext.Default.DumpError)}");
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

    /// <summary>One line of text, as UTF-8, straight to the byte output.</summary>
    private static void WriteUtf8Line(Stream output, string prefix, string text)
    {
        var line = string.Concat(prefix, text, Environment.NewLine);
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            output.Write(rented, 0, Encoding.UTF8.GetBytes(line, rented));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

/// <summary>The error of one file in <c>radai dump --json</c> of several files.</summary>
internal sealed record DumpError([property: JsonPropertyName("error")] string Error);
