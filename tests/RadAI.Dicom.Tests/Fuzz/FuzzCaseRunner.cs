using System.Diagnostics;
using System.Reflection;
using RadAI.Dicom.IO;
using RadAI.Dicom.Json;
using RadAI.Dicom.Text;

namespace RadAI.Dicom.Tests.Fuzz;

/// <summary>
/// Runs one fuzz input through the reader three ways (memory, a non-seekable stream giving a few
/// bytes per read, a file) and everything after it (DICOM JSON, dump, writing, re-reading what was
/// written), and lists what broke a rule:
/// <list type="bullet">
/// <item>Reading either succeeds or throws <see cref="DicomFormatException"/>; any other exception is a bug.</item>
/// <item>
/// Memory, stream and file reads agree: when they succeed, on every element (tag, VR, length, value bytes,
/// items). Only memory and file input know the size before reading, so they may refuse a length that goes
/// past the end of the data where the stream read, which cannot tell, succeeds (e.g. an item whose length
/// says 2 GB, ended early by a delimiter, which the reader tolerates); never the other way round.
/// </item>
/// <item>
/// Allocation while reading (memory, stream) stays under <see cref="AllocationBound"/> of the bytes that
/// really arrived: lengths are checked before anything is allocated, and no structure costs more than a
/// constant factor of its encoded size.
/// </item>
/// <item>
/// After a successful read, the typed getters of every element answer: the <c>TryGet</c> ones return false
/// for what they cannot read and never throw (their contract).
/// </item>
/// <item>
/// After a successful read: <see cref="DicomJsonWriter"/> may throw <see cref="FormatException"/> only (it
/// documents it: an IS or DS value that is not a number has no DICOM JSON form); the dump shows anything
/// and throws nothing; writing throws nothing, and what RadAI writes, RadAI reads back.
/// </item>
/// </list>
/// </summary>
internal static class FuzzCaseRunner
{
    private static readonly bool DebugBuild = typeof(DicomFile).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true;

    /// <summary>
    /// Bytes allocated per input byte, at most. The densest structures cost that much: an 8-byte element
    /// header becomes a 32-byte <c>DicomEntry</c> in an array that grows by doubling (up to 4 × 32 bytes per
    /// element allocated over the growth, at its worst just after a resize: 16 per input byte); an 8-byte
    /// empty item becomes a dataset object and a place in its sequence's lists (about 12 per input byte).
    /// Twice the worst, for what comes on top (arena chunks, input buffers, an element's warning).
    /// In a Debug build of RadAI.Dicom (what <c>dotnet test</c> builds by default) the C# compiler makes each
    /// async state machine a class, allocated at every call — in Release it is a struct on the stack unless
    /// the method really waits. Measured per element: ReadElementAsync 296 bytes, ReadValueAsync 139, and
    /// from a stream DicomInput.FillAsync 87: 65 more per byte of an empty 8-byte element, hence 80 more.
    /// </summary>
    public static readonly long AllocationFactor = DebugBuild ? 32 + 80 : 32;

    /// <summary>
    /// Bytes allocated whatever the input: the input buffer (64 KiB, pooled), the first 1 MiB chunk the
    /// stream reader allocates for a value of unknown size, the first arena chunks, the warnings list, the
    /// character set tables a value may need to be decoded while reading.
    /// </summary>
    public const long AllocationConstant = 4 * 1024 * 1024;

    public static long AllocationBound(long inputBytes) => (AllocationFactor * inputBytes) + AllocationConstant;

    /// <summary>What the case did: problems (empty when it passed), the largest allocation ratio seen, how it ended.</summary>
    public sealed record Result(IReadOnlyList<string> Problems, double AllocationPerByte, bool Read, string Steps);

