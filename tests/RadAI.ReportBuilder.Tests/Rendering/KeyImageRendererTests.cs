using RadAI.Dicom;
using RadAI.Dicom.Imaging;
using RadAI.Dicom.IO;
using RadAI.ReportBuilder.Rendering;
using RadAI.Testing;
using SkiaSharp;
using Xunit;

namespace RadAI.ReportBuilder.Tests.Rendering;

public sealed class KeyImageRendererTests : IAsyncLifetime, IDisposable
{
    private readonly TemporaryDirectory _folder = new("radai-keyimage");
    private SyntheticChestCt _ct = null!;

    public async Task InitializeAsync() => _ct = await SyntheticChestCt.WriteAsync(_folder.Path);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_overlay_colours_exactly_the_pixels_of_the_mask_on_the_key_slice()
    {
        var z = SyntheticChestCt.NoduleSlice;
        var slice = KeyImageSelection.LabelSlice(_ct.Labels, _ct.Run.Geometry, z);
        var colors = SegmentPalette.For(_ct.Run.Segments);
        var plain = await KeyImageRenderer.RenderAsync(new KeyImageRequest(_ct.Files[z], 1, ReadOnlyMemory<byte>.Empty, colors));
        var image = await KeyImageRenderer.RenderAsync(new KeyImageRequest(_ct.Files[z], 1, slice, colors));

        Assert.Equal((SyntheticChestCt.Columns, SyntheticChestCt.Rows), (image.Width, image.Height));
        Assert.Equal(image.Width * image.Height * 3, image.Rgb.Length);
        var labels = slice.ToArray();
        var labelled = 0;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                if (image.AiMarkBounds.Contains(x, y))
                {
                    continue;
                }

                var i = (y * image.Width) + x;
                var label = labels[i];
                var (r, g, b) = (image.Rgb[3 * i], image.Rgb[(3 * i) + 1], image.Rgb[(3 * i) + 2]);
                var gray = plain.Rgb[3 * i];
                Assert.True(gray == plain.Rgb[(3 * i) + 1] && gray == plain.Rgb[(3 * i) + 2], $"The source alone is grey at ({x}, {y}).");
                if (label == 0)
                {
                    Assert.True(r == gray && g == gray && b == gray, $"({x}, {y}) is outside the mask but is ({r}, {g}, {b}), not grey {gray}.");
                    continue;
                }

                labelled++;
                var color = colors[label];
                var contour = x == 0 || y == 0 || x == image.Width - 1 || y == image.Height - 1
                    || labels[i - 1] != label || labels[i + 1] != label || labels[i - image.Width] != label || labels[i + image.Width] != label;
                var alpha = contour ? 1.0 : KeyImageRenderer.FillOpacity;
                Assert.Equal(
                    (KeyImageRenderer.Blend(gray, color.R, alpha), KeyImageRenderer.Blend(gray, color.G, alpha), KeyImageRenderer.Blend(gray, color.B, alpha)),
                    (r, g, b));
                Assert.False(r == g && g == b, $"({x}, {y}) is in segment {label} but grey.");
            }
        }

        Assert.True(labelled > 300, $"Only {labelled} labelled pixels outside the mark: the test would prove little.");

        // The nodule (segment 3) sits inside the right lung: its centre is blended with its own colour, not the lung's.
        var centre = (SyntheticChestCt.NoduleY * image.Width) + SyntheticChestCt.NoduleX;
        var nodule = colors[3];
        Assert.Equal(KeyImageRenderer.Blend(plain.Rgb[3 * centre], nodule.R, KeyImageRenderer.FillOpacity), image.Rgb[3 * centre]);
    }

    [Fact]
    public async Task The_AI_mark_is_burned_in_and_the_PNG_holds_the_same_pixels()
    {
        var image = await KeyImageRenderer.RenderAsync(new KeyImageRequest(_ct.Files[0], 1, ReadOnlyMemory<byte>.Empty, SegmentPalette.For(_ct.Run.Segments)));
        var mark = image.AiMarkBounds;
        Assert.True(mark.Width > 10 && mark.Height > 5 && mark.X + mark.Width == image.Width && mark.Y == 0, $"Mark at {mark}.");
        var yellow = 0;
        for (var y = mark.Y; y < mark.Y + mark.Height; y++)
        {
            for (var x = mark.X; x < mark.X + mark.Width; x++)
            {
                var i = 3 * ((y * image.Width) + x);
                yellow += image.Rgb[i] > 150 && image.Rgb[i + 1] > 120 && image.Rgb[i + 2] < 90 ? 1 : 0;
            }
        }

        Assert.True(yellow > 10, $"{yellow} yellow text pixels in the mark.");

        using var decoded = SKBitmap.Decode(image.Png);
        Assert.Equal((image.Width, image.Height), (decoded.Width, decoded.Height));
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var pixel = decoded.GetPixel(x, y);
                var i = 3 * ((y * image.Width) + x);
                Assert.Equal((image.Rgb[i], image.Rgb[i + 1], image.Rgb[i + 2]), (pixel.Red, pixel.Green, pixel.Blue));
            }
        }

        var jpeg = image.EncodeJpeg(85);
        Assert.Equal([0xFF, 0xD8, 0xFF], jpeg[..3]);
    }

    [Fact]
    public async Task The_image_window_is_applied_to_rescaled_values()
    {
        var image = await KeyImageRenderer.RenderAsync(new KeyImageRequest(_ct.Files[1], 1, ReadOnlyMemory<byte>.Empty, new Dictionary<int, RgbColor>()));
        Assert.Equal(new KeyImageWindow(-600, 1500, KeyImageWindowSource.Image), image.Window);
        var window = new VoiWindow(-600, 1500);
        foreach (var (x, y) in new[] { (20, 24), (32, 5), (0, 0), (44, 30) })
        {
            Assert.Equal(window.ToDisplayByte(SyntheticChestCt.Hu(x, y, 1)), image.Rgb[3 * ((y * image.Width) + x)]);
        }
    }

    [Theory]
    [InlineData(CtDefaultWindow.Lung, -600, 1500)]
    [InlineData(CtDefaultWindow.SoftTissue, 40, 400)]
    public async Task A_CT_image_without_a_window_gets_the_default_asked_for(CtDefaultWindow preference, double center, double width)
    {
        // Signed 16-bit, no rescale: the stored values are HU.
        int[] hu = [-1000, -860, 0, 40, 240, 1000];
        var path = await WriteAsync("CT", DicomUids.CTImageStorage, hu, signed: true);
        var image = await KeyImageRenderer.RenderAsync(new KeyImageRequest(path, 1, ReadOnlyMemory<byte>.Empty, new Dictionary<int, RgbColor>(), preference));
        Assert.Equal(new KeyImageWindow(center, width, KeyImageWindowSource.ModalityDefault), image.Window);
        var window = new VoiWindow(center, width);
        Assert.Equal(hu.Select(v => window.ToDisplayByte(v)), BottomRow(image, hu.Length));
    }

    [Fact]
    public async Task Without_a_window_another_modality_is_shown_from_its_minimum_to_its_maximum()
    {
        int[] stored = [100, 200, 300, 400, 500, 600];
        var path = await WriteAsync("MR", DicomUids.MRImageStorage, stored, signed: false,
            extra: d => d.AddOrUpdate(DicomTags.RescaleSlope, "2").AddOrUpdate(DicomTags.RescaleIntercept, "-50"));
        var image = await KeyImageRenderer.RenderAsync(new KeyImageRequest(path, 1, ReadOnlyMemory<byte>.Empty, new Dictionary<int, RgbColor>()));
        Assert.Equal(KeyImageWindowSource.MinMax, image.Window.Source);
        Assert.Equal((650.0, 1000.0), (image.Window.Center, image.Window.Width));
        var gray = BottomRow(image, stored.Length);
        Assert.Equal(0, gray[0]);
        Assert.Equal(255, gray[^1]);
        Assert.Equal(gray.Order(), gray);
    }

    [Fact]
    public async Task MONOCHROME1_is_inverted()
    {
        int[] stored = [0, 50, 100, 150, 200, 250];
        void Window(DicomDataset d) => d.AddOrUpdate(DicomTags.WindowCenter, "125").AddOrUpdate(DicomTags.WindowWidth, "250");
        var mono2 = await WriteAsync("CR", DicomUids.ComputedRadiographyImageStorage, stored, signed: false, extra: Window);
        var mono1 = await WriteAsync("CR", DicomUids.ComputedRadiographyImageStorage, stored, signed: false, extra: Window, photometric: "MONOCHROME1");
        var two = BottomRow(await KeyImageRenderer.RenderAsync(new KeyImageRequest(mono2, 1, ReadOnlyMemory<byte>.Empty, new Dictionary<int, RgbColor>())), stored.Length);
        var one = BottomRow(await KeyImageRenderer.RenderAsync(new KeyImageRequest(mono1, 1, ReadOnlyMemory<byte>.Empty, new Dictionary<int, RgbColor>())), stored.Length);
        Assert.Equal(two.Select(v => (byte)(255 - v)), one);
        Assert.True(one[0] > one[^1], "MONOCHROME1: the lowest value is the brightest.");
    }

    [Fact]
    public async Task The_frame_of_a_multi_frame_image_is_the_one_referenced()
    {
        int[] levels = [100, 200, 300];
        var path = await WriteAsync("MR", DicomUids.EnhancedMRImageStorage, [0], signed: false, frames: 3, value: (frame, _) => levels[frame],
            extra: d => d.AddOrUpdate(DicomTags.NumberOfFrames, "3").AddOrUpdate(DicomTags.WindowCenter, "200").AddOrUpdate(DicomTags.WindowWidth, "201"));
        var window = new VoiWindow(200, 201);
        for (var frame = 1; frame <= 3; frame++)
        {
            var image = await KeyImageRenderer.RenderAsync(new KeyImageRequest(path, frame, ReadOnlyMemory<byte>.Empty, new Dictionary<int, RgbColor>()));
            Assert.All(BottomRow(image, image.Width), g => Assert.Equal(window.ToDisplayByte(levels[frame - 1]), g));
        }

        await Assert.ThrowsAsync<ArgumentException>(() => KeyImageRenderer.RenderAsync(new KeyImageRequest(path, 4, ReadOnlyMemory<byte>.Empty, new Dictionary<int, RgbColor>())));
    }

    [Fact]
    public async Task A_label_slice_of_another_size_is_refused()
    {
        var request = new KeyImageRequest(_ct.Files[0], 1, new byte[10], new Dictionary<int, RgbColor>());
        await Assert.ThrowsAsync<ArgumentException>(() => KeyImageRenderer.RenderAsync(request));
    }

    [Fact]
    public void Each_finding_with_a_region_gives_one_key_image_and_a_slice_is_shown_once()
    {
        var ct = _ct.Results;
        var slots = KeyImageSelection.Select(ct, 10);
        Assert.Equal(["lung-right", "lung-left", "candidate-1"], slots.Select(s => s.Finding.Id));
        Assert.All(slots, s => Assert.Equal(CtDefaultWindow.Lung, s.CtWindow));
        Assert.Equal([2, 3, SyntheticChestCt.NoduleSlice], slots.Select(s => s.Slice));
        Assert.Equal(2, KeyImageSelection.Select(ct, 2).Count);
        Assert.Empty(KeyImageSelection.Select(ct, 0));

        var run = ct.Runs[0];
        var nodule = run.Findings[3];
        var sameSlice = nodule with { Region = nodule.Region! with { KeySlice = 3, KeyImage = run.Geometry.Slices[3] } };
        var shared = ct with { Runs = [run with { Findings = [.. run.Findings.Take(3), sameSlice] }] };
        Assert.Equal(["lung-right", "lung-left"], KeyImageSelection.Select(shared, 10).Select(s => s.Finding.Id));
    }

    [Fact]
    public async Task A_key_image_set_reads_each_label_map_once_and_leaves_out_what_it_cannot_render()
    {
        var opened = 0;
        Task<Stream?> Open(RadAI.Contracts.Findings.RunResults run, CancellationToken token)
        {
            opened++;
            return _ct.OpenLabelMapAsync(run, token);
        }

        var missing = _ct.SopInstanceUids[2];
        var set = await KeyImageSet.RenderAsync(_ct.Results, 10, r => r.SopInstanceUid == missing ? null : _ct.PathOf(r), Open);
        Assert.Equal(1, opened);
        Assert.Equal(["lung-left", "candidate-1"], set.Images.Select(i => i.Slot.Finding.Id));
        var failure = Assert.Single(set.Failures);
        Assert.Equal("lung-right", failure.Slot.Finding.Id);
        Assert.Contains(missing, failure.Reason);

        // The overlay of the set is the label map's: the nodule's centre is in the nodule's colour.
        var nodule = set.Images[1].Image;
        var centre = 3 * ((SyntheticChestCt.NoduleY * nodule.Width) + SyntheticChestCt.NoduleX);
        Assert.True(nodule.Rgb[centre] > nodule.Rgb[centre + 1], "The nodule (red) is overlaid.");

        // A label map of another grid leaves every image of the run out, with the reason.
        async Task<Stream?> Wrong(RadAI.Contracts.Findings.RunResults run, CancellationToken token)
        {
            var stream = new MemoryStream();
            await RadAI.Contracts.Findings.LabelMapFile.WriteAsync(stream, 2, 2, 2, new byte[8], token);
            stream.Position = 0;
            return stream;
        }

        var wrong = await KeyImageSet.RenderAsync(_ct.Results, 10, _ct.PathOf, Wrong);
        Assert.Empty(wrong.Images);
        Assert.Equal(3, wrong.Failures.Count);
        Assert.All(wrong.Failures, f => Assert.Contains("2×2×2", f.Reason));
    }

    private const int Side = 32;

    /// <summary>The first <paramref name="count"/> grey levels of the bottom row (far from the mark in the top right corner).</summary>
    private static byte[] BottomRow(KeyImage image, int count)
    {
        var row = (image.Height - 1) * image.Width;
        Assert.False(image.AiMarkBounds.Contains(0, image.Height - 1));
        var gray = new byte[count];
        for (var x = 0; x < count; x++)
        {
            var i = 3 * (row + x);
            gray[x] = image.Rgb[i];
            Assert.True(image.Rgb[i + 1] == gray[x] && image.Rgb[i + 2] == gray[x], "A monochrome image without overlay is grey.");
        }

        return gray;
    }

    /// <summary>A 32×32 image (or <paramref name="frames"/> of them) whose every row holds <paramref name="rowValues"/> repeated.</summary>
    private async Task<string> WriteAsync(string modality, string sopClass, int[] rowValues, bool signed,
        Action<DicomDataset>? extra = null, string photometric = "MONOCHROME2", int frames = 1, Func<int, int, int>? value = null)
    {
        var dataset = SyntheticImages.Header(sopClass, modality, DicomUidGenerator.New(), DicomUidGenerator.New(), DicomUidGenerator.New(), Side, Side, signed, photometric: photometric);
        extra?.Invoke(dataset);
        var values = Enumerable.Range(0, frames * Side * Side)
            .Select(i => value is null ? rowValues[i % Side % rowValues.Length] : value(i / (Side * Side), i % (Side * Side)));
        dataset.AddOrUpdateBytes(DicomTags.PixelData, DicomVR.OW, SyntheticImages.Words(values));
        var path = Path.Combine(_folder.Path, $"{Guid.NewGuid():N}.dcm");
        await new DicomFile(dataset).SaveAsync(path);
        return path;
    }
}
