using System.Numerics;
using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.Inference.Tests;

/// <summary>Writes synthetic CT series as DICOM files, one instance per slice (or one enhanced multi-frame instance).</summary>
internal static class TestSeries
{
    public const string SeriesUid = "2.25.1001";

    /// <summary>One file per position; stored value = (HU − intercept) / slope, HU given by <paramref name="hu"/>(column, row, slice index).</summary>
    public static async Task WriteAsync(string folder, IReadOnlyList<Vector3> positions, int columns, int rows, Func<int, int, int, double> hu,
        double slope = 1, double intercept = -1024, Vector3? rowDirection = null, Vector3? columnDirection = null, Func<int, int>? rowsOf = null)
    {
        Directory.CreateDirectory(folder);
        var (r, c) = (rowDirection ?? Vector3.UnitX, columnDirection ?? Vector3.UnitY);
        for (var i = 0; i < positions.Count; i++)
        {
            var sliceRows = rowsOf?.Invoke(i) ?? rows;
            var ds = Common($"2.25.2000{i}", DicomUids.CTImageStorage)
                .AddOrUpdate(DicomTags.InstanceNumber, DicomVR.IS, i + 1)
                .AddOrUpdate(DicomTags.ImagePositionPatient, DicomVR.DS, (double)positions[i].X, positions[i].Y, positions[i].Z)
                .AddOrUpdate(DicomTags.ImageOrientationPatient, DicomVR.DS, (double)r.X, r.Y, r.Z, c.X, c.Y, c.Z)
                .AddOrUpdate(DicomTags.PixelSpacing, DicomVR.DS, 0.8, 0.7)
                .AddOrUpdate(DicomTags.SliceThickness, DicomVR.DS, 2.0)
                .AddOrUpdate(DicomTags.RescaleSlope, DicomVR.DS, slope)
                .AddOrUpdate(DicomTags.RescaleIntercept, DicomVR.DS, intercept);
            AddPixels(ds, columns, sliceRows, 1, (x, y, _) => hu(x, y, i), slope, intercept);
            // Files named against their order, so that the loader has to sort by position.
            await new DicomFile(ds).SaveAsync(Path.Combine(folder, $"{positions.Count - i:000}.dcm"));
        }
    }

    /// <summary>An Enhanced CT instance of <paramref name="frames"/> frames, geometry in the functional groups.</summary>
    public static async Task WriteEnhancedAsync(string folder, int frames, int columns, int rows, double spacingZ, Func<int, int, int, double> hu)
    {
        Directory.CreateDirectory(folder);
        var ds = Common("2.25.3000", DicomUids.EnhancedCTImageStorage)
            .AddOrUpdate(DicomTags.NumberOfFrames, DicomVR.IS, frames)
            .AddOrUpdate(DicomTags.SharedFunctionalGroupsSequence, new DicomDataset()
                .AddOrUpdate(DicomTags.PixelMeasuresSequence, new DicomDataset()
                    .AddOrUpdate(DicomTags.PixelSpacing, DicomVR.DS, 0.5, 0.5)
                    .AddOrUpdate(DicomTags.SliceThickness, DicomVR.DS, spacingZ))
                .AddOrUpdate(DicomTags.PlaneOrientationSequence, new DicomDataset()
                    .AddOrUpdate(DicomTags.ImageOrientationPatient, DicomVR.DS, 1.0, 0, 0, 0, 1, 0))
                .AddOrUpdate(DicomTags.PixelValueTransformationSequence, new DicomDataset()
                    .AddOrUpdate(DicomTags.RescaleSlope, DicomVR.DS, 1.0)
                    .AddOrUpdate(DicomTags.RescaleIntercept, DicomVR.DS, -1024.0)
                    .AddOrUpdate(DicomTags.RescaleType, "HU")));
        // Frames stored in reverse order of position: the loader sorts them.
        var perFrame = Enumerable.Range(0, frames).Select(f => new DicomDataset()
            .AddOrUpdate(DicomTags.PlanePositionSequence, new DicomDataset()
                .AddOrUpdate(DicomTags.ImagePositionPatient, DicomVR.DS, 0.0, 0.0, (frames - 1 - f) * spacingZ))).ToArray();
        ds.AddOrUpdate(DicomTags.PerFrameFunctionalGroupsSequence, perFrame);
        AddPixels(ds, columns, rows, frames, (x, y, f) => hu(x, y, frames - 1 - f), 1, -1024);
        await new DicomFile(ds).SaveAsync(Path.Combine(folder, "enhanced.dcm"));
    }

    private static DicomDataset Common(string sopInstanceUid, string sopClassUid) => new DicomDataset()
        .AddOrUpdate(DicomTags.SOPClassUID, sopClassUid)
        .AddOrUpdate(DicomTags.SOPInstanceUID, sopInstanceUid)
        .AddOrUpdate(DicomTags.StudyInstanceUID, "2.25.1000")
        .AddOrUpdate(DicomTags.SeriesInstanceUID, SeriesUid)
        .AddOrUpdate(DicomTags.FrameOfReferenceUID, "2.25.1002")
        .AddOrUpdate(DicomTags.Modality, "CT")
        .AddOrUpdate(DicomTags.SamplesPerPixel, DicomVR.US, (ushort)1)
        .AddOrUpdate(DicomTags.PhotometricInterpretation, "MONOCHROME2")
        .AddOrUpdate(DicomTags.BitsAllocated, DicomVR.US, (ushort)16)
        .AddOrUpdate(DicomTags.BitsStored, DicomVR.US, (ushort)16)
        .AddOrUpdate(DicomTags.HighBit, DicomVR.US, (ushort)15)
        .AddOrUpdate(DicomTags.PixelRepresentation, DicomVR.US, (ushort)0);

    private static void AddPixels(DicomDataset ds, int columns, int rows, int frames, Func<int, int, int, double> hu, double slope, double intercept)
    {
        ds.AddOrUpdate(DicomTags.Rows, DicomVR.US, (ushort)rows).AddOrUpdate(DicomTags.Columns, DicomVR.US, (ushort)columns);
        var bytes = new byte[columns * rows * frames * 2];
        for (var f = 0; f < frames; f++)
        {
            for (var y = 0; y < rows; y++)
            {
                for (var x = 0; x < columns; x++)
                {
                    var stored = (ushort)Math.Round((hu(x, y, f) - intercept) / slope);
                    var offset = (((f * rows) + y) * columns + x) * 2;
                    bytes[offset] = (byte)stored;
                    bytes[offset + 1] = (byte)(stored >> 8);
                }
            }
        }

        ds.AddOrUpdate(DicomTags.PixelData, DicomVR.OW, new DicomMemoryBulkValue(bytes));
    }
}