    public static async Task<Result> CheckAsync(FuzzCase fuzzCase, bool alsoFromFile, string folder)
    {
        var problems = new List<string>();
        var steps = new System.Text.StringBuilder();
        var clock = Stopwatch.StartNew();
        void Step(string name)
        {
            steps.Append($"{name} {clock.Elapsed.TotalMilliseconds:0} ms, ");
            clock.Restart();
        }


        var memory = await MeasuredReadAsync("memory", () => DicomFile.ReadAsync(fuzzCase.Bytes.AsMemory()), () => fuzzCase.ContentSize ?? fuzzCase.Bytes.Length, problems);
        Step("memory read");
        var trickle = new TrickleStream(fuzzCase.Bytes, 1 + (fuzzCase.Index % 7));
        var stream = await MeasuredReadAsync("stream", () => DicomFile.ReadAsync(trickle), () => fuzzCase.ContentSize ?? trickle.Delivered, problems);
        Step("stream read");
        var ratio = Math.Max(memory.Ratio, stream.Ratio);
        if (fuzzCase.ReadsOnly)
        {
            Agree("stream", memory, memory.File is null ? null : Fingerprint(memory.File), stream, problems);
            Step("comparison");
            return new Result(problems, ratio, memory.File is not null, steps.ToString().TrimEnd(',', ' '));
        }

        foreach (var read in new[] { memory, stream })
        {
            if (read.File is not null)
            {
                Query(read.How, read.File.Dataset, problems);
            }
        }

        Step("getters");

        // JSON, dump and writing for the memory read; the stream read must have found the same elements.
        var expected = memory.File is null ? null : Fingerprint(memory.File);
        if (memory.File is not null)
        {
            await UseAsync("memory", memory.File, problems, Step);
        }

        Agree("stream", memory, expected, stream, problems);
        Step("comparison");
        if (alsoFromFile)
        {
            // Large values stay in the file (lazy): their own path through JSON, dump and writing.
            var path = Path.Combine(folder, $"case-{fuzzCase.Index}.dcm");
            await File.WriteAllBytesAsync(path, fuzzCase.Bytes);
            var fromFile = await MeasuredReadAsync("file", () => DicomFile.OpenAsync(path), () => -1, problems);
            Step("file read");
            if (fromFile.File is not null)
            {
                Query("file", fromFile.File.Dataset, problems);
                await UseAsync("file", fromFile.File, problems, _ => { });
            }

            Agree("file", memory, expected, fromFile, problems);
            Step("file use");
        }

        return new Result(problems, ratio, memory.File is not null, steps.ToString().TrimEnd(',', ' '));
    }

    private sealed record ReadResult(string How, DicomFile? File, string Outcome, double Ratio, Exception? Refusal = null);

    /// <summary>Every <c>TryGet</c> of every element, items included: false for what cannot be read, never an exception.</summary>
    private static void Query(string how, DicomDataset dataset, List<string> problems)
    {
        foreach (var element in dataset.Elements)
        {
            try
            {
                _ = element.TryGetString(out _);
                _ = element.TryGetStrings(out _);
                _ = element.TryGetValue<int>(0, out _);
                _ = element.TryGetValues<double>(out _);
                _ = element.TryGetValues<long>(out _);
                _ = element.TryGetAttributeTag(0, out _);
                _ = element.TryGetDate(0, out _);
                _ = element.TryGetTime(0, out _);
                _ = element.TryGetDateTime(0, out _, out _);
                _ = element.TryGetPersonName(0, out _);
                _ = dataset.TryGetDateTimeOffset(element.Tag, out _);
                _ = element.ValueCount;
            }
            catch (Exception error)
            {
                problems.Add($"a typed getter of {element.Tag} {element.VR.Code()} from the {how} read threw {error.GetType().FullName}: {error.Message}\n{error.StackTrace}");
                return;
            }

            if (element.Sequence is { } sequence)
            {
                foreach (var item in sequence)
                {
                    Query(how, item, problems);
                }
            }
        }
    }

    private static void Agree(string how, ReadResult memory, string? expected, ReadResult other, List<string> problems)
    {
        if (memory.File is not null && other.File is not null)
        {
            var actual = Fingerprint(other.File);
            if (actual != expected)
            {
                problems.Add($"the memory and {how} reads differ: {FirstDifference(expected!, actual)}");
            }
        }
        else if (memory.Outcome != other.Outcome && !(how == "stream" && memory.Refusal is { } refusal && refusal.Message.Contains("goes past the end of the data", StringComparison.Ordinal) && other.File is not null))
        {
            problems.Add($"memory read {memory.Outcome}{(memory.Refusal is null ? "" : $" ({memory.Refusal.Message})")}, {how} read {other.Outcome}{(other.Refusal is null ? "" : $" ({other.Refusal.Message})")}");
        }
    }

    /// <summary>
    /// Every element as a line: tag, VR, length and a hash of the value bytes (wherever they are: in memory,
    /// a slice of the input, a lazy region of the file), items and fragments included.
    /// </summary>
    private static string Fingerprint(DicomFile file)
    {
        var text = new System.Text.StringBuilder();
        text.Append(file.TransferSyntax.Uid).Append('\n');
        Fingerprint(file.FileMetaInformation, "", text);
        Fingerprint(file.Dataset, "", text);
        return text.ToString();
    }

