using System.Buffers.Binary;
using RadAI.Dicom.Imaging;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.Dicom.Tests.Imaging;

/// <summary>
/// Hands RLE frames encoded by RadAI to pixel_reference.py, which decodes them with pydicom's
/// <c>pixel_array</c> and, when DCMTK is installed, with <c>dcmdrle</c>; the results must be the samples
/// that were encoded.
/// </summary>
internal static class RleCheck
{
    public static Request Write(string directory, string id, PixelDataDescription description, IReadOnlyList<byte[]> frames)
    {
        var files = new List<string>();
        for (var i = 0; i < frames.Count; i++)
        {
            var name = $"{id}.frame{i}.rle";
            File.WriteAllBytes(Path.Combine(directory, name), frames[i]);
            files.Add(name);
        }

        return new Request(id, description.Rows, description.Columns, description.SamplesPerPixel, description.BitsAllocated,
            description.BitsStored, description.PixelRepresentation, description.PhotometricInterpretation,
            description.PlanarConfiguration, files);
    }

    public static void AssertDecodedAsExpected(string directory, IReadOnlyList<Request> requests,
        IReadOnlyDictionary<string, long[]> expected, ITestOutputHelper output)
    {
        PydicomReference.WriteJson(Path.Combine(directory, "requests.json"), requests);
        output.WriteLine(PydicomReference.RunScript("rle-decode", directory));
        var results = PydicomReference.ReadJson<Dictionary<string, Result>>(Path.Combine(directory, "results.json"));
        var dcmtkInstalled = File.Exists("/usr/bin/dcmdrle");
        var failures = new List<string>();
        foreach (var request in requests)
        {
            var result = results[request.Id];
            var dtype = Dtype(request);
            if (result.Pydicom is null)
            {
                failures.Add($"{request.Id}: pydicom: {result.PydicomError}");
            }
            else
            {
                Compare(request.Id, "pydicom", expected[request.Id], ReferenceCase.ReadIntegers(File.ReadAllBytes(Path.Combine(directory, result.Pydicom)), dtype), failures);
            }

            if (result.Dcmtk is not null)
            {
                Compare(request.Id, "dcmdrle", expected[request.Id], ReferenceCase.ReadIntegers(File.ReadAllBytes(Path.Combine(directory, result.Dcmtk)), dtype), failures);
            }
            else if (dcmtkInstalled)
            {
                failures.Add($"{request.Id}: dcmdrle: {result.DcmtkError}");
            }
            else
            {
                output.WriteLine($"{request.Id}: not checked with DCMTK: {result.DcmtkError}");
            }
        }

        output.WriteLine($"{requests.Count} RLE images checked with pydicom{(dcmtkInstalled ? " and dcmdrle" : "")}.");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static void Compare(string id, string decoder, long[] expected, long[] actual, List<string> failures)
    {
        if (expected.Length != actual.Length)
        {
            failures.Add($"{id}: {decoder} gives {actual.Length} samples, {expected.Length} expected");
            return;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                failures.Add($"{id}: {decoder} gives {actual[i]} at sample {i}, {expected[i]} expected");
                return;
            }
        }
    }

    private static string Dtype(Request r) => (r.PixelRepresentation == 1 ? "int" : "uint") + r.BitsAllocated.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal sealed record Request(string Id, int Rows, int Columns, int SamplesPerPixel, int BitsAllocated, int BitsStored,
        int PixelRepresentation, string Photometric, int PlanarConfiguration, IReadOnlyList<string> FrameFiles);

    internal sealed record Result(string? Pydicom, string? PydicomError, string? Dcmtk, string? DcmtkError);
}

/// <summary>Native little endian frames from sample values (the inverse of <see cref="PixelSamples"/>), for tests.</summary>
internal static class SampleBytes
{
    /// <summary>Interleaved samples (pixel_array order) to a native frame laid out per the description's Planar Configuration.</summary>
    public static byte[] FromSamples(ReadOnlySpan<long> samples, PixelDataDescription d)
    {
        var bytesPerSample = d.BytesPerSample;
        var pixels = (int)d.PixelsPerFrame;
        var spp = d.SamplesPerPixel;
        var frame = new byte[d.FrameLengthInBytes];
        for (var p = 0; p < pixels; p++)
        {
            for (var s = 0; s < spp; s++)
            {
                var value = (ulong)samples[(p * spp) + s];
                var index = d.IsPlanar ? (s * pixels) + p : (p * spp) + s;
                var target = frame.AsSpan(index * bytesPerSample, bytesPerSample);
                switch (bytesPerSample)
                {
                    case 1:
                        target[0] = (byte)value;
                        break;
                    case 2:
                        BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)value);
                        break;
                    case 4:
                        BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)value);
                        break;
                    default:
                        BinaryPrimitives.WriteUInt64LittleEndian(target, value);
                        break;
                }
            }
        }

        return frame;
    }
}