    private static void Fingerprint(DicomDataset dataset, string indent, System.Text.StringBuilder text, byte[]? buffer = null)
    {
        buffer ??= new byte[64 * 1024];
        foreach (var element in dataset.Elements)
        {
            text.Append(indent).Append(element.Tag.ToString()).Append(' ').Append(element.VR.Code()).Append(' ');
            if (element.Sequence is { } sequence)
            {
                text.Append(sequence.Count).Append(" items\n");
                foreach (var item in sequence)
                {
                    text.Append(indent).Append("  item\n");
                    Fingerprint(item, indent + "    ", text, buffer);
                }
            }
            else if (element.Fragments is { } fragments)
            {
                text.Append(string.Join(',', fragments.BasicOffsetTable)).Append(" fragments");
                foreach (var fragment in fragments.Fragments)
                {
                    text.Append(' ').Append(Hash(fragment, buffer));
                }

                text.Append('\n');
            }
            else
            {
                text.Append(Hash(element.Bulk ?? new DicomMemoryBulkValue(element.RawValue), buffer)).Append('\n');
            }
        }
    }

    /// <summary>Length and FNV-1a of a value's bytes.</summary>
    private static string Hash(DicomBulkValue value, byte[] buffer)
    {
        var hash = 14695981039346656037ul;
        if (value is DicomMemoryBulkValue memory)
        {
            hash = Fnv(hash, memory.Bytes.Span);
        }
        else
        {
            using var stream = value.OpenRead();
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash = Fnv(hash, buffer.AsSpan(0, read));
            }
        }

        return $"{value.Length}:{hash:x16}";
    }

    private static ulong Fnv(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211ul;
        }

        return hash;
    }

    /// <summary>
    /// Reads, allowing only <see cref="DicomFormatException"/>. Memory and stream input complete
    /// synchronously (nothing to wait for), so the allocation of the whole read is this thread's;
    /// <paramref name="inputBytes"/> &lt; 0: not measured (a file read completes on other threads).
    /// </summary>
    private static async Task<ReadResult> MeasuredReadAsync(string how, Func<Task<DicomFile>> read, Func<long> inputBytes, List<string> problems)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var task = read();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var synchronous = task.IsCompleted;
        DicomFile? file = null;
        DicomFormatException? refusal = null;
        string outcome;
        try
        {
            file = await task;
            outcome = "succeeded";
        }
        catch (DicomFormatException error)
        {
            outcome = "refused (DicomFormatException)";
            refusal = error;
        }
        catch (Exception error)
        {
            outcome = $"crashed ({error.GetType().Name})";
            problems.Add($"{how} read threw {error.GetType().FullName}: {error.Message}\n{error.StackTrace}");
        }

        var size = inputBytes();
        var ratio = 0.0;
        if (size >= 0)
        {
            if (!synchronous)
            {
                problems.Add($"{how} read did not complete synchronously: its allocation cannot be measured");
            }
            else
            {
                ratio = Math.Max(0, allocated - AllocationConstant) / (double)Math.Max(1, size);
                if (allocated > AllocationBound(size))
                {
                    problems.Add($"{how} read allocated {allocated:N0} bytes for {size:N0} bytes of input (bound {AllocationBound(size):N0}: {AllocationFactor} × input + {AllocationConstant / (1024 * 1024)} MiB)");
                }
            }
        }

        return new ReadResult(how, file, outcome, ratio, refusal);
    }

    /// <summary>JSON, dump, write and re-read of a dataset that was read.</summary>
    private static async Task UseAsync(string how, DicomFile file, List<string> problems, Action<string> step)
    {
        try
        {
            _ = DicomJsonWriter.Serialize(file.Dataset);
            _ = DicomJsonWriter.Serialize(file.FileMetaInformation);
        }
        catch (FormatException)
        {
            // Documented: an IS or DS value that is not a number has no DICOM JSON form.
        }
        catch (Exception error)
        {
            problems.Add($"JSON of the {how} read threw {error.GetType().FullName}: {error.Message}\n{error.StackTrace}");
        }

        step("JSON");

        try
        {
            DicomDumpWriter.WriteFile(TextWriter.Null, file);
        }
        catch (Exception error)
        {
            problems.Add($"dump of the {how} read threw {error.GetType().FullName}: {error.Message}\n{error.StackTrace}");
        }

        step("dump");

        byte[] written;
        try
        {
            using var output = new MemoryStream();
            await file.SaveAsync(output);
            written = output.ToArray();
        }
        catch (Exception error)
        {
            problems.Add($"writing the {how} read threw {error.GetType().FullName}: {error.Message}\n{error.StackTrace}");
            return;
        }

        step("write");
        try
        {
            _ = await DicomFile.ReadAsync(written.AsMemory());
        }
        catch (Exception error)
        {
            problems.Add($"re-reading what was written from the {how} read threw {error.GetType().FullName}: {error.Message}\n{error.StackTrace}");
        }

        step("re-read");
    }

    private static string FirstDifference(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        var from = Math.Max(0, i - 60);
        return $"at char {i}: memory '…{a[from..Math.Min(a.Length, i + 80)]}…', other '…{b[from..Math.Min(b.Length, i + 80)]}…'";
    }
}
